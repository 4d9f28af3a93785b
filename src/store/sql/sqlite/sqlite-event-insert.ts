/**
 * SQLite's event insert: raw multi-row INSERTs with `?` placeholders, in the caller's transaction
 * (also inside metadata transactions, so lifecycle events commit with the state they report): the
 * `events` rows and their `event_links` keys (the text index follows behind, see
 * `sqlite-text-index.ts`).
 *
 * The search text is stored only when it is not ASCII (`search = ''` otherwise): an ASCII text is
 * rebuilt exactly from the row's own columns when a query needs it (`sqlite-dialect.ts`), and not
 * writing a second copy of the labels and payload made batched ingest ~25% faster.
 */
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { FlowtrailEvent } from '../../../events/model.ts';
import { encodeBatch, forEachLink } from '../event-rows.ts';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

// Rows per multi-row INSERT, well under SQLite's 32,766 bound variables.
const EVENT_ROWS_PER_INSERT = 512; // 10 columns
const LINK_ROWS_PER_INSERT = 1024; // 4 columns

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
const LINK_COLUMNS = ['resource_id', 'occurred', 'event_seq', 'role'] as const;

/**
 * Multi-row INSERT texts by row count. The text is built from the fixed column lists only; every
 * value is a bound parameter. Built once per size: at ingest rates, compiling a query builder for
 * each batch costs as much as SQLite's own work.
 */
const insertTexts = new Map<string, string>();
function insertText(table: 'events' | 'event_links', rows: number): string {
  const key = `${table}:${rows}`;
  let text = insertTexts.get(key);
  if (text === undefined) {
    const columns = table === 'events' ? EVENT_COLUMNS : LINK_COLUMNS;
    const row = `(${columns.map(() => '?').join(', ')})`;
    // A resource named twice in one role of an event is one link.
    const verb = table === 'events' ? 'INSERT' : 'INSERT OR IGNORE';
    text = `${verb} INTO ${table} (${columns.join(', ')}) VALUES ${Array(rows).fill(row).join(', ')}`;
    if (table === 'events') text += ' ON CONFLICT (id) DO NOTHING';
    insertTexts.set(key, text);
  }
  return text;
}

/**
 * Row counts to write `count` rows in: full statements of `max` rows, then the rest in powers of
 * two, so a handful of statement texts (prepared once, see `sqlite-stores.ts`) serve every batch.
 */
function* chunkSizes(count: number, max: number): Generator<number> {
  let left = count;
  while (left >= max) {
    yield max;
    left -= max;
  }
  for (let p = 1 << 30; p >= 1; p >>= 1)
    if (left >= p) {
      yield p;
      left -= p;
    }
}

/**
 * Inserts validated events on `db` (inside the caller's transaction when given one, so lifecycle
 * events commit with the state they report; otherwise in a transaction of its own). Ids already
 * stored, or repeated in `events`, are skipped (the first copy wins); link rows are written
 * only for new events. Returns how many events were new. SQLite has one writer at a time, so
 * `seq` (AUTOINCREMENT) commits in order: readers tailing by `seq` never skip an event.
 */
export async function insertEventsSqlite(db: Db, events: readonly FlowtrailEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  if (!db.isTransaction) return db.transaction().execute((trx) => insertEventsSqlite(trx, events));
  const batch = [...encodeBatch(events, 'non-ascii').values()];
  let inserted = 0;
  let i = 0;
  for (const size of chunkSizes(batch.length, EVENT_ROWS_PER_INSERT)) {
    const part = batch.slice(i, i + size);
    i += size;
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
    const result = await db.executeQuery(CompiledQuery.raw(insertText('events', part.length), params));
    const added = Number(result.numAffectedRows ?? 0);
    if (added === 0) continue;
    inserted += added;
    // One statement of the only writer: its new rows took consecutive seqs ending at insertId (no
    // RETURNING: it cost SQLite a quarter of the insert). When ids already stored were skipped,
    // which rows are new is read back from that seq range.
    const last = Number(result.insertId);
    const rows =
      added === part.length
        ? part.map((e, k) => ({ seq: last - added + 1 + k, id: e.row.id }))
        : (
            await db.executeQuery<{ seq: number; id: string }>(
              CompiledQuery.raw('SELECT seq, id FROM events WHERE seq BETWEEN ? AND ?', [
                last - added + 1,
                last,
              ]),
            )
          ).rows;
    const byId = new Map(part.map((e) => [e.row.id, e.event]));
    const values: unknown[] = [];
    for (const row of rows) {
      const seq = Number(row.seq);
      const e = byId.get(row.id)!;
      const occurred = e.occurred.getTime();
      forEachLink(e, (resourceId, role) => values.push(resourceId, occurred, seq, role));
    }
    const width = LINK_COLUMNS.length;
    let j = 0;
    for (const n of chunkSizes(values.length / width, LINK_ROWS_PER_INSERT)) {
      await db.executeQuery(
        CompiledQuery.raw(insertText('event_links', n), values.slice(j * width, (j + n) * width)),
      );
      j += n;
    }
  }
  return inserted;
}
