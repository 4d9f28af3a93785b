/**
 * The event store over Kysely (same database as the metadata store). Events live in `events`, one
 * row each; every involved resource (primary at `pos` 0, then the related ones) gets a row in
 * `event_resources`, so label, related and any-resource filters are indexed lookups.
 *
 * Filters compile to SQL fragments with bound parameters only. A query is planned in one of two
 * ways, chosen per call by cheap capped index counts:
 * - *driven*: when one criterion pins few candidate events (ids, resource ids, event names or
 *   prefixes within the time range), those candidates are fetched by rowid and the rest of the
 *   filter checked on them;
 * - *time scan*: otherwise the `(occurred, seq, event)` index is walked in the requested order
 *   (name filters checked in the index itself) and each event checked, stopping at the page size.
 * Both return the same rows; the choice only changes speed. Related and any-resource criteria are
 * `EXISTS` probes on the event's own `event_resources` rows (primary key `(event_seq, pos)`);
 * primary-resource labels are read from `events.resource` directly. Time counts are one index
 * range count per bucket. Pages are keyset-paginated on `(occurred, seq)`.
 */
import { CompiledQuery, type Kysely, type RawBuilder, type Selectable, sql, type Transaction } from 'kysely';
import { ValidationError } from '../../core/errors.ts';
import type { EventFilter, LabelSpec, RelatedFilter, ResourceFilter } from '../../events/filter.ts';
import {
  asList,
  globLiteral,
  globToSqlite,
  parseLabelPattern,
  parseTextQuery,
  patternList,
  relatedHasCriteria,
  relatedNeedsRelated,
} from '../../events/match.ts';
import { type FlowtrailEvent, RESOURCE_ID, RESOURCE_NAME } from '../../events/model.ts';
import { validateFilter } from '../../events/validate.ts';
import type {
  CountBy,
  EventCount,
  EventPage,
  EventStore,
  RetentionPolicy,
  TimeUnit,
} from '../event-store.ts';
import { encodeEvent, resourceRows } from './event-rows.ts';
import type { Database, EventResourcesTable, EventsTable } from './schema.ts';
import type { QueryCounter } from './sql-metadata-store.ts';

type Db = Kysely<Database> | Transaction<Database>;
type Cond = RawBuilder<unknown>;

/** Default and largest page sizes of `query`. */
export const EVENT_PAGE_DEFAULT = 50;
export const EVENT_PAGE_MAX = 500;
/** Fixed origin of time buckets: 2024-01-01T00:00:00Z (a Monday, so weeks start on Mondays). */
export const BUCKET_ORIGIN = Date.UTC(2024, 0, 1);
/** Most buckets one count-by-time may return. */
export const MAX_BUCKETS = 1000;
export const MIN_TIME_INTERVAL = 0.01;

const UNIT_MS: Record<TimeUnit, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

// Rows per multi-row INSERT, well under SQLite's 32,766 bound variables.
const EVENT_ROWS_PER_INSERT = 500; // 10 columns
const RESOURCE_ROWS_PER_INSERT = 1000; // 6 columns
const RETENTION_BATCH = 2000;

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

// ---------------------------------------------------------------------------------------------
// Rows

/** What reading an event needs (not the search text). */
type EventRowOut = Omit<Selectable<EventsTable>, 'search' | 'resource_id'>;
const EVENT_FIELDS = sql.raw(
  ['seq', 'id', 'occurred', 'event', 'follows', 'received', 'resource', 'related', 'payload']
    .map((c) => `e.${c}`)
    .join(', '),
);

function toEvent(r: EventRowOut): FlowtrailEvent {
  return {
    id: r.id,
    occurred: new Date(Number(r.occurred)),
    event: r.event,
    resource: JSON.parse(r.resource),
    related: JSON.parse(r.related),
    payload: JSON.parse(r.payload),
    follows: r.follows,
    received: new Date(Number(r.received)),
  };
}

const EVENT_COLUMNS = [
  'id',
  'occurred',
  'event',
  'resource_id',
  'follows',
  'received',
  'resource',
  'related',
  'payload',
  'search',
] as const;
const RESOURCE_COLUMNS = ['event_seq', 'pos', 'occurred', 'resource_id', 'role', 'labels'] as const;

/**
 * Multi-row INSERT texts by row count. The text is built from the fixed column lists only; every
 * value is a bound parameter. Built once per size: at ingest rates, compiling a query builder for
 * each batch costs as much as SQLite's own work.
 */
const insertTexts = new Map<string, string>();
function insertText(table: 'events' | 'event_resources', rows: number): string {
  const key = `${table}:${rows}`;
  let text = insertTexts.get(key);
  if (text === undefined) {
    const columns = table === 'events' ? EVENT_COLUMNS : RESOURCE_COLUMNS;
    const row = `(${columns.map(() => '?').join(', ')})`;
    text = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(rows).fill(row).join(', ')}`;
    if (table === 'events') text += ' ON CONFLICT (id) DO NOTHING RETURNING seq, id';
    insertTexts.set(key, text);
  }
  return text;
}

/**
 * Inserts validated events on `db` (inside the caller's transaction when given one, so lifecycle
 * events commit with the state they report; otherwise in a transaction of its own). Ids already
 * stored, or repeated in `events`, are skipped (the first copy wins); resource rows are written
 * only for new events. Returns how many events were new.
 */
export async function insertEvents(db: Db, events: readonly FlowtrailEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  if (!db.isTransaction) return db.transaction().execute((trx) => insertEvents(trx, events));
  const byId = new Map<string, FlowtrailEvent>();
  for (const e of events) if (!byId.has(e.id)) byId.set(e.id, e);
  const unique = [...byId.values()];
  let inserted = 0;
  for (let i = 0; i < unique.length; i += EVENT_ROWS_PER_INSERT) {
    const part = unique.slice(i, i + EVENT_ROWS_PER_INSERT);
    const params: unknown[] = [];
    const labels = new Map<string, string[]>();
    for (const e of part) {
      const encoded = encodeEvent(e);
      for (const c of EVENT_COLUMNS) params.push(encoded.row[c]);
      labels.set(e.id, encoded.labels);
    }
    const { rows } = await db.executeQuery<{ seq: number; id: string }>(
      CompiledQuery.raw(insertText('events', part.length), params),
    );
    if (rows.length === 0) continue;
    inserted += rows.length;
    const resources: EventResourcesTable[] = [];
    for (const row of rows)
      resources.push(...resourceRows(Number(row.seq), byId.get(row.id)!, labels.get(row.id)!));
    for (let j = 0; j < resources.length; j += RESOURCE_ROWS_PER_INSERT) {
      const chunk = resources.slice(j, j + RESOURCE_ROWS_PER_INSERT);
      const values: unknown[] = [];
      for (const r of chunk) for (const c of RESOURCE_COLUMNS) values.push(r[c]);
      await db.executeQuery(CompiledQuery.raw(insertText('event_resources', chunk.length), values));
    }
  }
  return inserted;
}

// ---------------------------------------------------------------------------------------------
// Filter compilation

/**
 * The smallest string greater than every string starting with `prefix` (by code point, which is
 * SQLite's byte order on UTF-8), or null when there is none.
 */
export function prefixUpperBound(prefix: string): string | null {
  const cps = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (cps.length > 0 && cps[cps.length - 1] === 0x10ffff) cps.pop();
  if (cps.length === 0) return null;
  let last = cps[cps.length - 1]! + 1;
  if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
  cps[cps.length - 1] = last;
  return String.fromCodePoint(...cps);
}

const and = (conds: readonly Cond[]): Cond =>
  conds.length === 0 ? sql`1` : sql`(${sql.join(conds, sql` AND `)})`;
const or = (conds: readonly Cond[]): Cond =>
  conds.length === 0 ? sql`0` : sql`(${sql.join(conds, sql` OR `)})`;
const list = (values: readonly unknown[]): Cond => sql`(${sql.join(values.map((v) => sql`${v}`))})`;

/** `column` starts with one of `prefixes`, as index-friendly ranges. */
function startsWithAny(column: Cond, prefixes: readonly string[]): Cond {
  return or(
    prefixes.map((p) => {
      const upper = prefixUpperBound(p);
      return upper === null ? sql`${column} >= ${p}` : sql`(${column} >= ${p} AND ${column} < ${upper})`;
    }),
  );
}

const nonEmpty = <T>(v: readonly T[] | undefined): v is readonly T[] => v !== undefined && v.length > 0;

/** The SQL value of a label, NULL when missing. `idColumn` holds `flowtrail.resource.id`. */
function labelValue(json: Cond, idColumn: Cond, key: string): Cond {
  if (key === RESOURCE_ID) return idColumn;
  // A key with `"` or `\` cannot be written as a JSON path: look it up by name instead.
  if (/["\\]/.test(key)) return sql`(SELECT j.value FROM json_each(${json}) AS j WHERE j.key = ${key})`;
  return sql`json_extract(${json}, ${`$."${key}"`})`;
}

/** A label spec as SQL over one resource: see `labelsMatch` in `match.ts` (same semantics). */
function labelConds(json: Cond, idColumn: Cond, spec: LabelSpec): Cond[] {
  const out: Cond[] = [];
  for (const [key, v] of Object.entries(spec)) {
    const patterns = patternList(v);
    if (patterns.length === 0) {
      out.push(sql`0`);
      continue;
    }
    const value = labelValue(json, idColumn, key);
    const positive: Cond[] = [];
    let anyPositive = false;
    const parts: Cond[] = [sql`${value} IS NOT NULL`];
    for (const p of patterns) {
      const { negated, glob } = parseLabelPattern(p);
      const exact = globLiteral(glob);
      const g = exact === undefined ? globToSqlite(glob) : exact;
      if (!negated) anyPositive = true;
      if (g === false) continue; // never matches: no positive hit, and nothing to exclude
      const test = exact !== undefined ? sql`${value} = ${exact}` : sql`${value} GLOB ${g}`;
      if (negated) parts.push(sql`NOT ${test}`);
      else positive.push(test);
    }
    if (anyPositive) parts.push(or(positive));
    out.push(and(parts));
  }
  return out;
}

/** Exact resource ids a label spec pins (`flowtrail.resource.id` with only exact, positive values). */
function pinnedIds(spec: LabelSpec | undefined): string[] | undefined {
  const v = spec?.[RESOURCE_ID];
  if (v === undefined) return undefined;
  const ids: string[] = [];
  for (const p of patternList(v)) {
    const { negated, glob } = parseLabelPattern(p);
    const exact = globLiteral(glob);
    if (negated || exact === undefined) return undefined;
    ids.push(exact);
  }
  return ids;
}

/** A set of candidate event seqs that a criterion pins, usable to drive a query. */
interface Driver {
  /** `SELECT <seq> FROM …` over the time range. */
  select: Cond;
  /** Known size (ids), when no estimate is needed. */
  size?: number;
}

interface Compiled {
  conds: Cond[];
  drivers: Driver[];
  since: number | undefined;
  until: number | undefined;
}

const E = {
  seq: sql.ref('e.seq'),
  id: sql.ref('e.id'),
  occurred: sql.ref('e.occurred'),
  event: sql.ref('e.event'),
  resourceId: sql.ref('e.resource_id'),
  resource: sql.ref('e.resource'),
  search: sql.ref('e.search'),
};
/** The columns of `event_resources AS r` a resource filter reads. */
interface ResourceCols {
  resourceId: Cond;
  role: Cond;
  labels: Cond;
}
const R = {
  seq: sql.ref('r.event_seq'),
  occurred: sql.ref('r.occurred'),
  resourceId: sql.ref('r.resource_id'),
  role: sql.ref('r.role'),
  labels: sql.ref('r.labels'),
};
/**
 * The same columns for the per-event probe (`EXISTS … WHERE r.event_seq = e.seq`): unary `+`
 * keeps SQLite from answering the probe through the resource-id index (which would visit every
 * row of that resource, for each event) instead of the event's own few rows.
 */
const PROBE: ResourceCols = { resourceId: sql`+r.resource_id`, role: sql`+r.role`, labels: R.labels };

function timeConds(column: Cond, since: number | undefined, until: number | undefined): Cond[] {
  const out: Cond[] = [];
  if (since !== undefined) out.push(sql`${column} >= ${since}`);
  if (until !== undefined) out.push(sql`${column} <= ${until}`);
  return out;
}

/** Conditions on `event_resources AS r` for one resource filter (primary or related alike). */
function resourceConds(f: ResourceFilter, c: ResourceCols): Cond[] {
  const out: Cond[] = [];
  if (nonEmpty(f.id)) out.push(sql`${c.resourceId} IN ${list(f.id)}`);
  if (nonEmpty(f.idPrefix)) out.push(startsWithAny(c.resourceId, f.idPrefix));
  if (f.labels !== undefined) out.push(...labelConds(c.labels, c.resourceId, f.labels));
  return out;
}

function relatedConds(f: RelatedFilter, c: ResourceCols): Cond[] {
  const out: Cond[] = [];
  // '' is the primary resource's role, and every non-empty string sorts after it.
  if (relatedNeedsRelated(f)) out.push(sql`${c.role} > ''`);
  if (nonEmpty(f.role)) out.push(sql`${c.role} IN ${list(f.role)}`);
  if (nonEmpty(f.id)) out.push(sql`${c.resourceId} IN ${list(f.id)}`);
  if (nonEmpty(f.resourcesInRoles))
    out.push(
      or(f.resourcesInRoles.map(([id, role]) => sql`(${c.resourceId} = ${id} AND ${c.role} = ${role})`)),
    );
  if (f.labels !== undefined) out.push(...labelConds(c.labels, c.resourceId, f.labels));
  return out;
}

function existsResource(conds: readonly Cond[]): Cond {
  return sql`EXISTS (SELECT 1 FROM event_resources AS r WHERE ${R.seq} = ${E.seq} AND ${and(conds)})`;
}

function resourceDriver(conds: readonly Cond[], since?: number, until?: number): Driver {
  return {
    select: sql`SELECT ${R.seq} FROM event_resources AS r WHERE ${and([...conds, ...timeConds(R.occurred, since, until)])}`,
  };
}

/** Candidates by event name: one index range per name, `(event, occurred)`. */
function namesDriver(names: Cond, since?: number, until?: number): Driver {
  return {
    select: sql`SELECT ${E.seq} FROM events AS e WHERE ${and([sql`${E.event} IN ${names}`, ...timeConds(E.occurred, since, until)])}`,
  };
}

/**
 * The distinct event names starting with one of `prefixes`, found by hopping through the
 * `(event, occurred)` index one name at a time (a skip scan: one seek per distinct name).
 */
function namesWithPrefixes(prefixes: readonly string[]): Cond {
  const parts = prefixes.map((p) => {
    const upper = prefixUpperBound(p);
    const below = (col: Cond) => (upper === null ? sql`1` : sql`${col} < ${upper}`);
    const ev = sql.ref('x.event');
    return sql`SELECT n FROM (WITH RECURSIVE names(n) AS (
        SELECT (SELECT min(${ev}) FROM events AS x WHERE ${ev} >= ${p} AND ${below(ev)})
        UNION ALL
        SELECT (SELECT min(${ev}) FROM events AS x WHERE ${ev} > names.n AND ${below(ev)})
          FROM names WHERE names.n IS NOT NULL)
      SELECT n FROM names WHERE n IS NOT NULL)`;
  });
  return sql`(${sql.join(parts, sql` UNION `)})`;
}

function compileFilter(filter: EventFilter): Compiled {
  const since = filter.since?.getTime();
  const until = filter.until?.getTime();
  const conds: Cond[] = timeConds(E.occurred, since, until);
  const drivers: Driver[] = [];

  if (nonEmpty(filter.id)) {
    conds.push(sql`${E.id} IN ${list(filter.id)}`);
    drivers.push({
      select: sql`SELECT seq FROM events WHERE id IN ${list(filter.id)}`,
      size: filter.id.length,
    });
  }
  const name = filter.event;
  if (name) {
    if (nonEmpty(name.name)) {
      conds.push(sql`${E.event} IN ${list(name.name)}`);
      drivers.push(namesDriver(list(name.name), since, until));
    }
    if (nonEmpty(name.prefix)) {
      conds.push(startsWithAny(E.event, name.prefix));
      drivers.push(namesDriver(namesWithPrefixes(name.prefix), since, until));
    }
    if (nonEmpty(name.excludeName)) conds.push(sql`${E.event} NOT IN ${list(name.excludeName)}`);
    if (nonEmpty(name.excludePrefix)) conds.push(sql`NOT ${startsWithAny(E.event, name.excludePrefix)}`);
  }
  const res = filter.resource;
  if (res) {
    // The primary resource is the row in role '' of event_resources: its index drives.
    const primary = sql`${R.role} = ''`;
    if (nonEmpty(res.id)) {
      conds.push(sql`${E.resourceId} IN ${list(res.id)}`);
      drivers.push(resourceDriver([sql`${R.resourceId} IN ${list(res.id)}`, primary], since, until));
    }
    if (nonEmpty(res.idPrefix)) {
      conds.push(startsWithAny(E.resourceId, res.idPrefix));
      drivers.push(resourceDriver([startsWithAny(R.resourceId, res.idPrefix), primary], since, until));
    }
    if (res.labels !== undefined) {
      conds.push(...labelConds(E.resource, E.resourceId, res.labels));
      const ids = pinnedIds(res.labels);
      if (ids) drivers.push(resourceDriver([sql`${R.resourceId} IN ${list(ids)}`, primary], since, until));
    }
  }
  for (const f of asList(filter.related)) {
    if (!relatedHasCriteria(f)) continue;
    conds.push(existsResource(relatedConds(f, PROBE)));
    const rc = relatedConds(f, R);
    const ids = nonEmpty(f.id) ? f.id : pinnedIds(f.labels);
    if (ids) drivers.push(resourceDriver([sql`${R.resourceId} IN ${list(ids)}`, ...rc], since, until));
    else if (nonEmpty(f.resourcesInRoles)) drivers.push(resourceDriver(rc, since, until));
  }
  for (const f of asList(filter.anyResource)) {
    const rc = resourceConds(f, R);
    if (rc.length === 0) continue;
    conds.push(existsResource(resourceConds(f, PROBE)));
    const ids = nonEmpty(f.id) ? f.id : pinnedIds(f.labels);
    if (ids) drivers.push(resourceDriver([sql`${R.resourceId} IN ${list(ids)}`, ...rc], since, until));
  }
  if (filter.text !== undefined) {
    const q = parseTextQuery(filter.text);
    const has = (t: string) => sql`instr(${E.search}, ${t}) > 0`;
    if (q.include.length > 0) conds.push(or(q.include.map(has)));
    for (const t of q.required) conds.push(has(t));
    for (const t of q.exclude) conds.push(sql`NOT ${has(t)}`);
  }
  return { conds, drivers, since, until };
}

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

type Plan = { kind: 'scan' } | { kind: 'driven'; driver: Driver };

/**
 * `EventStore` over a Kysely database with the `events` / `event_resources` tables (migration 3).
 *
 * @example
 * const { metadata, events } = openSqliteStores('.flowtrail/flowtrail.db');
 * const page = await events.query({ event: { prefix: ['flowtrail.run.'] } }, { limit: 20 });
 */
export class SqlEventStore implements EventStore {
  /** Plan thresholds; tests set a cap to 0 (always scan) or Infinity (always drive). */
  readonly planner: EventQueryPlanner = { driveCap: 4000, countDriveCap: 50_000 };

  constructor(
    protected readonly db: Kysely<Database>,
    readonly location: string,
    private readonly counter?: QueryCounter,
    /** Called by `close()`; a store sharing its connection with the metadata store leaves it open. */
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  /** Statements sent so far (when a `QueryCounter` is wired to the database's `log`). */
  get queryCount(): number {
    return this.counter?.count ?? 0;
  }

  async append(events: readonly FlowtrailEvent[]): Promise<{ inserted: number }> {
    if (events.length === 0) return { inserted: 0 };
    const inserted = await this.db.transaction().execute((trx) => insertEvents(trx, events));
    return { inserted };
  }

  /** Picks the cheapest driver under `cap` candidates, or a time scan. */
  private async plan(c: Compiled, cap: number): Promise<Plan> {
    let best: { driver: Driver; size: number } | undefined;
    if (cap <= 0) return { kind: 'scan' };
    for (const driver of c.drivers) {
      let size = driver.size;
      if (size === undefined) {
        // Counting stops at the cap, or at the best candidate count so far: estimates stay cheap.
        const limit = Math.min(best?.size ?? cap, cap, Number.MAX_SAFE_INTEGER);
        const row = await sql<{
          n: number;
        }>`SELECT count(*) AS n FROM (${driver.select} LIMIT ${limit})`.execute(this.db);
        size = Number(row.rows[0]?.n ?? limit);
        if (size >= limit) continue;
      }
      if (size < cap && (!best || size < best.size)) best = { driver, size };
    }
    return best ? { kind: 'driven', driver: best.driver } : { kind: 'scan' };
  }

  /** `FROM events AS e …` for a plan; extra conditions are ANDed. */
  private from(plan: Plan, conds: readonly Cond[], scanIndex = true): Cond {
    if (plan.kind === 'driven')
      return sql`FROM events AS e NOT INDEXED WHERE ${E.seq} IN (${plan.driver.select}) AND ${and(conds)}`;
    return scanIndex
      ? sql`FROM events AS e INDEXED BY events_occurred WHERE ${and(conds)}`
      : sql`FROM events AS e WHERE ${and(conds)}`;
  }

  async query(filter: EventFilter, page: { limit?: number; cursor?: string } = {}): Promise<EventPage> {
    const f = validateFilter(filter);
    const limit = page.limit ?? EVENT_PAGE_DEFAULT;
    if (!Number.isInteger(limit) || limit < 1 || limit > EVENT_PAGE_MAX)
      throw new ValidationError(
        'limit',
        `The page size must be a whole number from 1 to ${EVENT_PAGE_MAX}, got ${limit}. Follow \`nextCursor\` for more.`,
      );
    let order = f.order ?? 'desc';
    const c = compileFilter(f);
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
    const plan = await this.plan(c, this.planner.driveCap);
    const dir = sql.raw(order === 'desc' ? 'DESC' : 'ASC');
    const result = await sql<EventRowOut>`SELECT ${EVENT_FIELDS} ${this.from(plan, conds)}
      ORDER BY ${E.occurred} ${dir}, ${E.seq} ${dir} LIMIT ${limit + 1}`.execute(this.db);
    const rows = result.rows;
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const last = shown[shown.length - 1];
    return {
      events: shown.map(toEvent),
      nextCursor:
        more && last ? encodeCursor({ occurred: Number(last.occurred), seq: Number(last.seq), order }) : null,
    };
  }

  async total(filter: EventFilter): Promise<number> {
    const c = compileFilter(validateFilter(filter));
    const plan = await this.plan(c, this.planner.countDriveCap);
    const r = await sql<{ n: number }>`SELECT count(*) AS n ${this.from(plan, c.conds)}`.execute(this.db);
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
    const c = compileFilter(f);
    const plan = await this.plan(c, this.planner.countDriveCap);
    const from = this.from(plan, c.conds, false);
    if (by === 'event') {
      const r = await sql<{ k: string; n: number; lo: number; hi: number }>`
        SELECT ${E.event} AS k, count(*) AS n, min(${E.occurred}) AS lo, max(${E.occurred}) AS hi ${from}
        GROUP BY ${E.event}`.execute(this.db);
      return sortCounts(
        r.rows.map((x) => ({
          value: x.k,
          label: x.k,
          count: Number(x.n),
          startTime: new Date(Number(x.lo)),
          endTime: new Date(Number(x.hi)),
        })),
      );
    }
    const r = await sql<{ k: string; n: number; lo: number; hi: number }>`
      SELECT ${E.resourceId} AS k, count(*) AS n, min(${E.occurred}) AS lo, max(${E.occurred}) AS hi ${from}
      GROUP BY ${E.resourceId}`.execute(this.db);
    // With max() as the only aggregate, SQLite takes the bare column from the newest row.
    const names = await sql<{ k: string; name: string | null; hi: number }>`
      SELECT ${E.resourceId} AS k, json_extract(${E.resource}, ${`$."${RESOURCE_NAME}"`}) AS name,
        max(${E.occurred}) AS hi ${from}
      GROUP BY ${E.resourceId}`.execute(this.db);
    const label = new Map(names.rows.map((x) => [x.k, x.name]));
    return sortCounts(
      r.rows.map((x) => ({
        value: x.k,
        label: label.get(x.k) || x.k,
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
    const c = compileFilter({ ...f, since: new Date(since), until: new Date(until) });
    const plan = await this.plan(c, this.planner.countDriveCap);
    const counts = new Map<number, number>();
    if (plan.kind === 'driven') {
      const r = await sql<{ i: number; n: number }>`
        SELECT CAST((${E.occurred} - ${start}) / ${size} AS INTEGER) AS i, count(*) AS n ${this.from(plan, c.conds)}
        GROUP BY i`.execute(this.db);
      for (const x of r.rows) counts.set(Number(x.i), Number(x.n));
    } else {
      // One index range count per bucket: no sort, no temporary table.
      const r = await sql<{ i: number; n: number }>`
        WITH RECURSIVE b(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM b WHERE i < ${n - 1})
        SELECT b.i AS i, (SELECT count(*) FROM events AS e INDEXED BY events_occurred
          WHERE ${E.occurred} >= max(${start} + b.i * ${size}, ${since})
            AND ${E.occurred} <= min(${start} + (b.i + 1) * ${size} - 1, ${until})
            AND ${and(c.conds)}) AS n
        FROM b`.execute(this.db);
      for (const x of r.rows) counts.set(Number(x.i), Number(x.n));
    }
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
    const rows = await this.db
      .selectFrom('events')
      .select(['seq', 'id', 'occurred', 'event', 'follows', 'received', 'resource', 'related', 'payload'])
      .where('seq', '>', position)
      .orderBy('seq')
      .limit(limit)
      .execute();
    const last = rows[rows.length - 1];
    return { events: rows.map(toEvent), position: last ? Number(last.seq) : position };
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

  /** Deletes events older than `cutoff` (of one name, when given) with their resource rows, a batch per transaction. */
  private async deleteInBatches(cutoff: number, name?: string): Promise<number> {
    let deleted = 0;
    for (;;) {
      const n = await this.db.transaction().execute(async (trx) => {
        let q = trx.selectFrom('events').select('seq').where('occurred', '<', cutoff);
        if (name !== undefined) q = q.where('event', '=', name);
        const rows = await q.limit(RETENTION_BATCH).execute();
        if (rows.length === 0) return 0;
        const seqs = rows.map((r) => Number(r.seq));
        await trx.deleteFrom('event_resources').where('event_seq', 'in', seqs).execute();
        await trx.deleteFrom('events').where('seq', 'in', seqs).execute();
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
