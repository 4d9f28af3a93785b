/** cancel-run: which run it names, handed to the engine's `cancelRun` (a recording stand-in here). */
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/core/errors.ts';
import { taskEvent } from '../../../src/events/lifecycle.ts';
import { executeAction } from '../../../src/server/actions/execute-action.ts';
import { actionHarness, actionStory, datasetEvent, T0 } from './action-fixture.ts';

const reason = "Cancelled by automation 'on-dataset' (01900000-0000-7000-8000-000000000001)";

describe('cancel-run', () => {
  it('cancels the run its template renders to, and targets it', async () => {
    await using h = await actionHarness();
    const event = datasetEvent({ payload: { run: 'ETLFlow/4' } });
    const outcome = await executeAction(
      await h.context({ type: 'cancel-run', run: '{{ event.payload.run }}' }, { event }),
      h.services,
    );
    expect(outcome).toEqual({
      status: 'executed',
      attempts: 1,
      message: 'cancelled ETLFlow/4',
      target: 'flowtrail.run.ETLFlow/4',
    });
    expect(h.cancelled).toEqual([{ pathspec: 'ETLFlow/4', reason }]);
    expect(actionStory(await h.emitted()).map((e) => [e.event, e.target])).toEqual([
      ['flowtrail.automation.action.triggered', null],
      ['flowtrail.automation.action.executed', 'flowtrail.run.ETLFlow/4'],
    ]);
  });

  it("with no run named, takes the firing's flowtrail.resource.id label first", async () => {
    await using h = await actionHarness();
    const started = taskEvent({ flow: 'Zombie', runNumber: 3, tags: [] }, 'work', 1, 'started', T0 - 600_000);
    const outcome = await executeAction(
      await h.context(
        { type: 'cancel-run', run: null },
        { event: started, labels: { 'flowtrail.resource.id': 'flowtrail.run.Zombie/2' } },
      ),
      h.services,
    );
    expect(outcome.target).toBe('flowtrail.run.Zombie/2');
    expect(h.cancelled.map((c) => c.pathspec)).toEqual(['Zombie/2']);
  });

  it("else the first run resource of the event (a task event's related run)", async () => {
    await using h = await actionHarness();
    const started = taskEvent({ flow: 'Zombie', runNumber: 3, tags: [] }, 'work', 1, 'started', T0 - 600_000);
    const outcome = await executeAction(
      await h.context(
        { type: 'cancel-run', run: null },
        { event: started, labels: { 'flowtrail.resource.id': 'flowtrail.task.Zombie/3/work/1' } },
      ),
      h.services,
    );
    expect(outcome.target).toBe('flowtrail.run.Zombie/3');
    expect(h.cancelled.map((c) => c.pathspec)).toEqual(['Zombie/3']);
  });

  it('fails when no run can be found or the template gives no run pathspec', async () => {
    await using h = await actionHarness();
    const none = await executeAction(await h.context({ type: 'cancel-run', run: null }), h.services);
    expect(none).toMatchObject({ status: 'failed', target: null });
    expect(none.message).toMatch(/^No run to cancel/);

    const notRun = await executeAction(
      await h.context({ type: 'cancel-run', run: '{{ event.payload.region }}' }),
      h.services,
    );
    expect(notRun.message).toBe(
      "'eu' is not a run's pathspec (such as NightlyFlow/12); nothing was cancelled.",
    );
    expect(h.cancelled).toEqual([]);
  });

  it("fails with the cancel's reason, still naming the run", async () => {
    await using h = await actionHarness();
    h.cancel = async () => {
      throw new ConflictError('Run ETLFlow/4 already completed; there is nothing to cancel.');
    };
    const outcome = await executeAction(
      await h.context({ type: 'cancel-run', run: 'ETLFlow/4' }),
      h.services,
    );
    expect(outcome).toEqual({
      status: 'failed',
      attempts: 1,
      message: 'Run ETLFlow/4 already completed; there is nothing to cancel.',
      target: 'flowtrail.run.ETLFlow/4',
    });
    expect(actionStory(await h.emitted())[1]).toMatchObject({
      event: 'flowtrail.automation.action.failed',
      target: 'flowtrail.run.ETLFlow/4',
      payload: { reason: outcome.message },
    });
  });
});
