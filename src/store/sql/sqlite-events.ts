/**
 * What the event store does the SQLite way: `insertEvents` (raw multi-row INSERTs with `?`
 * placeholders, also called inside metadata transactions) and `sqliteEventDialect`, the SQLite
 * half of `SqlEventStore` — `json_extract` label lookups, `GLOB`, `instr`, and query plans pinned
 * with `INDEXED BY` / `NOT INDEXED` (SQLite plans each statement without statistics).
 */
import { CompiledQuery, type Kysely, sql, type Transaction } from 'kysely';
import type { FlowtrailEvent } from '../../events/model.ts';
import { type Cond, E, R, type ResourceCols } from './event-filter-sql.ts';
import { encodeEvent, resourceRows, uniqueById } from './event-rows.ts';
import type { Database, EventResourcesTable } from './schema.ts';
import type { SqlEventDialect } from './sql-event-store.ts';
import { globToSqlite } from './sqlite/sqlite-glob.ts';

type Db = Kysely<Database> | Transaction<Database>;

// Rows per multi-row INSERT, well under SQLite's 32,766 bound variables.
const EVENT_ROWS_PER_INSERT = 500; // 10 columns
const RESOURCE_ROWS_PER_INSERT = 1000; // 6 columns

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
 * only for new events. Returns how many events were new. SQLite has one writer at a time, so
 * `seq` (AUTOINCREMENT) commits in order: readers tailing by `seq` never skip an event.
 */
export async function insertEvents(db: Db, events: readonly FlowtrailEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  if (!db.isTransaction) return db.transaction().execute((trx) => insertEvents(trx, events));
  const unique = uniqueById(events);
  const byId = new Map(unique.map((e) => [e.id, e]));
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

/**
 * The per-event probe's columns: unary `+` keeps SQLite from answering the probe through the
 * resource-id index (which would visit every row of that resource, for each event) instead of the
 * event's own few rows (primary key `(event_seq, pos)`).
 */
const PROBE: ResourceCols = { resourceId: sql`+r.resource_id`, role: sql`+r.role`, labels: R.labels };

/**
 * SQLite's event dialect. Plans are pinned: a time scan walks `events_occurred` (`INDEXED BY`,
 * names checked in the index itself); a driven query reads its candidates by rowid (`NOT INDEXED`).
 * Time counts on a scan are one index range count per bucket (no sort, no temporary table).
 */
export const sqliteEventDialect: SqlEventDialect = {
  planner: { driveCap: 4000, countDriveCap: 50_000 },
  candidateCount: (driver, limit) =>
    sql`SELECT count(*) AS n FROM (${driver.select} LIMIT ${limit}) AS candidates`,

  labelValue(json: Cond, key: string): Cond {
    // A key with `"` or `\` cannot be written as a JSON path: look it up by name instead.
    if (/["\\]/.test(key)) return sql`(SELECT j.value FROM json_each(${json}) AS j WHERE j.key = ${key})`;
    return sql`json_extract(${json}, ${`$."${key}"`})`;
  },
  globMatch(value: Cond, glob: string): Cond | false {
    const g = globToSqlite(glob);
    return g === false ? false : sql`${value} GLOB ${g}`;
  },
  contains: (text: Cond, term: string): Cond => sql`instr(${text}, ${term}) > 0`,
  probe: PROBE,
  inSelect: (column: Cond, select: Cond): Cond => sql`${column} IN (${select})`,
  exists: (probe: Cond): Cond => sql`EXISTS (${probe})`,

  from(plan, where, walkTimeIndex) {
    if (plan.kind === 'driven')
      return sql`FROM events AS e NOT INDEXED WHERE ${this.inSelect(E.seq, plan.driver.select)} AND ${where}`;
    return walkTimeIndex
      ? sql`FROM events AS e INDEXED BY events_occurred WHERE ${where}`
      : sql`FROM events AS e WHERE ${where}`;
  },

  page(fields, plan, where, dir, limit) {
    return sql`SELECT ${fields} ${this.from(plan, where, true)}
      ORDER BY ${E.occurred} ${dir}, ${E.seq} ${dir} LIMIT ${limit}`;
  },

  bucketCounts(plan, where, b) {
    if (plan.kind === 'driven')
      return sql`SELECT CAST((${E.occurred} - ${b.start}) / ${b.size} AS INTEGER) AS i, count(*) AS n
        ${this.from(plan, where, true)} GROUP BY i`;
    return sql`WITH RECURSIVE b(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM b WHERE i < ${b.n - 1})
      SELECT b.i AS i, (SELECT count(*) FROM events AS e INDEXED BY events_occurred
        WHERE ${E.occurred} >= max(${b.start} + b.i * ${b.size}, ${b.since})
          AND ${E.occurred} <= min(${b.start} + (b.i + 1) * ${b.size} - 1, ${b.until})
          AND ${where}) AS n
      FROM b`;
  },

  resourceNames(from, name) {
    // With max() as the only aggregate, SQLite takes the bare column from the newest row.
    return sql`SELECT ${E.resourceId} AS k, ${name} AS name, max(${E.occurred}) AS hi ${from}
      GROUP BY ${E.resourceId}`;
  },

  insertEvents,
};
