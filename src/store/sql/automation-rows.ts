/**
 * Automations as rows, and back; and the writes that keep an automation's row and its lookup links
 * together. Shared by `SqlAutomationStore` and `SqlDeploymentStore`, which keeps each deployment's
 * owned automation in its own transactions.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Automation, AutomationAction } from '../../automations/model.ts';
import { relatedResources } from '../../automations/related-resources.ts';
import type { Firing } from '../../automations/trigger-state.ts';
import type {
  ActionList,
  ActionRecord,
  ActionStatus,
  AutomationFiringRecord,
  AutomationRecord,
} from '../automation-store.ts';
import type { AutomationActionsTable, AutomationFiringsTable, AutomationsTable, Database } from './schema.ts';

/** What an automation is besides its own columns. */
type Definition = Pick<
  Automation,
  'description' | 'trigger' | 'actions' | 'actionsOnTrigger' | 'actionsOnResolve'
>;

/** The columns an automation's definition decides (not its times or state). */
function definitionColumns(a: Automation) {
  const definition: Definition = {
    description: a.description,
    trigger: a.trigger,
    actions: a.actions,
    actionsOnTrigger: a.actionsOnTrigger,
    actionsOnResolve: a.actionsOnResolve,
  };
  return {
    name: a.name,
    enabled: a.enabled ? 1 : 0,
    owner: a.ownerResource,
    tags: JSON.stringify(a.tags),
    definition: JSON.stringify(definition),
  };
}

/** Whether a stored row already holds this automation as it is (then it needs no rewrite). */
export function rowHolds(row: Selectable<AutomationsTable>, a: Automation): boolean {
  const c = definitionColumns(a);
  return (
    row.name === c.name &&
    Number(row.enabled) === c.enabled &&
    row.owner === c.owner &&
    row.tags === c.tags &&
    row.definition === c.definition
  );
}

export function toAutomationRecord(row: Selectable<AutomationsTable>): AutomationRecord {
  const d = JSON.parse(row.definition) as Definition;
  return {
    id: row.id,
    name: row.name,
    description: d.description,
    enabled: Number(row.enabled) === 1,
    tags: JSON.parse(row.tags) as string[],
    trigger: d.trigger,
    actions: d.actions,
    actionsOnTrigger: d.actionsOnTrigger,
    actionsOnResolve: d.actionsOnResolve,
    ownerResource: row.owner,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    lastFiredAt: row.last_fired_at === null ? null : Number(row.last_fired_at),
  };
}

export async function automationRow(
  db: Kysely<Database>,
  id: string,
): Promise<Selectable<AutomationsTable> | undefined> {
  return db.selectFrom('automations').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Writes an automation with its state cleared, and its links: `insert` only when its id is new
 * (false when it exists: nothing written), `upsert` replacing the row of the same id. The caller
 * keeps `createdAt` and `lastFiredAt` of the old row.
 */
export async function writeAutomation(
  db: Kysely<Database>,
  a: Automation,
  times: { createdAt: number; updatedAt: number; lastFiredAt: number | null },
  mode: 'insert' | 'upsert',
): Promise<boolean> {
  const row: Insertable<AutomationsTable> = {
    id: a.id,
    ...definitionColumns(a),
    created_at: times.createdAt,
    updated_at: times.updatedAt,
    last_fired_at: times.lastFiredAt,
    state: null,
  };
  const { id: _, ...update } = row;
  const written = await db
    .insertInto('automations')
    .values(row)
    .onConflict((oc) =>
      mode === 'insert' ? oc.column('id').doNothing() : oc.column('id').doUpdateSet(update),
    )
    .executeTakeFirst();
  if (Number(written.numInsertedOrUpdatedRows ?? 0) === 0) return false;
  await db.deleteFrom('automation_links').where('automation_id', '=', a.id).execute();
  const links = [
    ...[...new Set(a.tags)].map((value) => ({ kind: 'tag' as const, value, automation_id: a.id })),
    ...relatedResources(a).map((value) => ({ kind: 'related' as const, value, automation_id: a.id })),
  ];
  if (links.length > 0)
    await db
      .insertInto('automation_links')
      .values(links)
      .onConflict((oc) => oc.doNothing())
      .execute();
  return true;
}

/**
 * Enables or disables an automation. Enabling a disabled one clears its state and sets
 * `updated_at` (events before it do not count); anything else changes only the flag.
 */
export async function writeEnabled(
  db: Kysely<Database>,
  id: string,
  enabled: boolean,
  now: number,
): Promise<void> {
  if (!enabled) {
    await db.updateTable('automations').set({ enabled: 0 }).where('id', '=', id).execute();
    return;
  }
  await db
    .updateTable('automations')
    .set({ enabled: 1, state: null, updated_at: now })
    .where('id', '=', id)
    .where('enabled', '=', 0)
    .execute();
}

/** Deletes an automation, its links, firings and actions; whether it existed. */
export async function deleteAutomationRows(db: Kysely<Database>, id: string): Promise<boolean> {
  await db
    .deleteFrom('automation_actions')
    .where('firing_id', 'in', (eb) =>
      eb.selectFrom('automation_firings').select('id').where('automation_id', '=', id),
    )
    .execute();
  await db.deleteFrom('automation_firings').where('automation_id', '=', id).execute();
  await db.deleteFrom('automation_links').where('automation_id', '=', id).execute();
  const r = await db.deleteFrom('automations').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export const firingRow = (f: AutomationFiringRecord): Insertable<AutomationFiringsTable> => ({
  id: f.id,
  automation_id: f.automation,
  triggered_at: f.triggeredAt,
  firing: JSON.stringify(f.firing),
  event_ids: JSON.stringify(f.eventIds),
});

export const toFiringRecord = (r: Selectable<AutomationFiringsTable>): AutomationFiringRecord => ({
  id: r.id,
  automation: r.automation_id,
  firing: JSON.parse(r.firing) as Firing,
  eventIds: JSON.parse(r.event_ids) as string[],
  triggeredAt: Number(r.triggered_at),
});

export const actionRow = (a: ActionRecord): Insertable<AutomationActionsTable> => ({
  id: a.id,
  firing_id: a.firing,
  automation_id: a.automation,
  list: a.list,
  action_index: a.index,
  action: JSON.stringify(a.action),
  status: a.status,
  attempts: a.attempts,
  message: a.message,
  target: a.target,
  created_at: a.createdAt,
  finished_at: a.finishedAt,
});

export const toActionRecord = (r: Selectable<AutomationActionsTable>): ActionRecord => ({
  id: r.id,
  firing: r.firing_id,
  automation: r.automation_id,
  list: r.list as ActionList,
  index: Number(r.action_index),
  action: JSON.parse(r.action) as AutomationAction,
  status: r.status as ActionStatus,
  attempts: Number(r.attempts),
  message: r.message,
  target: r.target,
  createdAt: Number(r.created_at),
  finishedAt: r.finished_at === null ? null : Number(r.finished_at),
});
