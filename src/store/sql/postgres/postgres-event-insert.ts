/**
 * PostgreSQL `insertEvents`: the same rows as the SQLite one in `sqlite/sqlite-event-insert.ts`, written with
 * Kysely's builder so parameters use PostgreSQL's `$n` placeholders, and in arrival order across
 * concurrent writers (below).
 *
 * Why a lock. Tailing readers (`readAfter`, live subscriptions) read `seq > position` and move
 * their position to the last seq they saw. With several writers (server processes, orchestrators)
 * a BIGSERIAL alone is not enough: a transaction that took seq 5 may commit after another one that
 * took seq 6, and a reader in between moves past 5 for good. Each event-writing transaction
 * therefore takes a transaction-scoped advisory lock (one per `events` table) before it allocates
 * seqs, and holds it until it ends. PostgreSQL makes a commit visible before it releases the
 * transaction's locks, so the next writer allocates its seqs only after every smaller seq is
 * visible (or rolled back for good): the visible seqs are always every committed seq up to the
 * highest, and `seq > position` never skips one. (The sequence must hand out values in order, as
 * BIGSERIAL's default `CACHE 1` does.)
 *
 * Considered and not taken: stamping rows with `pg_current_xact_id()` and returning only rows of
 * transactions older than `pg_snapshot_xmin(pg_current_snapshot())`. That is sound only when
 * readers order by (xid, seq), because a transaction's xid is assigned at its first write, long
 * before it inserts events: the transaction with xid 100 can take seq 6 after the one with xid 101
 * took seq 5, and once xid 100 commits, "xid < xmin" lets seq 6 out while seq 5 is still in
 * flight. Ordering by (xid, seq) needs a two-part position, and `EventStore` positions are one
 * increasing number (the HTTP API and `store/event-subscription.ts` pass them around).
 *
 * The cost: event-writing transactions are serialized from their event insert to their commit.
 * Flowtrail inserts events at the end of its transactions (`write`, `createRun`, `markRunCrashed`),
 * so the lock is held for about the insert and the commit, and a transaction holding it does not
 * then wait for rows another transaction locked (were it to, PostgreSQL reports the deadlock as an
 * error; nothing hangs).
 */
import { sql, type Transaction } from 'kysely';
import type { FlowtrailEvent } from '../../../events/model.ts';
import { encodeBatch, forEachLink } from '../event-rows.ts';
import type { Database, EventLinksTable } from '../schema.ts';

// PostgreSQL binds at most 65,535 parameters per statement.
const EVENT_ROWS_PER_INSERT = 500; // 10 columns
const LINK_ROWS_PER_INSERT = 2000; // 4 columns

/**
 * The advisory lock class of event appends (with the `events` table's oid as the second key, so
 * stores in different schemas do not wait on each other). The two-key form never collides with
 * single-key advisory locks such as the migration lock.
 */
const EVENT_APPEND_LOCK_CLASS = 0x46_54_45_56; // 'FTEV'

/**
 * Inserts validated events in the caller's transaction, after taking the append lock (held until
 * the transaction ends; see above). Ids already stored, or repeated in `events`, are skipped (the
 * first copy wins); link rows are written only for new events. Returns how many events were new.
 */
export async function insertEventsPostgres(
  trx: Transaction<Database>,
  events: readonly FlowtrailEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  await sql`SELECT pg_advisory_xact_lock(${sql.lit(EVENT_APPEND_LOCK_CLASS)}, 'events'::regclass::oid::integer)`.execute(
    trx,
  );
  const batch = [...encodeBatch(events, 'all').values()];
  let inserted = 0;
  for (let i = 0; i < batch.length; i += EVENT_ROWS_PER_INSERT) {
    const part = batch.slice(i, i + EVENT_ROWS_PER_INSERT);
    const added = await trx
      .insertInto('events')
      .values(part.map((e) => e.row))
      .onConflict((oc) => oc.column('id').doNothing())
      .returning(['seq', 'id'])
      .execute();
    if (added.length === 0) continue;
    inserted += added.length;
    const byId = new Map(part.map((e) => [e.row.id, e.event]));
    const links: EventLinksTable[] = [];
    for (const row of added) {
      const e = byId.get(row.id)!;
      const event_seq = Number(row.seq);
      const occurred = e.occurred.getTime();
      forEachLink(e, (resource_id, role) => links.push({ resource_id, occurred, event_seq, role }));
    }
    // A resource named twice in one role of an event is one link.
    for (let j = 0; j < links.length; j += LINK_ROWS_PER_INSERT)
      await trx
        .insertInto('event_links')
        .values(links.slice(j, j + LINK_ROWS_PER_INSERT))
        .onConflict((oc) => oc.doNothing())
        .execute();
  }
  return inserted;
}
