/**
 * SQLite's text index (migration 13): FTS5 with the trigram tokenizer over each event's search
 * text (`event_text`, rowid = the event's seq; contentless, `detail = none`), kept *behind* the
 * appends. `event_text_state.indexed_through` is the seq up to which every event is indexed;
 * {@link indexPendingText} moves it on (the server does, see `server/server.ts`), and a text
 * query takes the index's candidates below it and every event above it. The index only narrows:
 * each candidate is then checked exactly (`textContains` in `sqlite-dialect.ts`), so answers
 * equal `matchesFilter`'s whatever the index holds.
 *
 * Why behind. Indexing inside the append doubled its CPU (each event's ~250 trigrams; 28k against
 * 56k events/s on the same rows, see docs/BENCHMARKS.md), and blocks of events with one Bloom
 * filter or one FTS5 document each stayed cheap but could not narrow a term whose trigrams are
 * common one by one (`model-4999`: every block had them). Indexing later costs the same work, but
 * off the writer's path and in large statements; PostgreSQL's GIN pending list is the same idea.
 *
 * `detail = none` stores which event, not where: a term's trigrams are ANDed, which is a superset
 * of the events containing it (and two-thirds the index of `detail = full`). Terms shorter than
 * three characters have no trigram and cannot use the index.
 */
import { CompiledQuery, type Kysely, sql, type Transaction } from 'kysely';
import type { TextQuery } from '../../../events/text-query.ts';
import { type Cond, E } from '../event-filter-sql.ts';
import type { Database } from '../schema.ts';

const INDEXED_THROUGH = sql`(SELECT indexed_through FROM event_text_state)`;

// A term's trigrams ANDed: a dozen already pin a rare term; more only lengthen the query.
const MAX_TRIGRAMS_PER_TERM = 12;

/** A term's trigrams (at most a spread of a dozen), or undefined when it has none. */
function trigrams(term: string): string[] | undefined {
  const chars = Array.from(term);
  if (chars.length < 3) return undefined;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) grams.add(chars.slice(i, i + 3).join(''));
  const all = [...grams];
  if (all.length <= MAX_TRIGRAMS_PER_TERM) return all;
  const step = (all.length - 1) / (MAX_TRIGRAMS_PER_TERM - 1);
  return Array.from({ length: MAX_TRIGRAMS_PER_TERM }, (_, i) => all[Math.round(i * step)]!);
}

// A 3-character string is one trigram token; `"` is doubled inside an FTS5 string.
const ftsAnd = (grams: readonly string[]) => grams.map((g) => `"${g.replaceAll('"', '""')}"`).join(' AND ');

/**
 * The FTS5 query matching every indexed event that may satisfy `q` (required terms ANDed, plain
 * terms ORed when each can be looked up; exclusions never narrow), or undefined when no term can
 * use the index.
 */
export function textIndexQuery(q: TextQuery): string | undefined {
  const parts: string[] = [];
  for (const t of q.required) {
    const g = trigrams(t);
    if (g !== undefined) parts.push(`(${ftsAnd(g)})`);
  }
  if (q.include.length > 0) {
    const alternatives = q.include.map(trigrams);
    if (alternatives.every((g): g is string[] => g !== undefined))
      parts.push(`(${alternatives.map((g) => `(${ftsAnd(g)})`).join(' OR ')})`);
  }
  return parts.length === 0 ? undefined : parts.join(' AND ');
}

/** `SELECT seq`: the events an FTS5 query may match, the not yet indexed ones included. */
export function textCandidates(match: string): Cond {
  return sql`SELECT rowid AS seq FROM event_text WHERE event_text MATCH ${match}
    UNION ALL SELECT seq FROM events WHERE seq > ${INDEXED_THROUGH}`;
}

/**
 * Indexes the next events past `indexed_through`, at most `maxEvents`, in one transaction, with
 * `searchText` (the stored one, or rebuilt as the queries rebuild it: `searchText`). Returns how
 * many were indexed. Safe beside writers and other indexers: both statements write, so the
 * first takes the write lock and the second sees what it saw.
 */
export async function indexPendingText(
  db: Kysely<Database>,
  searchText: Cond,
  maxEvents: number,
): Promise<number> {
  // A read first: an idle server checks every second without taking the write lock.
  const behind = await sql<{
    n: number;
  }>`SELECT coalesce((SELECT max(seq) FROM events), 0) > ${INDEXED_THROUGH} AS n`.execute(db);
  if (!behind.rows[0]?.n) return 0;
  return db.transaction().execute(async (trx) => {
    const next = sql`SELECT seq FROM events WHERE seq > ${INDEXED_THROUGH} ORDER BY seq LIMIT ${maxEvents}`;
    const added = await sql`INSERT INTO event_text (rowid, text)
      SELECT ${E.seq}, ${searchText} FROM events AS e WHERE ${E.seq} IN (${next})`.execute(trx);
    const n = Number(added.numAffectedRows ?? 0);
    if (n > 0)
      await sql`UPDATE event_text_state SET indexed_through = (SELECT max(seq) FROM (${next}))`.execute(trx);
    return n;
  });
}

/** After events `seqs` were deleted (retention): their index entries go too. */
export async function dropTextEntries(trx: Transaction<Database>, seqs: readonly number[]): Promise<void> {
  if (seqs.length === 0) return;
  await trx.executeQuery(
    CompiledQuery.raw(
      `DELETE FROM event_text WHERE rowid IN (${seqs.map(() => '?').join(', ')}) AND rowid <= (SELECT indexed_through FROM event_text_state)`,
      [...seqs],
    ),
  );
}
