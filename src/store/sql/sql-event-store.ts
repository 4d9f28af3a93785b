/**
 * The event store over Kysely, one query module for every SQL dialect (same database as the
 * metadata store). Events live in `events`, one row each; every involved resource (the primary in
 * role '', then the related ones) gets a row in `event_links` keyed by resource id, so lookups by
 * resource id are key ranges (see `event-filter-sql.ts`). What differs between dialects comes from a
 * {@link SqlDialect} passed in by whoever opens the store: `sqlite/sqlite-dialect.ts`,
 * `postgres/postgres-dialect.ts`.
 *
 * Filters compile to SQL fragments with bound parameters only (`event-filter-sql.ts`). A query is
 * planned in one of two ways, chosen per call by cheap capped index counts:
 * - *driven*: when one criterion pins few candidate events (ids, resource ids, event names or
 *   prefixes within the time range), those candidates are fetched by seq and the rest of the
 *   filter checked on them;
 * - *time scan*: otherwise the `(occurred, seq, event)` index is walked in the requested order
 *   and each event checked, stopping at the page size.
 * Both return the same rows; the choice only changes speed. Related and any-resource criteria are
 * `EXISTS` probes: key lookups in `event_links` when they pin ids, else over the event's related
 * JSON; primary-resource labels are read from `events.resource` directly. Pages are keyset-paginated on
 * `(occurred, seq)`.
 *
 * Over 400 lines because it is one concept: the port's queries and their two plans share the
 * filter compilation, cursors and counts.
 */
import { type Kysely, sql } from 'kysely';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, WEEK_MS } from '../../core/duration.ts';
import { ValidationError } from '../../core/errors.ts';
import { checkPageLimit } from '../../events/event-page.ts';
import type { EventFilter } from '../../events/filter.ts';
import { type FlowtrailEvent, RESOURCE_ID, RESOURCE_NAME, type RelatedResource } from '../../events/model.ts';
import { validateFilter } from '../../events/validate-filter.ts';
import type {
  CountBy,
  EventCount,
  EventPage,
  EventStore,
  RetentionPolicy,
  TimeUnit,
} from '../event-store.ts';
import { and, type CompiledFilter, type Cond, compileFilter, E, type EventPlan } from './event-filter-sql.ts';
import { decodeEvent, EVENT_READ_COLUMNS, type EventRowOut } from './event-rows.ts';
import type { QueryCounter } from './query-counter.ts';
import type { Database } from './schema.ts';
import type { EventQueryPlanner, SqlDialect } from './sql-dialect.ts';

/** Fixed origin of time buckets: 2024-01-01T00:00:00Z (a Monday, so weeks start on Mondays). */
const BUCKET_ORIGIN = Date.UTC(2024, 0, 1);
/** Most buckets one count-by-time may return. */
const MAX_BUCKETS = 1000;
const MIN_TIME_INTERVAL = 0.01;

// Count-by-time units by name, sized from core/duration.ts's one unit table.
const UNIT_MS: Record<TimeUnit, number> = {
  second: SECOND_MS,
  minute: MINUTE_MS,
  hour: HOUR_MS,
  day: DAY_MS,
  week: WEEK_MS,
};

const RETENTION_BATCH = 2000;

// ---------------------------------------------------------------------------------------------
// Cursors

interface Cursor {
  occurred: number;
  seq: number;
  order: 'asc' | 'desc';
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify({ v: 1, o: c.occurred, s: c.seq, d: c.order })).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const p = parsed as { v?: unknown; o?: unknown; s?: unknown; d?: unknown } | undefined;
  if (
    typeof p !== 'object' ||
    p === null ||
    p.v !== 1 ||
    !Number.isSafeInteger(p.o) ||
    !Number.isSafeInteger(p.s) ||
    (p.d !== 'asc' && p.d !== 'desc')
  )
    throw new ValidationError(
      'cursor',
      'The page cursor is not one this store issued (corrupted or truncated). Pass back `nextCursor` exactly, or start again without a cursor.',
    );
  return { occurred: p.o as number, seq: p.s as number, order: p.d };
}

// ---------------------------------------------------------------------------------------------
// The store

/**
 * `EventStore` over a Kysely database with the `events` / `event_links` tables (migrations 3 and
 * 7, PostgreSQL 8),
 * in the given dialect.
 *
 * @example
 * const { metadata, events } = openSqliteStores('.flowtrail/flowtrail.db');
 * const page = await events.query({ event: { prefix: ['flowtrail.run.'] } }, { limit: 20 });
 */
export class SqlEventStore implements EventStore {
  /** Plan thresholds; tests set a cap to 0 (always scan) or Infinity (always drive). */
  readonly planner: EventQueryPlanner;

  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly dialect: SqlDialect,
    readonly location: string,
    private readonly counter?: QueryCounter,
    /** Called by `close()`; a store sharing its connection with the metadata store leaves it open. */
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.planner = { ...dialect.planner };
  }

  /** Statements sent so far (when a `QueryCounter` is wired to the database's `log`). */
  get queryCount(): number {
    return this.counter?.count ?? 0;
  }

  async append(events: readonly FlowtrailEvent[]): Promise<{ inserted: number }> {
    if (events.length === 0) return { inserted: 0 };
    const inserted = await this.db.transaction().execute((trx) => this.dialect.insertEvents(trx, events));
    return { inserted };
  }

  /**
   * Moves the text index forward by at most `maxEvents` events when the dialect keeps it behind
   * the appends (SQLite); returns how many were indexed (0: up to date, or PostgreSQL).
   */
  async indexText(maxEvents = 5000): Promise<number> {
    return this.dialect.indexText ? this.dialect.indexText(this.db, maxEvents) : 0;
  }

  /** The conditions of a plan: `conds`, less the one its driver meets by construction. */
  private where(plan: EventPlan, conds: readonly Cond[]): Cond {
    const covered = plan.kind === 'driven' ? plan.driver.covers : undefined;
    return and(conds.filter((c) => c !== covered));
  }

  /** `FROM events AS e WHERE …` of a plan. */
  private from(plan: EventPlan, conds: readonly Cond[], walkTimeIndex: boolean): Cond {
    return this.dialect.from(plan, this.where(plan, conds), walkTimeIndex);
  }

  /**
   * Picks the cheapest driver under `cap` candidates, or a time scan. A `wide` driver of a page
   * (`pageLimit` given) may have more: up to √(page size × stored events), where a scan that finds
   * its matches as often as the driver has candidates reads as many rows before the page is full
   * (so either plan reads at most ~2√(page × events) rows); of a count, up to the count cap.
   */
  private async plan(c: CompiledFilter, pageCap: number, pageLimit?: number): Promise<EventPlan> {
    let best: { driver: EventPlan & { kind: 'driven' }; size: number } | undefined;
    let wideCap: number | undefined;
    for (const driver of c.drivers) {
      let cap = pageCap;
      if (driver.wide && pageCap > 0 && pageLimit !== undefined) {
        wideCap ??= Math.ceil(Math.sqrt((pageLimit + 1) * (await this.storedEventsEstimate())));
        cap = Math.max(pageCap, wideCap);
      }
      if (cap <= 0) continue;
      let size = driver.size;
      if (size === undefined) {
        // Counting stops at the cap, or at the best candidate count so far: estimates stay cheap.
        const limit = Math.min(best?.size ?? cap, cap, Number.MAX_SAFE_INTEGER);
        const row = await sql<{ n: number }>`${this.dialect.candidateCount(driver, limit)}`.execute(this.db);
        size = Number(row.rows[0]?.n ?? limit);
        if (size >= limit) continue;
      }
      if (size < cap && (!best || size < best.size)) best = { driver: { kind: 'driven', driver }, size };
    }
    return best ? best.driver : { kind: 'scan' };
  }

  /** About how many events are stored (the seq range: two index lookups, one aggregate each). */
  private async storedEventsEstimate(): Promise<number> {
    const r = await sql<{
      n: number | null;
    }>`SELECT (SELECT max(seq) FROM events) - (SELECT min(seq) FROM events) + 1 AS n`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0);
  }

  async query(filter: EventFilter, page: { limit?: number; cursor?: string } = {}): Promise<EventPage> {
    const f = validateFilter(filter);
    const limit = checkPageLimit(page.limit);
    let order = f.order ?? 'desc';
    const c = compileFilter(this.dialect, f, true);
    const conds = [...c.conds];
    if (page.cursor !== undefined) {
      const cur = decodeCursor(page.cursor);
      if (f.order !== undefined && f.order !== cur.order)
        throw new ValidationError(
          'cursor',
          `The cursor continues a '${cur.order}' listing but the filter asks for '${f.order}'. Keep the filter of the first page.`,
        );
      order = cur.order;
      conds.push(
        order === 'desc'
          ? sql`(${E.occurred}, ${E.seq}) < (${cur.occurred}, ${cur.seq})`
          : sql`(${E.occurred}, ${E.seq}) > (${cur.occurred}, ${cur.seq})`,
      );
    }
    const plan = await this.plan(c, this.planner.driveCap, limit);
    const dir = sql.raw(order === 'desc' ? 'DESC' : 'ASC');
    const fields = sql.raw(EVENT_READ_COLUMNS.map((col) => `e.${col}`).join(', '));
    const result =
      await sql<EventRowOut>`${this.dialect.page(fields, plan, this.where(plan, conds), dir, limit + 1)}`.execute(
        this.db,
      );
    const rows = result.rows;
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const last = shown[shown.length - 1];
    return {
      events: shown.map(decodeEvent),
      nextCursor:
        more && last ? encodeCursor({ occurred: Number(last.occurred), seq: Number(last.seq), order }) : null,
    };
  }

  async total(filter: EventFilter): Promise<number> {
    const c = compileFilter(this.dialect, validateFilter(filter), false);
    const plan = await this.plan(c, this.planner.countDriveCap);
    const r = await sql<{
      n: number;
    }>`SELECT count(*) AS n ${this.from(plan, c.conds, true)}`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0);
  }

  async count(
    filter: EventFilter,
    by: CountBy,
    options: { timeUnit?: TimeUnit; timeInterval?: number } = {},
  ): Promise<EventCount[]> {
    const f = validateFilter(filter);
    if (by === 'time') return this.countByTime(f, options);
    if (by !== 'event' && by !== 'resource')
      throw new ValidationError('by', `Cannot count by '${String(by)}'; use 'event', 'resource' or 'time'.`);
    const c = compileFilter(this.dialect, f, false);
    const plan = await this.plan(c, this.planner.countDriveCap);
    const from = this.from(plan, c.conds, false);
    const key = by === 'event' ? E.event : E.resourceId;
    const r = await sql<{ k: string; n: number; lo: number; hi: number }>`
      SELECT ${key} AS k, count(*) AS n, min(${E.occurred}) AS lo, max(${E.occurred}) AS hi ${from}
      GROUP BY ${key}`.execute(this.db);
    let label = (k: string): string => k;
    if (by === 'resource') {
      const names = await sql<{ k: string; name: string | null }>`${this.dialect.resourceNames(
        from,
        this.dialect.labelValue(E.resource, RESOURCE_NAME),
      )}`.execute(this.db);
      const named = new Map(names.rows.map((x) => [x.k, x.name]));
      label = (k) => named.get(k) || k;
    }
    return sortCounts(
      r.rows.map((x) => ({
        value: x.k,
        label: label(x.k),
        count: Number(x.n),
        startTime: new Date(Number(x.lo)),
        endTime: new Date(Number(x.hi)),
      })),
    );
  }

  private async countByTime(
    f: EventFilter,
    options: { timeUnit?: TimeUnit; timeInterval?: number },
  ): Promise<EventCount[]> {
    const unit = options.timeUnit ?? 'day';
    const interval = options.timeInterval ?? 1;
    if (!Object.hasOwn(UNIT_MS, unit))
      throw new ValidationError(
        'timeUnit',
        `Unknown time unit '${String(unit)}'; use one of ${Object.keys(UNIT_MS).join(', ')}.`,
      );
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < MIN_TIME_INTERVAL)
      throw new ValidationError(
        'timeInterval',
        `The time interval must be a number of ${unit}s of at least ${MIN_TIME_INTERVAL}, got ${interval}.`,
      );
    const size = Math.max(1, Math.round(UNIT_MS[unit] * interval));
    const until = f.until?.getTime() ?? Date.now();
    let since = f.since?.getTime();
    if (since === undefined) {
      // No start given: from the first matching event.
      const first = await this.query({ ...f, until: new Date(until), order: 'asc' }, { limit: 1 });
      if (first.events.length === 0) return [];
      since = first.events[0]!.occurred.getTime();
    }
    if (since > until) return [];
    const start = BUCKET_ORIGIN + Math.floor((since - BUCKET_ORIGIN) / size) * size;
    const n = Math.floor((until - start) / size) + 1;
    if (n > MAX_BUCKETS)
      throw new ValidationError(
        'timeInterval',
        `Counting ${unit}s × ${interval} from ${new Date(since).toISOString()} to ${new Date(until).toISOString()} makes ${n} buckets; at most ${MAX_BUCKETS} are allowed. Use a larger unit or interval, or a shorter range.`,
        { buckets: n, limit: MAX_BUCKETS },
      );
    const c = compileFilter(this.dialect, { ...f, since: new Date(since), until: new Date(until) }, false);
    const plan = await this.plan(c, this.planner.countDriveCap);
    const r = await sql<{ i: number; n: number }>`${this.dialect.bucketCounts(
      plan,
      this.where(plan, c.conds),
      {
        start,
        size,
        n,
        since,
        until,
      },
    )}`.execute(this.db);
    const counts = new Map(r.rows.map((x) => [Number(x.i), Number(x.n)]));
    const out: EventCount[] = [];
    for (let i = 0; i < n; i++) {
      const lo = start + i * size;
      out.push({
        value: String(i),
        label: new Date(lo).toISOString(),
        count: counts.get(i) ?? 0,
        startTime: new Date(lo),
        endTime: new Date(lo + size - 1),
      });
    }
    return out;
  }

  async readAfter(position: number, limit = 500): Promise<{ events: FlowtrailEvent[]; position: number }> {
    if (!Number.isSafeInteger(position) || position < 0)
      throw new ValidationError('position', `A position is a whole number ≥ 0, got ${position}.`);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
      throw new ValidationError(
        'limit',
        `readAfter's limit must be a whole number from 1 to 10000, got ${limit}.`,
      );
    // Sound only because every dialect commits seqs in order (see its `insertEvents`).
    const rows = await this.db
      .selectFrom('events')
      .select(EVENT_READ_COLUMNS)
      .where('seq', '>', position)
      .orderBy('seq')
      .limit(limit)
      .execute();
    const last = rows[rows.length - 1];
    return { events: rows.map(decodeEvent), position: last ? Number(last.seq) : position };
  }

  async headPosition(): Promise<number> {
    const row = await this.db
      .selectFrom('events')
      .select((eb) => eb.fn.max('seq').as('head'))
      .executeTakeFirst();
    return Number(row?.head ?? 0);
  }

  async applyRetention(policy: RetentionPolicy, now: Date = new Date()): Promise<{ deleted: number }> {
    const period = (value: unknown, field: string): number => {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        throw new ValidationError(
          field,
          `A retention period is a number of milliseconds ≥ 0, got ${String(value)}.`,
        );
      return value;
    };
    const global = period(policy.retentionMs, 'retentionMs');
    const at = now.getTime();
    let deleted = 0;
    for (const [name, ms] of Object.entries(policy.overrides ?? {})) {
      const cutoff = at - Math.min(period(ms, `overrides[${JSON.stringify(name)}]`), global);
      deleted += await this.deleteInBatches(cutoff, name);
    }
    deleted += await this.deleteInBatches(at - global);
    return { deleted };
  }

  /** Deletes events older than `cutoff` (of one name, when given) with their links, a batch per transaction. */
  private async deleteInBatches(cutoff: number, name?: string): Promise<number> {
    let deleted = 0;
    for (;;) {
      const n = await this.db.transaction().execute(async (trx) => {
        let q = trx
          .selectFrom('events')
          .select(['seq', 'occurred', 'resource_id', 'related'])
          .where('occurred', '<', cutoff);
        if (name !== undefined) q = q.where('event', '=', name);
        const rows = await q.limit(RETENTION_BATCH).execute();
        if (rows.length === 0) return 0;
        const seqs = rows.map((r) => Number(r.seq));
        // Links are keyed by resource id: delete each event's own, from its resource ids.
        const ids = new Set<string>();
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (const r of rows) {
          ids.add(r.resource_id);
          for (const rel of JSON.parse(r.related) as RelatedResource[]) ids.add(rel[RESOURCE_ID]);
          lo = Math.min(lo, Number(r.occurred));
          hi = Math.max(hi, Number(r.occurred));
        }
        const all = [...ids];
        for (let i = 0; i < all.length; i += RETENTION_BATCH)
          await trx
            .deleteFrom('event_links')
            .where('resource_id', 'in', all.slice(i, i + RETENTION_BATCH))
            .where('occurred', '>=', lo)
            .where('occurred', '<=', hi)
            .where('event_seq', 'in', seqs)
            .execute();
        await trx.deleteFrom('events').where('seq', 'in', seqs).execute();
        await this.dialect.eventsDeleted?.(trx, seqs);
        return seqs.length;
      });
      deleted += n;
      if (n < RETENTION_BATCH) return deleted;
    }
  }

  async close(): Promise<void> {
    await this.onClose();
  }
}

function sortCounts(rows: EventCount[]): EventCount[] {
  return rows.sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}
