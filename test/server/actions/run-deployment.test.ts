/**
 * run-deployment: rendered parameters handed to the engine's `startDeploymentRun` (a recording
 * stand-in here; the engine wires the real one) with the action record's id as idempotency key.
 */
import { describe, expect, it } from 'vitest';
import { NotFoundError, StoreError } from '../../../src/core/errors.ts';
import { executeAction } from '../../../src/server/actions/execute-action.ts';
import { actionHarness, actionStory } from './action-fixture.ts';

describe('run-deployment', () => {
  it('starts a run with the rendered parameters, keyed by the action record, and targets it', async () => {
    await using h = await actionHarness();
    h.startRun = async () => ({ runPathspec: 'ETLFlow/12' });
    const context = await h.context({
      type: 'run-deployment',
      deployment: 'ETLFlow',
      parameters: {
        rows: '{{ event.payload.rows }}',
        label: 'rows={{ event.payload.rows }}',
        source: '{{ event.resource }}',
        missing: '{{ event.payload.nope }}',
        literal: 3,
      },
    });

    const outcome = await executeAction(context, h.services);

    expect(outcome).toEqual({
      status: 'executed',
      attempts: 1,
      message: 'started ETLFlow/12',
      target: 'flowtrail.run.ETLFlow/12',
    });
    expect(h.started).toHaveLength(1);
    const [request] = h.started;
    expect(request!.deployment).toBe('ETLFlow');
    expect(request!.idempotencyKey).toBe(context.record.id);
    expect(request!.parameters).toEqual({
      rows: 42,
      label: 'rows=42',
      source: { 'flowtrail.resource.id': 'dataset.sales', 'flowtrail.resource.name': 'sales' },
      missing: null,
      literal: 3,
    });
    expect(request!.firing).toBe(context.firing);
    expect(request!.events).toEqual(context.events);
    const story = actionStory(await h.emitted());
    expect(story.map((e) => [e.event, e.target])).toEqual([
      ['flowtrail.automation.action.triggered', null],
      ['flowtrail.automation.action.executed', 'flowtrail.run.ETLFlow/12'],
    ]);
    expect(story[1]!.payload).toMatchObject({ message: 'started ETLFlow/12', type: 'run-deployment' });
  });

  it('asks again with the same key when executed again (the engine finds the run it made)', async () => {
    await using h = await actionHarness();
    const context = await h.context({ type: 'run-deployment', deployment: 'ETLFlow', parameters: {} });
    await executeAction(context, h.services);
    await executeAction(context, h.services);
    expect(h.started.map((r) => r.idempotencyKey)).toEqual([context.record.id, context.record.id]);
  });

  it("fails with the engine's reason when the run cannot start", async () => {
    await using h = await actionHarness();
    h.startRun = async () => {
      throw new NotFoundError('deployment', "No deployment 'ETLFlow'; deploy the flow first.");
    };
    const outcome = await executeAction(
      await h.context({ type: 'run-deployment', deployment: 'ETLFlow', parameters: {} }),
      h.services,
    );
    expect(outcome).toEqual({
      status: 'failed',
      attempts: 1,
      message: "No deployment 'ETLFlow'; deploy the flow first.",
      target: null,
    });
    expect(actionStory(await h.emitted())[1]).toMatchObject({
      event: 'flowtrail.automation.action.failed',
      payload: { reason: outcome.message },
    });
  });

  it('fails on a parameter template that breaks a limit, naming the parameter', async () => {
    await using h = await actionHarness();
    const outcome = await executeAction(
      await h.context({
        type: 'run-deployment',
        deployment: 'ETLFlow',
        parameters: { big: '{% for i in (1..100000) %}{{ event.payload }}{% endfor %}' },
      }),
      h.services,
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain('actions[0].parameters.big');
    expect(h.started).toHaveLength(0);
  });

  it('lets an unreachable store propagate, leaving the action for the engine to try again', async () => {
    await using h = await actionHarness();
    h.startRun = async () => {
      throw new StoreError('database is locked');
    };
    const context = await h.context({ type: 'run-deployment', deployment: 'ETLFlow', parameters: {} });
    await expect(executeAction(context, h.services)).rejects.toThrow(StoreError);
    expect(actionStory(await h.emitted()).map((e) => e.event)).toEqual([
      'flowtrail.automation.action.triggered',
    ]);
  });
});
