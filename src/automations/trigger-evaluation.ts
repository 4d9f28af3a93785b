/**
 * Evaluating an automation's trigger: deterministic functions of (state, automation, input, clock).
 * Nothing here reads a clock, a store or the network; the engine passes the time in and stores the
 * returned state (plain JSON, `trigger-state.ts`) with the firings, in one transaction.
 *
 * - {@link onEvent}: one event (after `follows` ordering, `ordering.ts`) → firings of the root trigger.
 * - {@link onTick}: proactive deadlines that have come → firings; housekeeping of old windows.
 * - {@link nextDeadline}: when the next proactive deadline is due, so the engine can wake exactly then.
 *
 * The functions update the state passed in and return it (copying a 10,000-id seen set per event
 * would cost more than the evaluation); keep the returned state, and pass a copy to keep the old one.
 */
import type { FlowtrailEvent } from '../events/model.ts';
import { bucketOnEvent, closeProactiveWindow, type FiringContext } from './bucket.ts';
import { compositeOnChild, pruneComposites } from './composite.ts';
import type { Automation, EventTrigger, Trigger } from './model.ts';
import { nameMatches, type PlacedTrigger, placeTriggers, resourcesMatch } from './trigger-match.ts';
import { emptyState, type Firing, rememberSeen, type TriggerState } from './trigger-state.ts';

/** How long after its window ended a reactive bucket is kept (then a new event opens a new one). */
export const EXPIRED_BUCKET_BUFFER_MS = 60_000;

export interface Evaluation {
  state: TriggerState;
  /** Firings of the automation's root trigger, in the order they happened. */
  firings: Firing[];
  /** Whether a trigger of the automation counted the event (the state changed). */
  counted?: boolean;
}

export interface OnEventOptions {
  /**
   * The caller already drops duplicates and redeliveries (the engine: its feed cursor and the
   * engine-wide `ordering.ts`), so the state keeps no seen set of its own: smaller states, cheaper
   * evaluation. Default false: the state's seen set drops them.
   */
  deduplicated?: boolean;
}

const placements = new WeakMap<Trigger, PlacedTrigger[]>();
function placed(automation: Automation): PlacedTrigger[] {
  let list = placements.get(automation.trigger);
  if (!list) {
    list = placeTriggers(automation.trigger);
    placements.set(automation.trigger, list);
  }
  return list;
}

type PlacedEvent = PlacedTrigger & { trigger: EventTrigger };
const isEventLeaf = (p: PlacedTrigger): p is PlacedEvent => p.trigger.type === 'event';

const leafLists = new WeakMap<Trigger, PlacedEvent[]>();
/** The automation's event triggers (the leaves), placed; listed once per trigger tree. */
function eventLeaves(automation: Automation): PlacedEvent[] {
  let list = leafLists.get(automation.trigger);
  if (!list) {
    list = placed(automation).filter(isEventLeaf);
    leafLists.set(automation.trigger, list);
  }
  return list;
}

/** Passes a firing up through the composite parents; returns the root's firing, if any. */
function propagate(
  ctx: FiringContext,
  all: PlacedTrigger[],
  state: TriggerState,
  from: PlacedTrigger,
  firing: Firing,
): Firing | null {
  let node = from;
  let current: Firing | null = firing;
  while (node.parent && current) {
    const { path, index } = node.parent;
    const parent = all.find((p) => p.path === path)!;
    if (parent.trigger.type === 'event') return null;
    current = compositeOnChild(ctx, path, parent.trigger, state.composites, index, current);
    node = parent;
  }
  return current;
}

/** A state for a new (or newly enabled) automation: proactive windows without `forEach` start now. */
export function createState(automation: Automation, now: number): TriggerState {
  const state = emptyState();
  openProactiveWindows(automation, state, now);
  return state;
}

function openProactiveWindows(automation: Automation, state: TriggerState, asOf: number): void {
  for (const p of eventLeaves(automation)) {
    const t = p.trigger;
    if (t.posture !== 'proactive' || t.forEach.length > 0 || t.after.length > 0) continue;
    const id = `${p.path} []`;
    state.buckets[id] ??= {
      trigger: p.path,
      labels: {},
      start: asOf,
      end: asOf + t.withinMs,
      count: 0,
      lastEvent: null,
    };
  }
}

/**
 * Evaluates one event. Events no trigger of the automation covers change nothing; an event id
 * already counted (a redelivery, a duplicate) changes nothing either.
 *
 * @example
 * const { state: next, firings } = onEvent(state, automation, event, Date.now());
 */
export function onEvent(
  state: TriggerState,
  automation: Automation,
  event: FlowtrailEvent,
  now: number,
  options: OnEventOptions = {},
): Evaluation {
  if (!automation.enabled) return { state, firings: [] };
  // Called for every candidate automation of every event: nothing is allocated for a leaf that
  // does not cover the event, and each leaf's name and resource matching is done once.
  let ctx: FiringContext | undefined;
  let firings: Firing[] | undefined;
  for (const leaf of eventLeaves(automation)) {
    const t = leaf.trigger;
    const expected = nameMatches(t.expect, event.event);
    const arms = t.after.length > 0 && nameMatches(t.after, event.event);
    // Covered: named in `expect` or `after`, and the resources match.
    if ((!expected && !arms) || !resourcesMatch(t, event)) continue;
    if (!ctx) {
      // The first leaf that covers the event: a duplicate stops here.
      if (!options.deduplicated) {
        if (Object.hasOwn(state.seen, event.id)) return { state, firings: [] };
        rememberSeen(state.seen, event.id, now);
      }
      ctx = { automation: automation.id, now };
      firings = [];
    }
    for (const f of bucketOnEvent(ctx, leaf, state.buckets, event, arms, expected)) {
      const root = propagate(ctx, placed(automation), state, leaf, f);
      if (root) firings!.push(root);
    }
  }
  return firings ? { state, firings, counted: true } : { state, firings: [] };
}

/**
 * Evaluates the proactive deadlines that have come by `asOf` (ms of event time; the engine's
 * clock, less any lag of its event processing): each window that ended with too few events fires.
 * Also drops reactive windows that ended over a minute ago and composite firings too old to combine.
 * Firings made here carry `asOf` as their `triggered` time.
 */
export function onTick(state: TriggerState, automation: Automation, asOf: number): Evaluation {
  if (!automation.enabled) return { state, firings: [] };
  const all = placed(automation);
  const ctx: FiringContext = { automation: automation.id, now: asOf };
  openProactiveWindows(automation, state, asOf);
  const firings: Firing[] = [];
  const byPath = new Map(all.map((p) => [p.path, p]));
  const due = Object.entries(state.buckets)
    .filter(([, b]) => b.end <= asOf)
    .sort(([, a], [, b]) => a.end - b.end);
  for (const [id, b] of due) {
    const p = byPath.get(b.trigger);
    if (!p || !isEventLeaf(p)) {
      delete state.buckets[id]; // a bucket of a trigger this automation no longer has
      continue;
    }
    if (p.trigger.posture === 'proactive')
      for (const f of closeProactiveWindow(ctx, p, state.buckets, id, asOf)) {
        const root = propagate(ctx, all, state, p, f);
        if (root) firings.push(root);
      }
    else if (b.end <= asOf - EXPIRED_BUCKET_BUFFER_MS) delete state.buckets[id];
  }
  for (const p of all)
    if (p.trigger.type !== 'event') pruneComposites(p.trigger, p.path, state.composites, asOf);
  return { state, firings };
}

/**
 * When {@link onTick} must next run for a proactive deadline (ms), or null when no proactive
 * window is open. A proactive trigger without `forEach` or `after` whose window is not open yet
 * gives `-Infinity`: tick now.
 */
export function nextDeadline(state: TriggerState, automation: Automation): number | null {
  if (!automation.enabled) return null;
  let next: number | null = null;
  const proactive = new Set<string>();
  for (const p of eventLeaves(automation)) {
    if (p.trigger.posture !== 'proactive') continue;
    proactive.add(p.path);
    if (p.trigger.forEach.length === 0 && p.trigger.after.length === 0 && !state.buckets[`${p.path} []`])
      return Number.NEGATIVE_INFINITY;
  }
  for (const b of Object.values(state.buckets))
    if (proactive.has(b.trigger) && (next === null || b.end < next)) next = b.end;
  return next;
}
