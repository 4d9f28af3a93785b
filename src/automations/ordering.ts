/**
 * Event order for the engine, before any automation sees an event: duplicates (the same id again)
 * are dropped, and an event whose `follows` leader has not been seen yet waits until the leader
 * comes, then follows it (followers of one leader in `occurred` order, chains up to
 * {@link MAX_FOLLOW_DEPTH} deep). A follower whose leader never comes is released
 * {@link PARK_MS} after it arrived; an event received that long ago does not wait at all.
 * Plain JSON state, like the trigger state, kept once per engine (not per automation).
 */
import { MINUTE_MS } from '../core/duration.ts';
import type { FlowtrailEvent } from '../events/model.ts';
import { type EventJSON, eventFromJSON, eventToJSON } from './event-json.ts';
import { rememberSeen } from './trigger-state.ts';

/** How long a follower waits for its leader. */
export const PARK_MS = 15 * MINUTE_MS;
/** Deepest chain of followers released by one leader at once; deeper ones wait for their release. */
export const MAX_FOLLOW_DEPTH = 20;

export interface OrderingState {
  version: 1;
  /** Ids of events let through → when (engine clock); bounded like an automation's seen set. */
  seen: Record<string, number>;
  /** Followers waiting, with when they were parked. */
  parked: { event: EventJSON; parkedAt: number }[];
}

export const emptyOrdering = (): OrderingState => ({ version: 1, seen: {}, parked: [] });

function letThrough(
  state: OrderingState,
  event: FlowtrailEvent,
  now: number,
  out: FlowtrailEvent[],
  depth: number,
): void {
  rememberSeen(state.seen, event.id, now);
  out.push(event);
  if (depth >= MAX_FOLLOW_DEPTH || state.parked.length === 0) return;
  const followers = state.parked
    .filter((p) => p.event.follows === event.id)
    .sort((a, b) => Date.parse(a.event.occurred) - Date.parse(b.event.occurred));
  if (followers.length === 0) return;
  state.parked = state.parked.filter((p) => p.event.follows !== event.id);
  for (const f of followers) letThrough(state, eventFromJSON(f.event), now, out, depth + 1);
}

/**
 * Admits one event from the feed: returns the events now ready for evaluation, in order — none
 * (a duplicate, or a follower parked), the event, or the event and the followers it releases.
 *
 * @example
 * const { ready } = admitEvent(ordering, event, Date.now());
 * for (const e of ready) onEvent(state, automation, e, Date.now());
 */
export function admitEvent(
  state: OrderingState,
  event: FlowtrailEvent,
  now: number,
): { state: OrderingState; ready: FlowtrailEvent[] } {
  if (Object.hasOwn(state.seen, event.id) || state.parked.some((p) => p.event.id === event.id))
    return { state, ready: [] };
  const leader = event.follows;
  const waits =
    leader !== null &&
    leader !== event.id &&
    !Object.hasOwn(state.seen, leader) &&
    now - event.received.getTime() < PARK_MS;
  if (waits) {
    state.parked.push({ event: eventToJSON(event), parkedAt: now });
    return { state, ready: [] };
  }
  const ready: FlowtrailEvent[] = [];
  letThrough(state, event, now, ready, 0);
  return { state, ready };
}

/** Releases the followers that waited {@link PARK_MS} for a leader that never came, oldest first. */
export function releaseParked(
  state: OrderingState,
  now: number,
): { state: OrderingState; ready: FlowtrailEvent[] } {
  const expired = state.parked
    .filter((p) => now - p.parkedAt >= PARK_MS)
    .sort((a, b) => Date.parse(a.event.occurred) - Date.parse(b.event.occurred));
  if (expired.length === 0) return { state, ready: [] };
  const ids = new Set(expired.map((p) => p.event.id));
  state.parked = state.parked.filter((p) => !ids.has(p.event.id));
  const ready: FlowtrailEvent[] = [];
  for (const p of expired)
    if (!Object.hasOwn(state.seen, p.event.id)) letThrough(state, eventFromJSON(p.event), now, ready, 0);
  return { state, ready };
}

/** When the next parked follower is due for release (ms), or null when none waits. */
export function nextRelease(state: OrderingState): number | null {
  let next: number | null = null;
  for (const p of state.parked) if (next === null || p.parkedAt + PARK_MS < next) next = p.parkedAt + PARK_MS;
  return next;
}
