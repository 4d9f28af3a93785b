/** pause-deployment / resume-deployment against the SQLite deployment store. */
import { describe, expect, it } from 'vitest';
import { runEvent } from '../../../src/events/lifecycle.ts';
import { executeAction } from '../../../src/server/actions/execute-action.ts';
import { actionHarness, actionStory, deploymentRecord, T0 } from './action-fixture.ts';

describe('pause-deployment / resume-deployment', () => {
  it('pauses and resumes the named deployment in the store', async () => {
    await using h = await actionHarness();
    await h.stores.deployments.upsert(deploymentRecord('NightlyFlow'));

    const paused = await executeAction(
      await h.context({ type: 'pause-deployment', deployment: 'NightlyFlow' }),
      h.services,
    );
    expect(paused).toEqual({
      status: 'executed',
      attempts: 1,
      message: 'paused deployment NightlyFlow',
      target: 'flowtrail.deployment.NightlyFlow',
    });
    expect((await h.stores.deployments.get('NightlyFlow'))!.status).toBe('paused');

    const resumed = await executeAction(
      await h.context({ type: 'resume-deployment', deployment: 'NightlyFlow' }),
      h.services,
    );
    expect(resumed.status).toBe('executed');
    expect((await h.stores.deployments.get('NightlyFlow'))!.status).toBe('active');
    expect(actionStory(await h.emitted()).map((e) => [e.event, e.target])).toEqual([
      ['flowtrail.automation.action.triggered', null],
      ['flowtrail.automation.action.executed', 'flowtrail.deployment.NightlyFlow'],
      ['flowtrail.automation.action.triggered', null],
      ['flowtrail.automation.action.executed', 'flowtrail.deployment.NightlyFlow'],
    ]);
    // Each change is said on the deployment too, as a pause from anywhere else is.
    const onDeployment = (await h.emitted()).filter(
      (e) => e.resource['flowtrail.resource.id'] === 'flowtrail.deployment.NightlyFlow',
    );
    expect(onDeployment.map((e) => e.event)).toEqual([
      'flowtrail.deployment.paused',
      'flowtrail.deployment.resumed',
    ]);
  });

  it("with no deployment named, pauses the flow of the triggering event's run", async () => {
    await using h = await actionHarness();
    await h.stores.deployments.upsert(deploymentRecord('ETLFlow'));
    const failedRun = runEvent({ flow: 'ETLFlow', runNumber: 7, tags: [] }, 'failed', T0 - 1_000);
    const outcome = await executeAction(
      await h.context({ type: 'pause-deployment', deployment: null }, { event: failedRun }),
      h.services,
    );
    expect(outcome).toMatchObject({ status: 'executed', target: 'flowtrail.deployment.ETLFlow' });
    expect((await h.stores.deployments.get('ETLFlow'))!.status).toBe('paused');
  });

  it('fails for a deployment that does not exist, naming it', async () => {
    await using h = await actionHarness();
    const outcome = await executeAction(
      await h.context({ type: 'pause-deployment', deployment: 'Ghost' }),
      h.services,
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toMatch(/^No deployment 'Ghost' in sqlite:.*; deploy the flow first/);
    const story = actionStory(await h.emitted());
    expect(story[1]).toMatchObject({
      event: 'flowtrail.automation.action.failed',
      target: 'flowtrail.deployment.Ghost',
      payload: { reason: outcome.message },
    });
  });

  it('fails when the event names no deployment and the action none either', async () => {
    await using h = await actionHarness();
    const outcome = await executeAction(
      await h.context({ type: 'resume-deployment', deployment: null }),
      h.services,
    );
    expect(outcome).toMatchObject({ status: 'failed', target: null });
    expect(outcome.message).toMatch(/^No deployment to act on/);
  });
});
