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
import { exactLabelValues } from '../../events/label-pattern.ts';
import { type FlowtrailEvent, RESOURCE_ID } from '../../events/model.ts';
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

/**
 * The resource ids an automation can count events of, when every event trigger of it names its
 * resource id exactly (`match: { 'flowtrail.resource.id': 'host.7' }`); null when any resource may do.
 */
function resourceIds(automation: AutomationRecord): string[] | null {
  const ids: string[] = [];
  for (const p of placeTriggers(automation.trigger)) {
    if (p.trigger.type !== 'event') continue;
    const exact = exactLabelValues(p.trigger.match, RESOURCE_ID);
    if (exact === null) return null;
    ids.push(...exact);
  }
  return ids;
}

/**
 * The automations that could look at events of one name: those that count any resource, and by
 * resource id those that name theirs. Most automations are about one resource, so an event is
 * evaluated only by the few about its own.
 */
interface Candidates {
  any: AutomationRecord[];
  byResource: Map<string, AutomationRecord[]>;
}

/** Names repeat: at most this many names keep their list of candidate automations. */
const NAME_CACHE_LIMIT = 10_000;
const NO_AUTOMATIONS: AutomationRecord[] = [];

/** Two lists in the automations' load order, merged (each is in that order already). */
function merged(a: AutomationRecord[], b: AutomationRecord[], rank: Map<string, number>): AutomationRecord[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: AutomationRecord[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length)
    out.push(rank.get(a[i]!.id)! < rank.get(b[j]!.id)! ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

export class AutomationEvaluator {
  /** Event name → the automations whose triggers could look at it (by name, then resource id). */
  private readonly byName = new Map<string, Candidates>();
  private readonly globs = new Map<string, string[]>();
  private readonly resources = new Map<string, string[] | null>();
  /** Each automation's place in `automations`, the order candidates are evaluated in. */
  private readonly rank = new Map<string, number>();
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
        this.globs.delete(id);
        this.resources.delete(id);
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
      this.resources.set(a.id, resourceIds(a));
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

  /** The automations that could look at this event (most look at few names and one resource). */
  private candidates(event: FlowtrailEvent): AutomationRecord[] {
    let found = this.byName.get(event.event);
    if (!found) {
      found = { any: [], byResource: new Map() };
      if (this.byName.size === 0) {
        this.rank.clear();
        for (const id of this.automations.keys()) this.rank.set(id, this.rank.size);
      }
      for (const a of this.automations.values()) {
        if (!nameMatches(this.globs.get(a.id) ?? [], event.event)) continue;
        const ids = this.resources.get(a.id) ?? null;
        if (ids === null) found.any.push(a);
        else
          for (const id of new Set(ids)) {
            const list = found.byResource.get(id);
            if (list) list.push(a);
            else found.byResource.set(id, [a]);
          }
      }
      if (this.byName.size >= NAME_CACHE_LIMIT) this.byName.clear();
      this.byName.set(event.event, found);
    }
    if (found.byResource.size === 0) return found.any;
    const id = Object.hasOwn(event.resource, RESOURCE_ID) ? event.resource[RESOURCE_ID] : undefined;
    const about = id === undefined ? undefined : found.byResource.get(id);
    return merged(found.any, about ?? NO_AUTOMATIONS, this.rank);
  }

  private evaluateOne(event: FlowtrailEvent, now: number): void {
    const received = event.received.getTime();
    for (const automation of this.candidates(event)) {
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
