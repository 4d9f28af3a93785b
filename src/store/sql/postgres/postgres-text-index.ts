/**
 * PostgreSQL's text index (migration 14): `event_text` (seq, search) with a pg_trgm GIN index,
 * filled *behind* the appends up to `event_text_state.indexed_through` by
 * {@link indexPendingTextPostgres} (the server's indexer), as SQLite's `sqlite-text-index.ts`
 * is. A text query's candidates are the indexed events whose copied text passes the filter's
 * `LIKE` tests (required terms ANDed, plain terms ORed; pg_trgm answers `LIKE '%term%'`), plus
 * every event past `indexed_through`; each candidate is then checked exactly on `events.search`.
 *
 * Why behind and a copy: a GIN index on `events.search` itself is maintained by every insert
 * (~250 trigrams per event through the pending list) and cost 40% of batched ingest (10.4k
 * against 17.1k events/s); the copy costs the indexer a second write of the text instead.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { TextQuery } from '../../../events/text-query.ts';
import { and, type Cond } from '../event-filter-sql.ts';
import type { Database } from '../schema.ts';

const INDEXED_THROUGH = sql`(SELECT indexed_through FROM event_text_state)`;

/** `LIKE '%term%'` with the wildcards of `term` escaped. */
export function likeContains(column: Cond, term: string): Cond {
  return sql`${column} LIKE ${`%${term.replace(/[\\%_]/g, '\\$&')}%`}::text`;
}

/**
 * `SELECT seq`: the events that may satisfy `q` (its required and plain terms over the copied
 * text, the not yet indexed events included), or undefined when `q` has neither (exclusions never
 * narrow). pg_trgm cannot look up a term under three characters; the index is then scanned, which
 * still beats checking every event.
 */
export function textCandidatesPostgres(q: TextQuery): Cond | undefined {
  const t = sql.ref('t.search');
  const conds = q.required.map((term) => likeContains(t, term));
  if (q.include.length > 0)
    conds.push(
      sql`(${sql.join(
        q.include.map((term) => likeContains(t, term)),
        sql` OR `,
      )})`,
    );
  if (conds.length === 0) return undefined;
  return sql`SELECT t.seq FROM event_text AS t WHERE ${and(conds)}
    UNION ALL SELECT seq FROM events WHERE seq > ${INDEXED_THROUGH}`;
}

/**
 * Copies the search text of the next events past `indexed_through`, at most `maxEvents`, in one
 * transaction. Returns how many. Seqs become visible in order (`postgres-event-insert.ts`), so
 * nothing below the position is skipped; two indexers at once copy the same rows, the second's
 * ignored (it waits for the first's commit on the keys).
 */
export async function indexPendingTextPostgres(db: Kysely<Database>, maxEvents: number): Promise<number> {
  // A read first: an idle server checks every second without writing.
  const behind = await sql<{
    n: boolean;
  }>`SELECT coalesce((SELECT max(seq) FROM events), 0) > ${INDEXED_THROUGH} AS n`.execute(db);
  if (!behind.rows[0]?.n) return 0;
  // One statement, so one snapshot: the position moves past exactly the rows copied.
  const r = await sql<{ n: string }>`WITH next AS (
      SELECT seq, search FROM events WHERE seq > ${INDEXED_THROUGH} ORDER BY seq LIMIT ${maxEvents}),
    copied AS (INSERT INTO event_text (seq, search) SELECT seq, search FROM next ON CONFLICT (seq) DO NOTHING)
    UPDATE event_text_state SET indexed_through = greatest(indexed_through, (SELECT max(seq) FROM next))
    WHERE EXISTS (SELECT 1 FROM next)
    RETURNING (SELECT count(*) FROM next) AS n`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** After events `seqs` were deleted (retention): their copied text goes too. */
export async function dropTextEntriesPostgres(
  trx: Transaction<Database>,
  seqs: readonly number[],
): Promise<void> {
  if (seqs.length > 0) await sql`DELETE FROM event_text WHERE seq = ANY(${[...seqs]}::bigint[])`.execute(trx);
}
