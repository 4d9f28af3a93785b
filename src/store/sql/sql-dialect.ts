/**
 * The one dialect object per SQL database that the shared (dialect-neutral) stores receive.
 */
import type { Kysely, Transaction } from 'kysely';
import type { FlowtrailEvent } from '../../events/model.ts';
import type { Cond, Driver, EventFilterDialect, EventPlan } from './event-filter-sql.ts';
import type { Database } from './schema.ts';

/** How `SqlEventStore` picks between a driven query and a time scan. */
export interface EventQueryPlanner {
  /**
   * A criterion pinning fewer candidate events than this (within the time range) drives a page
   * query; above it, walking the time index and checking each event finds a page sooner.
   */
  driveCap: number;
  /** The same for totals and counts, which visit every match either way. */
  countDriveCap: number;
}

/** The time buckets of one count: `n` buckets of `size` ms from `start`, clipped to since..until. */
export interface Buckets {
  start: number;
  size: number;
  n: number;
  since: number;
  until: number;
}

/**
 * Everything the shared stores need from one SQL database beyond what Kysely compiles: the event
 * query hooks (on top of the filter compiler's) and the event insert, which the event store and the
 * metadata store (lifecycle events inside its transactions) both call. One object per database:
 * `sqliteDialect` (`sqlite/sqlite-dialect.ts`), `postgresDialect` (`postgres/postgres-dialect.ts`).
 * The shared stores never pick one themselves: whoever opens them passes it in.
 */
export interface SqlDialect extends EventFilterDialect {
  /** Default plan thresholds. */
  readonly planner: EventQueryPlanner;
  /** Rows `(n)`: how many candidates a driver has, counting no further than `limit`. */
  candidateCount(driver: Driver, limit: number): Cond;
  /**
   * `FROM events AS e WHERE …` for a plan (`where` is ANDed in). `walkTimeIndex`: a scan should
   * walk the `(occurred, seq)` index (pages, totals) rather than whatever the dialect prefers.
   */
  from(plan: EventPlan, where: Cond, walkTimeIndex: boolean): Cond;
  /**
   * The page statement: `fields` of the first `limit` events matching `where` under a plan, in
   * `(occurred, seq)` order (`dir` is ASC or DESC).
   */
  page(fields: Cond, plan: EventPlan, where: Cond, dir: Cond, limit: number): Cond;
  /** Rows `(i, n)`: how many events matching `where` fall in bucket `i` (missing buckets are 0). */
  bucketCounts(plan: EventPlan, where: Cond, buckets: Buckets): Cond;
  /** Rows `(k, name)`: each primary resource id in `from`, with `name` on its newest event there. */
  resourceNames(from: Cond, name: Cond): Cond;
  /**
   * Inserts validated events in the caller's transaction, skipping ids already stored or repeated
   * (the first copy wins), so that seqs become visible in order to readers tailing by seq. Returns
   * how many events were new. See the dialect's `…-event-insert.ts`.
   */
  insertEvents(trx: Transaction<Database>, events: readonly FlowtrailEvent[]): Promise<number>;
  /**
   * Brings a text index the dialect keeps behind the appends up to date by at most `maxEvents`
   * events; returns how many it indexed (0: up to date). Absent when the database keeps its
   * indexes itself.
   */
  indexText?(db: Kysely<Database>, maxEvents: number): Promise<number>;
  /** Called in the transaction that deleted events `seqs` (retention), for what the database does not keep itself. */
  eventsDeleted?(trx: Transaction<Database>, seqs: readonly number[]): Promise<void>;
}
