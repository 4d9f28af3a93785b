/**
 * The trigger engine's row in `engine_state` (its cursor over the event feed and its lease), and
 * the check every engine commit starts with: `SqlDeploymentStore.commitEngine` and
 * `SqlAutomationStore.commitEvaluation` apply nothing unless the committer still holds the lease.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** The name of the engine's row. */
export const ENGINE = 'triggers';

/**
 * Inside a commit's transaction, first: moves the cursor to `position` (null: leaves it) if `owner`
 * holds the lease at `now`. Being a write, it takes the write lock (SQLite) or the row's lock
 * (PostgreSQL), so the lease cannot change hands before the commit ends. False: not the owner,
 * and the caller must apply nothing.
 */
export async function advanceUnderLease(
  trx: Kysely<Database>,
  owner: string,
  now: number,
  position: number | null,
): Promise<boolean> {
  const r = await trx
    .updateTable('engine_state')
    .set((eb) => ({ position: position ?? eb.ref('position') }))
    .where('name', '=', ENGINE)
    .where('lease_owner', '=', owner)
    .where('lease_until', '>=', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
