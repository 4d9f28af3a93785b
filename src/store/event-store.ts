/**
 * The `EventStore` port: append (deduplicated by id), query with an `EventFilter` and cursor pages,
 * count, read in arrival order (for live subscriptions), and apply retention. Adapters: `sql/`
 * (SQLite and PostgreSQL), `http/`; each passes `test/conformance/event-store.ts`.
 */
import type { EventFilter } from '../events/filter.ts';
import type { FlowtrailEvent } from '../events/model.ts';

export interface EventPage {
  events: FlowtrailEvent[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export type CountBy = 'event' | 'resource' | 'time';
export type TimeUnit = 'second' | 'minute' | 'hour' | 'day' | 'week';

export interface EventCount {
  /** The event name, resource id, or bucket index. */
  value: string;
  /** Display label (the resource's `flowtrail.resource.name` when it has one). */
  label: string;
  count: number;
  /** For time buckets: the bucket's bounds; otherwise the first and last occurrence. */
  startTime: Date;
  endTime: Date;
}

export interface RetentionPolicy {
  /** Events older than this are removed (ms). */
  retentionMs: number;
  /** Per event name, a shorter (or longer, capped by `retentionMs`) period. */
  overrides?: Readonly<Record<string, number>>;
}

export interface EventStore {
  readonly location: string;
  /** Stores validated events; an id already stored is skipped. Returns how many were new. */
  append(events: readonly FlowtrailEvent[]): Promise<{ inserted: number }>;
  /**
   * One page of matching events (default limit 50, max 500), ordered by occurred then arrival.
   * Pages are keyset-based: following `nextCursor` yields every match exactly once, even while
   * new events arrive. A bad limit or cursor is a `ValidationError`.
   */
  query(filter: EventFilter, page?: { limit?: number; cursor?: string }): Promise<EventPage>;
  /** Total number of matching events. */
  total(filter: EventFilter): Promise<number>;
  /**
   * Counts by event name, by primary resource, or by time bucket (`timeUnit` × `timeInterval`,
   * aligned to a fixed origin, zero-filled across the filter's since..until).
   */
  count(
    filter: EventFilter,
    by: CountBy,
    options?: { timeUnit?: TimeUnit; timeInterval?: number },
  ): Promise<EventCount[]>;
  /**
   * Events in arrival order after a position (for tailing); `position` 0 is the start. Positions
   * increase with arrival but may skip numbers; pass back the returned `position`.
   */
  readAfter(position: number, limit?: number): Promise<{ events: FlowtrailEvent[]; position: number }>;
  /** The position of the newest stored event (0 when empty). */
  headPosition(): Promise<number>;
  /**
   * Moves a text index kept behind the appends forward by at most `maxEvents` events (default
   * 5,000); returns how many it indexed (0: up to date). Absent, or always 0, where the database
   * indexes as it writes. Queries are exact either way; only their speed depends on it.
   */
  indexText?(maxEvents?: number): Promise<number>;
  /** Removes events (and their resource rows) older than the policy allows. */
  applyRetention(policy: RetentionPolicy, now?: Date): Promise<{ deleted: number }>;
  close(): Promise<void>;
}
