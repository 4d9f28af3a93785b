/**
 * The engine's memory of the automations while it holds the lease: the enabled automations, their
 * trigger states and the engine-wide event ordering, loaded from the store once and kept in step
 * (only the engine holding the lease writes them). A batch of events, or a tick, mutates the
 * states in memory and yields the commit to store; when a commit is refused (the lease was lost)
 * the memory is dropped and read again from the store on the next lease.
 */
import { automationTriggeredEvent, firingEventIds } from '../../automations/automation-events.ts';
import type { AutomationAction } from '../../automations/model.ts';
import {
  admitEvent,
  emptyOrdering,
  nextRelease,
  type OrderingState,
  releaseParked,
} from '../../automations/ordering.ts';
import { createState, nextDeadline, onEvent, onTick } from '../../automations/trigger-evaluation.ts';
import { nameMatches, placeTriggers } from '../../automations/trigger-match.ts';
import type { Firing, TriggerState } from '../../automations/trigger-state.ts';
import type { FlowtrailEvent } from '../../events/model.ts';
import type {
  ActionList,
  ActionRecord,
  AutomationCommit,
  AutomationFiringRecord,
  AutomationRecord,
  AutomationStore,
} from '../../store/automation-store.ts';

/** A firing with what it decided, ready to commit. */
export interface Decision {
  automation: AutomationRecord;
  firing: AutomationFiringRecord;
  actions: ActionRecord[];
  /** The firing's `flowtrail.automation.triggered` event (its actions' events follow it). */
  triggeredEvent: FlowtrailEvent;
}

/** The action records a firing decides on: every action of `actions`, then of `actionsOnTrigger`. */
function actionRecords(automation: AutomationRecord, firing: Firing, now: number): ActionRecord[] {
  const lists: [ActionList, AutomationAction[]][] = [
    ['actions', automation.actions],
    ['actionsOnTrigger', automation.actionsOnTrigger],
  ];
  return lists.flatMap(([list, actions]) =>
    actions.map((action, index) => ({
      id: `${firing.id}:${list}:${index}`,
      firing: firing.id,
      automation: automation.id,
      list,
      index,
      action,
      status: 'pending' as const,
      attempts: 0,
      message: null,
      target: null,
      createdAt: now,
      finishedAt: null,
    })),
  );
}

/** Every event-name glob an automation's event triggers look at (`expect` and `after`). */
function nameGlobs(automation: AutomationRecord): string[] {
  return placeTriggers(automation.trigger).flatMap((p) =>
    p.trigger.type === 'event' ? [...p.trigger.expect, ...p.trigger.after] : [],
  );
}

/** Names repeat: at most this many names keep their list of candidate automations. */
const NAME_CACHE_LIMIT = 10_000;

export class AutomationEvaluator {
  /** Event name → the automations whose triggers could look at it (by name alone). */
  private readonly byName = new Map<string, AutomationRecord[]>();
  private readonly globs = new Map<string, string[]>();
  private loaded = false;
  private readonly automations = new Map<string, AutomationRecord>();
  private readonly states = new Map<string, TriggerState>();
  private ordering: OrderingState = emptyOrdering();
  /** Automations whose state changed since the last commit. */
  private readonly dirty = new Set<string>();
  private orderingDirty = false;
  private decisions: Decision[] = [];

  constructor(private readonly store: AutomationStore) {}

  /** Drops what is in memory (after a lost lease): the store is read again next time. */
  forget(): void {
    this.loaded = false;
    this.byName.clear();
    this.automations.clear();
    this.states.clear();
    this.dirty.clear();
    this.decisions = [];
    this.orderingDirty = false;
  }

  /**
   * Reads the enabled automations; a new, replaced or re-enabled one gets its stored state, or a
   * fresh one whose proactive windows start when it was saved.
   */
  async refresh(): Promise<void> {
    const list = await this.store.list({ enabled: true });
    const fresh = new Map(list.map((a) => [a.id, a]));
    for (const id of this.automations.keys())
      if (!fresh.has(id)) {
        this.byName.clear();
        this.automations.delete(id);
        this.states.delete(id);
        this.dirty.delete(id);
      }
    const changed = list.filter((a) => this.automations.get(a.id)?.updatedAt !== a.updatedAt);
    if (changed.length > 0 || this.automations.size !== fresh.size) this.byName.clear();
    if (!this.loaded) {
      this.ordering = (await this.store.loadOrdering()) ?? emptyOrdering();
      this.loaded = true;
    }
    if (changed.length === 0) return;
    const stored = await this.store.loadStates(changed.map((a) => a.id));
    for (const a of changed) {
      this.automations.set(a.id, a);
      this.globs.set(a.id, nameGlobs(a));
      const state = stored.get(a.id);
      if (state) this.states.set(a.id, state);
      else {
        this.states.set(a.id, createState(a, a.updatedAt));
        this.dirty.add(a.id);
      }
    }
  }

  /** How many enabled automations are loaded. */
  get size(): number {
    return this.automations.size;
  }

  /** Evaluates a batch of events from the feed, in order. */
  evaluate(batch: readonly FlowtrailEvent[], now: number): void {
    for (const event of batch) {
      const { ready } = admitEvent(this.ordering, event, now);
      this.orderingDirty = true;
      for (const e of ready) this.evaluateOne(e, now);
    }
  }

  /** The automations that could look at events of this name (most look at few names). */
  private candidates(name: string): AutomationRecord[] {
    let list = this.byName.get(name);
    if (!list) {
      list = [...this.automations.values()].filter((a) => nameMatches(this.globs.get(a.id) ?? [], name));
      if (this.byName.size >= NAME_CACHE_LIMIT) this.byName.clear();
      this.byName.set(name, list);
    }
    return list;
  }

  private evaluateOne(event: FlowtrailEvent, now: number): void {
    const received = event.received.getTime();
    for (const automation of this.candidates(event.event)) {
      // An automation counts only events that reached the feed after it was saved or enabled.
      if (received < automation.updatedAt) continue;
      const state = this.states.get(automation.id)!;
      // Duplicates never get here (the cursor and the engine-wide ordering drop them).
      const { firings, counted } = onEvent(state, automation, event, now, { deduplicated: true });
      if (counted) this.dirty.add(automation.id);
      for (const f of firings) this.decide(automation, f, now);
    }
  }

  /** Proactive deadlines due by `asOf`, and followers parked too long. */
  tick(asOf: number, now: number): void {
    const { ready } = releaseParked(this.ordering, now);
    if (ready.length > 0) {
      this.orderingDirty = true;
      for (const e of ready) this.evaluateOne(e, now);
    }
    for (const automation of this.automations.values()) {
      const state = this.states.get(automation.id)!;
      const due = nextDeadline(state, automation);
      if (due === null || due > asOf) continue;
      const { firings } = onTick(state, automation, asOf);
      this.dirty.add(automation.id);
      for (const f of firings) this.decide(automation, f, now);
    }
  }

  /** When the next proactive deadline or parked follower is due (ms), or null. */
  nextWake(): number | null {
    let next = nextRelease(this.ordering);
    for (const automation of this.automations.values()) {
      const due = nextDeadline(this.states.get(automation.id)!, automation);
      if (due !== null && (next === null || due < next)) next = due;
    }
    return next;
  }

  private decide(automation: AutomationRecord, firing: Firing, now: number): void {
    this.decisions.push({
      automation,
      firing: {
        id: firing.id,
        automation: automation.id,
        firing,
        eventIds: firingEventIds(firing),
        triggeredAt: firing.triggered,
      },
      actions: actionRecords(automation, firing, now),
      triggeredEvent: automationTriggeredEvent(automation, firing, now),
    });
  }

  /** Whether anything waits to be committed. */
  get pending(): boolean {
    return this.dirty.size > 0 || this.orderingDirty || this.decisions.length > 0;
  }

  /**
   * The commit of everything evaluated since the last one; call {@link committed} after the store
   * took it, or {@link forget} when it refused it.
   */
  commit(owner: string, position: number | null): { commit: AutomationCommit; decisions: Decision[] } {
    const decisions = this.decisions;
    return {
      decisions,
      commit: {
        owner,
        position,
        states: [...this.dirty].map((id) => ({
          automation: id,
          updatedAt: this.automations.get(id)!.updatedAt,
          state: this.states.get(id)!,
        })),
        firings: decisions.map((d) => d.firing),
        actions: decisions.flatMap((d) => d.actions),
        events: decisions.map((d) => d.triggeredEvent),
        ordering: this.orderingDirty ? this.ordering : null,
      },
    };
  }

  committed(): void {
    this.dirty.clear();
    this.orderingDirty = false;
    this.decisions = [];
  }
}
