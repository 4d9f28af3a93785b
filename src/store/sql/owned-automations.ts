/**
 * Keeping each deployment's owned automation (`deployment-automation.ts`) in step with the
 * deployment, inside the deployment store's transactions: written on deploy, enabled with the
 * deployment, deleted with it, and checked all at once by `syncOwnedAutomations`.
 */
import type { Kysely } from 'kysely';
import {
  deploymentResource,
  ownedAutomationId,
  ownedAutomationOf,
  owningDeployment,
} from '../deployment-automation.ts';
import type { DeploymentRecord, OwnedAutomationSync } from '../deployment-store.ts';
import {
  automationRow,
  deleteAutomationRows,
  rowHolds,
  writeAutomation,
  writeEnabled,
} from './automation-rows.ts';
import type { Database } from './schema.ts';

type Outcome = 'created' | 'updated' | 'deleted' | 'unchanged';

/**
 * Writes the automation a deployment owns. `replace` (a deploy) always rewrites it, its state
 * cleared; `sync` leaves one that is already right untouched and only flips `enabled` when that is
 * all that differs. A deployment without event or flow triggers owns none: one left is deleted.
 */
export async function writeOwnedAutomation(
  db: Kysely<Database>,
  deployment: DeploymentRecord,
  now: number,
  mode: 'replace' | 'sync',
): Promise<Outcome> {
  const id = ownedAutomationId(deployment.flow);
  const owned = ownedAutomationOf(deployment);
  const row = await automationRow(db, id);
  if (owned === null) return row && (await deleteAutomationRows(db, id)) ? 'deleted' : 'unchanged';
  if (row && mode === 'sync') {
    if (rowHolds(row, owned)) return 'unchanged';
    if (rowHolds(row, { ...owned, enabled: !owned.enabled })) {
      await writeEnabled(db, id, owned.enabled, now);
      return 'updated';
    }
  }
  await writeAutomation(
    db,
    owned,
    {
      createdAt: row ? Number(row.created_at) : now,
      updatedAt: now,
      lastFiredAt: row ? row.last_fired_at : null,
    },
    'upsert',
  );
  return row ? 'updated' : 'created';
}

/** Syncs every deployment's owned automation and deletes those whose deployment is gone. */
export async function syncOwnedAutomations(
  db: Kysely<Database>,
  deployments: readonly DeploymentRecord[],
  now: number,
): Promise<OwnedAutomationSync> {
  const out: OwnedAutomationSync = { created: [], updated: [], deleted: [] };
  const record = (outcome: Outcome, id: string) => {
    if (outcome !== 'unchanged') out[outcome].push(id);
  };
  for (const d of deployments)
    record(await writeOwnedAutomation(db, d, now, 'sync'), ownedAutomationId(d.flow));
  const flows = new Set(deployments.map((d) => d.flow));
  const candidates = await db
    .selectFrom('automations')
    .select(['id', 'owner'])
    .where('owner', 'like', `${deploymentResource('')}%`)
    .execute();
  for (const row of candidates) {
    const flow = owningDeployment({ id: row.id, ownerResource: row.owner });
    if (flow !== null && !flows.has(flow) && (await deleteAutomationRows(db, row.id)))
      out.deleted.push(row.id);
  }
  return out;
}
