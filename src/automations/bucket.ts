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
import { bucketKey, bucketLabels, nameMatches } from './trigger-match.ts';
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

/** Counts an expected event in a bucket and decides whether the trigger fires. */
function evaluate(
  ctx: FiringContext,
  leaf: Leaf,
  buckets: Buckets,
  id: string,
  b: BucketState,
  event: FlowtrailEvent,
  arms: boolean,
): Firing[] {
  const { trigger } = leaf;
  const t = event.occurred.getTime();
  // Before the window: a late straggler, or inside the cool-down after a firing.
  if (t < b.start) return [];
  const json = eventToJSON(event);
  const inWindow = immediate(trigger) || t < b.end;
  if (inWindow) {
    b.count++;
    b.lastEvent = json;
  }
  if (trigger.posture === 'reactive' && b.count >= trigger.threshold) {
    const firing = leafFiring(ctx, leaf, b, t, json, event.id);
    rollOver(leaf, buckets, id, b, t);
    return [firing];
  }
  if (inWindow) {
    if (trigger.posture === 'proactive' && arms)
      buckets[id] = { ...b, start: t, end: t + trigger.withinMs, count: 0, lastEvent: json };
    return [];
  }
  // A reactive event beyond the window: the window is over, the event counts in the next one.
  const next = rollOver(leaf, buckets, id, b, t);
  return next ? evaluate(ctx, leaf, buckets, id, next, event, arms) : [];
}

/** An event covered by an event trigger (see `covers`): arms, counts, fires. */
export function bucketOnEvent(
  ctx: FiringContext,
  leaf: Leaf,
  buckets: Buckets,
  event: FlowtrailEvent,
): Firing[] {
  const { trigger, path } = leaf;
  const t = event.occurred.getTime();
  const labels = bucketLabels(trigger.forEach, event);
  const id = `${path} ${bucketKey(labels)}`;
  const out: Firing[] = [];
  // A proactive window that ended before this event: close it as the tick at its end would have.
  if (trigger.posture === 'proactive' && buckets[id] && buckets[id].end <= t)
    out.push(...closeProactiveWindow(ctx, leaf, buckets, id, t));
  let b = buckets[id];
  const arms = trigger.after.length > 0 && nameMatches(trigger.after, event.event);
  const expected = nameMatches(trigger.expect, event.event);
  if (arms) {
    if (b && t < b.end) b.lastEvent = eventToJSON(event);
    else {
      // No window, or one that ended unfired: this event arms a fresh one.
      b = {
        trigger: path,
        labels,
        start: t,
        end: t + trigger.withinMs,
        count: expected ? -1 : 0,
        lastEvent: eventToJSON(event),
      };
      buckets[id] = b;
    }
  } else if (!b && expected && trigger.after.length === 0) {
    b = {
      trigger: path,
      labels,
      start: t - LOOKBACK_MS,
      end: t + trigger.withinMs,
      count: 0,
      lastEvent: null,
    };
    buckets[id] = b;
  }
  if (expected && b) out.push(...evaluate(ctx, leaf, buckets, id, b, event, arms));
  return out;
}
