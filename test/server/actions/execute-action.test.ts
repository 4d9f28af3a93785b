/** executeAction itself: the events around every action, do-nothing, and what `follows` says. */
import { describe, expect, it } from 'vitest';
import { executeAction } from '../../../src/server/actions/execute-action.ts';
import { AUTOMATION_ID, actionHarness, actionStory } from './action-fixture.ts';

describe('executeAction', () => {
  it('do-nothing is executed with no target, between its triggered and executed events', async () => {
    await using h = await actionHarness();
    const context = await h.context({ type: 'do-nothing' });
    const outcome = await executeAction(context, h.services);
    expect(outcome).toEqual({ status: 'executed', attempts: 1, message: 'did nothing', target: null });

    const events = await h.emitted();
    expect(events.map((e) => e.event)).toEqual([
      'flowtrail.automation.action.triggered',
      'flowtrail.automation.action.executed',
    ]);
    for (const e of events) {
      expect(e.resource['flowtrail.resource.id']).toBe(`flowtrail.automation.${AUTOMATION_ID}`);
      expect(e.payload).toMatchObject({
        firing: context.firing.id,
        action: context.record.id,
        type: 'do-nothing',
      });
    }
    expect(events[0]!.follows).toBe(context.events[0]!.id);
    expect(events[1]!.follows).toBe(events[0]!.id);
    expect(events[1]!.related).toEqual([]);
  });

  it('follows the event the engine names (its automation.triggered event), or none', async () => {
    await using h = await actionHarness();
    const context = await h.context({ type: 'do-nothing' });
    const leader = '01900000-0000-7000-8000-0000000000ff';
    await executeAction({ ...context, follows: leader }, h.services);
    await executeAction({ ...context, follows: null }, h.services);
    const triggered = actionStory(await h.emitted()).filter(
      (e) => e.event === 'flowtrail.automation.action.triggered',
    );
    expect(triggered.map((e) => e.follows)).toEqual([leader, null]);
  });

  it('a proactive firing without an event follows nothing', async () => {
    await using h = await actionHarness();
    const outcome = await executeAction(await h.context({ type: 'do-nothing' }, { event: null }), h.services);
    expect(outcome.status).toBe('executed');
    expect(actionStory(await h.emitted())[0]!.follows).toBeNull();
  });
});
