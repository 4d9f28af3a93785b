/**
 * SQLite's event insert: raw multi-row INSERTs with `?` placeholders, in the caller's transaction
 * (also inside metadata transactions, so lifecycle events commit with the state they report).
 */
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { type FlowtrailEvent, RESOURCE_ID } from '../../../events/model.ts';
import { type EncodedEvent, encodeBatch } from '../event-rows.ts';
import type { Database } from '../schema.ts';

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

/** Appends the `event_resources` values of a stored event to `values`; returns how many rows. */
function pushResourceValues(values: unknown[], seq: number, encoded: EncodedEvent): number {
  const { event: e, labels } = encoded;
  const occurred = e.occurred.getTime();
  values.push(seq, 0, occurred, e.resource[RESOURCE_ID], '', labels[0]);
  const related = e.related;
  for (let i = 0; i < related.length; i++) {
    const r = related[i]!;
    values.push(seq, i + 1, occurred, r[RESOURCE_ID], r['flowtrail.resource.role'], labels[i + 1]);
  }
  return related.length + 1;
}

/**
 * Inserts validated events on `db` (inside the caller's transaction when given one, so lifecycle
 * events commit with the state they report; otherwise in a transaction of its own). Ids already
 * stored, or repeated in `events`, are skipped (the first copy wins); resource rows are written
 * only for new events. Returns how many events were new. SQLite has one writer at a time, so
 * `seq` (AUTOINCREMENT) commits in order: readers tailing by `seq` never skip an event.
 */
export async function insertEventsSqlite(db: Db, events: readonly FlowtrailEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  if (!db.isTransaction) return db.transaction().execute((trx) => insertEventsSqlite(trx, events));
  const batch = [...encodeBatch(events).values()];
  let inserted = 0;
  for (let i = 0; i < batch.length; i += EVENT_ROWS_PER_INSERT) {
    const part = batch.slice(i, i + EVENT_ROWS_PER_INSERT);
    const params: unknown[] = [];
    for (const { row } of part)
      params.push(
        row.id,
        row.occurred,
        row.event,
        row.resource_id,
        row.follows,
        row.received,
        row.resource,
        row.related,
        row.payload,
        row.search,
      );
    const { rows } = await db.executeQuery<{ seq: number; id: string }>(
      CompiledQuery.raw(insertText('events', part.length), params),
    );
    if (rows.length === 0) continue;
    inserted += rows.length;
    const byId = new Map(part.map((e) => [e.row.id, e]));
    const values: unknown[] = [];
    let count = 0;
    for (const row of rows) count += pushResourceValues(values, Number(row.seq), byId.get(row.id)!);
    const width = RESOURCE_COLUMNS.length;
    for (let j = 0; j < count; j += RESOURCE_ROWS_PER_INSERT) {
      const n = Math.min(RESOURCE_ROWS_PER_INSERT, count - j);
      const chunk = values.slice(j * width, (j + n) * width);
      await db.executeQuery(CompiledQuery.raw(insertText('event_resources', n), chunk));
    }
  }
  return inserted;
}
