/**
 * The durable state of one automation's trigger, and the firings it produces: plain JSON data, so
 * the engine can store it as it is (SQLite or PostgreSQL) and evaluation stays a function of
 * (state, automation, input). `parseState` checks a stored state before use.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../core/errors.ts';
import { isPlainObject } from '../events/describe-value.ts';
import type { EventJSON } from './event-json.ts';

/** One counting window of an event trigger, for one `forEach` key. */
export interface BucketState {
  /** The trigger's path in its automation (`trigger.triggers[0]`). */
  trigger: string;
  /** The `forEach` label values of this bucket. */
  labels: Record<string, string>;
  /** The window [start, end), in ms of event time (`occurred`). */
  start: number;
  end: number;
  /** Expected events counted in the window (−1 while an arming event that is also expected is counted). */
  count: number;
  /** The latest event counted or arming the window (a proactive firing reports it). */
  lastEvent: EventJSON | null;
}

/** What a composite trigger has collected for one `forEach` key: the latest firing of each child. */
export interface CompositeState {
  trigger: string;
  labels: Record<string, string>;
  children: { index: number; firing: Firing }[];
}

export interface TriggerState {
  version: 1;
  /** By trigger path and bucket key. */
  buckets: Record<string, BucketState>;
  /** By composite trigger path and key. */
  composites: Record<string, CompositeState>;
  /**
   * Ids of the events this automation has counted → when (engine clock, ms); a redelivered event
   * is never counted twice. Bounded: {@link SEEN_LIMIT} entries and {@link SEEN_TTL_MS}.
   */
  seen: Record<string, number>;
}

/** A trigger firing: the root trigger's go to the actions, a child's to its composite parent. */
export interface Firing {
  /** Deterministic: the same input always gives the same id (the engine's idempotency key). */
  id: string;
  automation: string;
  /** The path of the trigger that fired. */
  trigger: string;
  /** When the firing was decided (engine clock, ms). */
  triggered: number;
  /** Event time of the firing: its event's `occurred`, or the deadline of a proactive window. */
  at: number;
  labels: Record<string, string>;
  /** The triggering event: the one counted last, or (proactive) the window's last event; null if none. */
  event: EventJSON | null;
  /** A composite's child firings, in time order. */
  children: Firing[];
}

/** The most event ids remembered per automation. */
export const SEEN_LIMIT = 10_000;
/** How long an event id is remembered (redeliveries come back within minutes). */
export const SEEN_TTL_MS = 30 * 60_000;

/**
 * What this process knows of each seen set it has updated (derived, never stored): its ids in
 * insertion order, so pruning never enumerates the object (a large object's keys are slow to list),
 * and when it was last pruned.
 */
const seenIndex = new WeakMap<Record<string, number>, { order: string[]; prunedAt: number }>();

/**
 * Records an event id in a seen set. Ids older than {@link SEEN_TTL_MS}, and the oldest beyond
 * {@link SEEN_LIMIT}, are forgotten in batches (when the set has grown 10% over the limit, or a
 * tenth of the TTL has passed since the last batch), so remembering costs O(1) amortized; the set
 * never holds more than 1.1 × the limit.
 */
export function rememberSeen(seen: Record<string, number>, id: string, now: number): void {
  let index = seenIndex.get(seen);
  if (!index) {
    // Insertion order is processing order (event ids are never array-index keys).
    index = { order: Object.keys(seen), prunedAt: now };
    seenIndex.set(seen, index);
  }
  if (!Object.hasOwn(seen, id)) index.order.push(id);
  seen[id] = now;
  const { order } = index;
  if (order.length <= SEEN_LIMIT * 1.1 && now - index.prunedAt < SEEN_TTL_MS / 10) return;
  const dropped = Math.max(0, order.length - SEEN_LIMIT);
  for (let i = 0; i < dropped; i++) delete seen[order[i]!];
  const kept: string[] = [];
  for (let i = dropped; i < order.length; i++) {
    const seenId = order[i]!;
    if (seen[seenId]! < now - SEEN_TTL_MS) delete seen[seenId];
    else kept.push(seenId);
  }
  index.order = kept;
  index.prunedAt = now;
}

export const emptyState = (): TriggerState => ({ version: 1, buckets: {}, composites: {}, seen: {} });

/** A stable id from the parts that make a firing unique. */
export function firingId(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** The state as JSON text. */
export const serializeState = (state: TriggerState): string => JSON.stringify(state);

/**
 * A stored state read back (JSON text or an already-parsed object).
 *
 * @throws ValidationError on field `state` when it is not a trigger state of this version.
 */
export function parseState(stored: string | unknown): TriggerState {
  const value: unknown = typeof stored === 'string' ? JSON.parse(stored) : stored;
  if (
    !isPlainObject(value) ||
    value.version !== 1 ||
    !isPlainObject(value.buckets) ||
    !isPlainObject(value.composites) ||
    !isPlainObject(value.seen)
  )
    throw new ValidationError(
      'state',
      'The stored trigger state is not a version 1 state {version, buckets, composites, seen}; reset it with a new empty state.',
    );
  for (const [key, b] of Object.entries(value.buckets))
    if (
      !isPlainObject(b) ||
      typeof b.trigger !== 'string' ||
      !Number.isFinite(b.start) ||
      !Number.isFinite(b.end) ||
      !Number.isFinite(b.count)
    )
      throw new ValidationError(`state.buckets[${JSON.stringify(key)}]`, 'A stored bucket is malformed.');
  return value as unknown as TriggerState;
}
