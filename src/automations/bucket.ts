/**
 * Event-trigger evaluation over buckets: one window per (trigger, `forEach` key), in event time.
 *
 * - Reactive: an expected event opens a window [occurred − 15 min, occurred + within) when none
 *   is open (the look-back lets simultaneous or out-of-order events count together); the trigger
 *   fires once when the count reaches the threshold, and the next window starts at the end of
 *   that one (tumbling, anchored at the first event, with a cool-down: events before the next
 *   window's start are ignored). `within: 0` fires on every expected event.
 * - `after`: an arming event opens the window [occurred, occurred + within); expected events
 *   count only inside an armed window, and after it ends or fires a new arming event is needed.
 *   An event that both arms and is expected does not count itself.
 * - Proactive: at the window's end (the deadline) it fires when fewer than `threshold` expected
 *   events came. An event that both arms and is expected restarts the window (the heartbeat
 *   pattern: "no heartbeat for 90 s").
 */
import { MINUTE_MS } from '../core/duration.ts';
import type { FlowtrailEvent } from '../events/model.ts';
import { eventToJSON } from './event-json.ts';
import type { EventTrigger } from './model.ts';
import { bucketKey, bucketLabels, eventBucketKey, nameMatches } from './trigger-match.ts';
import { type BucketState, type Firing, firingId } from './trigger-state.ts';

/** How far back a reactive window opened by an event reaches, for events that arrive out of order. */
export const LOOKBACK_MS = 15 * MINUTE_MS;

/** What every firing of one evaluation shares. */
export interface FiringContext {
  automation: string;
  /** The engine's clock (ms): a firing's `triggered`. */
  now: number;
}

type Buckets = Record<string, BucketState>;

interface Leaf {
  path: string;
  trigger: EventTrigger;
}

/** No firing: shared, never written to (most evaluations fire nothing). */
const NONE: readonly Firing[] = Object.freeze([]);

/** The bucket id last computed, for an event and a trigger path with one `forEach` label. */
const lastId = { event: null as FlowtrailEvent | null, path: '', label: '', id: '' };

/**
 * The id of the bucket an event falls in. The automations counting one event by the same label
 * (usually the resource id) ask for the same id one after another: the last one is kept.
 */
function bucketId(path: string, forEach: readonly string[], event: FlowtrailEvent): string {
  if (forEach.length !== 1) return `${path} ${eventBucketKey(forEach, event)}`;
  const label = forEach[0]!;
  if (lastId.event !== event || lastId.path !== path || lastId.label !== label) {
    lastId.event = event;
    lastId.path = path;
    lastId.label = label;
    lastId.id = `${path} ${eventBucketKey(forEach, event)}`;
  }
  return lastId.id;
}

const immediate = (t: EventTrigger) => t.posture === 'reactive' && t.withinMs === 0;

function leafFiring(
  ctx: FiringContext,
  leaf: Leaf,
  b: BucketState,
  at: number,
  event: BucketState['lastEvent'],
  unique: string | number,
): Firing {
  return {
    id: firingId([ctx.automation, leaf.path, bucketKey(b.labels), unique]),
    automation: ctx.automation,
    trigger: leaf.path,
    triggered: ctx.now,
    at,
    labels: { ...b.labels },
    event,
    children: [],
  };
}

/**
 * Ends a window: the bucket's next window starts at `from`, or the bucket goes (an `after`
 * trigger waits for a new arming event; `within: 0` keeps no window).
 */
function rollOver(
  leaf: Leaf,
  buckets: Buckets,
  id: string,
  b: BucketState,
  from: number,
): BucketState | null {
  if (leaf.trigger.after.length > 0 || leaf.trigger.withinMs === 0) {
    delete buckets[id];
    return null;
  }
  const start = Math.max(b.end, from);
  const next: BucketState = { ...b, start, end: start + leaf.trigger.withinMs, count: 0, lastEvent: null };
  buckets[id] = next;
  return next;
}

/**
 * A proactive window whose end has come (`asOf ≥ end`): fires when too few events came, then
 * rolls over. A `forEach` bucket without `after` that fired goes: its resource went silent, and
 * its next expected event starts watching it again (otherwise it would fire every window forever).
 */
export function closeProactiveWindow(
  ctx: FiringContext,
  leaf: Leaf,
  buckets: Buckets,
  id: string,
  asOf: number,
): Firing[] {
  const b = buckets[id]!;
  const fire = b.count < leaf.trigger.threshold;
  const out = fire ? [leafFiring(ctx, leaf, b, b.end, b.lastEvent, `deadline:${b.end}`)] : [];
  if (fire && leaf.trigger.forEach.length > 0 && leaf.trigger.after.length === 0) delete buckets[id];
  else rollOver(leaf, buckets, id, b, asOf);
  return out;
}

/**
 * The event a bucket keeps as its latest: only a proactive firing reports a bucket's event (a
 * reactive one reports the event that made it fire), so reactive buckets keep none and their
 * stored states stay small.
 */
const keptEvent = (trigger: EventTrigger, event: FlowtrailEvent): BucketState['lastEvent'] =>
  trigger.posture === 'proactive' ? eventToJSON(event) : null;

/** Counts an expected event in a bucket and decides whether the trigger fires. */
function evaluate(
  ctx: FiringContext,
  leaf: Leaf,
  buckets: Buckets,
  id: string,
  b: BucketState,
  event: FlowtrailEvent,
  arms: boolean,
): readonly Firing[] {
  const { trigger } = leaf;
  const t = event.occurred.getTime();
  // Before the window: a late straggler, or inside the cool-down after a firing.
  if (t < b.start) return NONE;
  const inWindow = immediate(trigger) || t < b.end;
  if (inWindow) {
    b.count++;
    b.lastEvent = keptEvent(trigger, event);
  }
  if (trigger.posture === 'reactive' && b.count >= trigger.threshold) {
    const firing = leafFiring(ctx, leaf, b, t, eventToJSON(event), event.id);
    rollOver(leaf, buckets, id, b, t);
    return [firing];
  }
  if (inWindow) {
    if (trigger.posture === 'proactive' && arms)
      buckets[id] = { ...b, start: t, end: t + trigger.withinMs, count: 0, lastEvent: eventToJSON(event) };
    return NONE;
  }
  // A reactive event beyond the window: the window is over, the event counts in the next one.
  const next = rollOver(leaf, buckets, id, b, t);
  return next ? evaluate(ctx, leaf, buckets, id, next, event, arms) : NONE;
}

/**
 * An event covered by an event trigger (named in its `expect` or `after`, its resources
 * matching): arms, counts, fires. `arms` and `expected`
 * (whether the name matches `after` / `expect`) may be passed when the caller has matched them.
 */
export function bucketOnEvent(
  ctx: FiringContext,
  leaf: Leaf,
  buckets: Buckets,
  event: FlowtrailEvent,
  arms = leaf.trigger.after.length > 0 && nameMatches(leaf.trigger.after, event.event),
  expected = nameMatches(leaf.trigger.expect, event.event),
): readonly Firing[] {
  const { trigger, path } = leaf;
  const t = event.occurred.getTime();
  const id = bucketId(path, trigger.forEach, event);
  let b = buckets[id];
  // A proactive window that ended before this event: close it as the tick at its end would have.
  const out: Firing[] | undefined =
    trigger.posture === 'proactive' && b && b.end <= t
      ? closeProactiveWindow(ctx, leaf, buckets, id, t)
      : undefined;
  b = buckets[id];
  if (arms) {
    if (b && t < b.end) b.lastEvent = keptEvent(trigger, event);
    else {
      // No window, or one that ended unfired: this event arms a fresh one.
      b = {
        trigger: path,
        labels: bucketLabels(trigger.forEach, event),
        start: t,
        end: t + trigger.withinMs,
        count: expected ? -1 : 0,
        lastEvent: keptEvent(trigger, event),
      };
      buckets[id] = b;
    }
  } else if (!b && expected && trigger.after.length === 0) {
    b = {
      trigger: path,
      labels: bucketLabels(trigger.forEach, event),
      start: t - LOOKBACK_MS,
      end: t + trigger.withinMs,
      count: 0,
      lastEvent: null,
    };
    buckets[id] = b;
  }
  if (!expected || !b) return out ?? NONE;
  const fired = evaluate(ctx, leaf, buckets, id, b, event, arms);
  if (!out) return fired;
  out.push(...fired);
  return out;
}
