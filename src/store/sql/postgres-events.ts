/**
 * PostgreSQL `insertEvents`: the same rows as the SQLite one in `sql-event-store.ts`, written with
 * Kysely's builder so parameters use PostgreSQL's `$n` placeholders.
 */
import type { Transaction } from 'kysely';
import type { FlowtrailEvent } from '../../events/model.ts';
import { encodeEvent, resourceRows } from './event-rows.ts';
import type { Database, EventResourcesTable } from './schema.ts';

// PostgreSQL binds at most 65,535 parameters per statement.
const EVENT_ROWS_PER_INSERT = 500; // 10 columns
const RESOURCE_ROWS_PER_INSERT = 1000; // 6 columns

/**
 * Inserts validated events in the caller's transaction. Ids already stored, or repeated in
 * `events`, are skipped (the first copy wins); resource rows are written only for new events.
 * Returns how many events were new.
 */
export async function insertEventsPostgres(
  trx: Transaction<Database>,
  events: readonly FlowtrailEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  const byId = new Map<string, FlowtrailEvent>();
  for (const e of events) if (!byId.has(e.id)) byId.set(e.id, e);
  const unique = [...byId.values()];
  let inserted = 0;
  for (let i = 0; i < unique.length; i += EVENT_ROWS_PER_INSERT) {
    const part = unique.slice(i, i + EVENT_ROWS_PER_INSERT);
    const labels = new Map<string, string[]>();
    const rows = part.map((e) => {
      const encoded = encodeEvent(e);
      labels.set(e.id, encoded.labels);
      return encoded.row;
    });
    const added = await trx
      .insertInto('events')
      .values(rows)
      .onConflict((oc) => oc.column('id').doNothing())
      .returning(['seq', 'id'])
      .execute();
    if (added.length === 0) continue;
    inserted += added.length;
    const resources: EventResourcesTable[] = [];
    for (const row of added)
      resources.push(...resourceRows(Number(row.seq), byId.get(row.id)!, labels.get(row.id)!));
    for (let j = 0; j < resources.length; j += RESOURCE_ROWS_PER_INSERT)
      await trx
        .insertInto('event_resources')
        .values(resources.slice(j, j + RESOURCE_ROWS_PER_INSERT))
        .execute();
  }
  return inserted;
}
