/**
 * pause-automation / resume-automation. The SQL automation store is being written alongside; until
 * it is in `DatabaseStores`, these two cases run on the small in-memory registry below (the lead
 * switches them to the real store).
 */
import { describe, expect, it } from 'vitest';
import { automationActionEvent } from '../../../src/automations/automation-events.ts';
import type { Automation } from '../../../src/automations/model.ts';
import { executeAction } from '../../../src/server/actions/execute-action.ts';
import type {
  AutomationRecord,
  AutomationRegistry,
  FiringHistoryEntry,
} from '../../../src/store/automation-store.ts';
import { actionHarness, actionStory, automationRecord, T0 } from './action-fixture.ts';

class MemoryAutomations implements AutomationRegistry {
  readonly location = 'memory';
  readonly records = new Map<string, AutomationRecord>();
  async create(automation: Automation, now: number): Promise<AutomationRecord> {
    const record = { ...automation, createdAt: now, updatedAt: now, lastFiredAt: null };
    this.records.set(automation.id, record);
    return record;
  }
  async replace(automation: Automation, now: number): Promise<AutomationRecord | undefined> {
    const old = this.records.get(automation.id);
    if (!old) return undefined;
    const record = { ...old, ...automation, updatedAt: now };
    this.records.set(automation.id, record);
    return record;
  }
  async setEnabled(id: string, enabled: boolean, now: number): Promise<AutomationRecord | undefined> {
    const old = this.records.get(id);
    return old && this.replace({ ...old, enabled }, now);
  }
  async delete(id: string): Promise<boolean> {
    return this.records.delete(id);
  }
  async get(id: string): Promise<AutomationRecord | undefined> {
    return this.records.get(id);
  }
  async list(): Promise<AutomationRecord[]> {
    return [...this.records.values()];
  }
  async history(): Promise<FiringHistoryEntry[]> {
    return [];
  }
}

const OTHER_ID = '01900000-0000-7000-8000-0000000000aa';

describe('pause-automation / resume-automation', () => {
  it('disables and enables the named automation', async () => {
    const automations = new MemoryAutomations();
    await automations.create(automationRecord({ id: OTHER_ID, name: 'alerts' }), T0);
    await using h = await actionHarness({ automations });

    const paused = await executeAction(
      await h.context({ type: 'pause-automation', automation: OTHER_ID }),
      h.services,
    );
    expect(paused).toEqual({
      status: 'executed',
      attempts: 1,
      message: "paused automation 'alerts'",
      target: `flowtrail.automation.${OTHER_ID}`,
    });
    expect((await automations.get(OTHER_ID))!.enabled).toBe(false);

    const resumed = await executeAction(
      await h.context({ type: 'resume-automation', automation: OTHER_ID }),
      h.services,
    );
    expect(resumed.status).toBe('executed');
    expect((await automations.get(OTHER_ID))!.enabled).toBe(true);
    const story = actionStory(await h.emitted());
    expect(story.map((e) => [e.event, e.target])).toEqual([
      ['flowtrail.automation.action.triggered', null],
      ['flowtrail.automation.action.executed', `flowtrail.automation.${OTHER_ID}`],
      ['flowtrail.automation.action.triggered', null],
      ['flowtrail.automation.action.executed', `flowtrail.automation.${OTHER_ID}`],
    ]);
  });

  it("with no automation named, acts on the triggering event's flowtrail.automation resource", async () => {
    const automations = new MemoryAutomations();
    const other = await automations.create(automationRecord({ id: OTHER_ID, name: 'noisy' }), T0);
    await using h = await actionHarness({ automations });
    // "pause an automation whose action failed": the failed event is about that automation.
    const failed = automationActionEvent(
      other,
      { phase: 'failed', firing: 'x', action: 'x:actions:0', type: 'call-webhook', reason: 'HTTP 500' },
      T0 - 1_000,
    );
    const outcome = await executeAction(
      await h.context({ type: 'pause-automation', automation: null }, { event: failed }),
      h.services,
    );
    expect(outcome).toMatchObject({ status: 'executed', target: `flowtrail.automation.${OTHER_ID}` });
    expect((await automations.get(OTHER_ID))!.enabled).toBe(false);
  });

  it('fails for an automation that does not exist', async () => {
    await using h = await actionHarness({ automations: new MemoryAutomations() });
    const outcome = await executeAction(
      await h.context({ type: 'resume-automation', automation: OTHER_ID }),
      h.services,
    );
    expect(outcome).toMatchObject({
      status: 'failed',
      message: `No automation '${OTHER_ID}' in memory.`,
      target: `flowtrail.automation.${OTHER_ID}`,
    });
  });
});
