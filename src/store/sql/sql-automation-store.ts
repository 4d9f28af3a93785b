/**
 * Automations, their trigger states, firings and actions in SQL (every dialect). The engine's
 * commits are checked against the engine lease in `engine_state` (the row `SqlDeploymentStore`
 * keeps), in the same transaction as what they write.
 */
import { type Kysely, sql } from 'kysely';
import type { Automation } from '../../automations/model.ts';
import type { OrderingState } from '../../automations/ordering.ts';
import { parseState, serializeState, type TriggerState } from '../../automations/trigger-state.ts';
import { ConflictError } from '../../core/errors.ts';
import type {
  ActionRecord,
  AutomationCommit,
  AutomationFiringRecord,
  AutomationQuery,
  AutomationRecord,
  AutomationStore,
  FiringHistoryEntry,
} from '../automation-store.ts';
import { owningDeployment } from '../deployment-automation.ts';
import {
  actionRow,
  automationRow,
  deleteAutomationRows,
  firingRow,
  toActionRecord,
  toAutomationRecord,
  toFiringRecord,
  writeAutomation,
  writeEnabled,
} from './automation-rows.ts';
import { advanceUnderLease, ENGINE } from './engine-lease.ts';
import { inChunks, inIdSlices } from './metadata-rows.ts';
import type { Database } from './schema.ts';
import type { SqlDialect } from './sql-dialect.ts';

const HISTORY_PAGE = 20;
const PENDING_PAGE = 100;

/** Refuses to change the automation a deployment owns by itself. */
function refuseOwned(a: { id: string; ownerResource: string | null; name: string }, change: string): void {
  const flow = owningDeployment(a);
  if (flow === null) return;
  throw new ConflictError(
    `Automation ${a.id} ('${a.name}') is deployment ${flow}'s @trigger / @triggerOnFinish and cannot be ${change} by itself: re-deploy ${flow} to change its triggers, or pause / resume the deployment (\`flowtrail deployments pause ${flow}\`).`,
    { id: a.id, deployment: flow },
  );
}

const ownerOf = (row: { id: string; name: string; owner: string | null }) => ({
  id: row.id,
  name: row.name,
  ownerResource: row.owner,
});

/** The automation store of one SQL database. */
export class SqlAutomationStore implements AutomationStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
    readonly location: string,
  ) {}

  async loadOrdering(): Promise<OrderingState | null> {
    const row = await this.db
      .selectFrom('engine_state')
      .select('ordering')
      .where('name', '=', ENGINE)
      .executeTakeFirst();
    return row?.ordering ? (JSON.parse(row.ordering) as OrderingState) : null;
  }

  private async read(db: Kysely<Database>, id: string): Promise<AutomationRecord | undefined> {
    const row = await automationRow(db, id);
    return row ? toAutomationRecord(row) : undefined;
  }

  async create(automation: Automation, now: number): Promise<AutomationRecord> {
    refuseOwned(automation, 'created');
    return this.db.transaction().execute(async (trx) => {
      const inserted = await writeAutomation(
        trx,
        automation,
        { createdAt: now, updatedAt: now, lastFiredAt: null },
        'insert',
      );
      if (!inserted)
        throw new ConflictError(
          `An automation with id ${automation.id} exists already in ${this.location}: replace it, or create this one without an id (or with another).`,
          { id: automation.id },
        );
      return (await this.read(trx, automation.id))!;
    });
  }

  async replace(automation: Automation, now: number): Promise<AutomationRecord | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await automationRow(trx, automation.id);
      if (!row) return undefined;
      refuseOwned(ownerOf(row), 'replaced');
      refuseOwned(automation, 'replaced');
      await writeAutomation(
        trx,
        automation,
        { createdAt: Number(row.created_at), updatedAt: now, lastFiredAt: row.last_fired_at },
        'upsert',
      );
      return this.read(trx, automation.id);
    });
  }

  async setEnabled(id: string, enabled: boolean, now: number): Promise<AutomationRecord | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await automationRow(trx, id);
      if (!row) return undefined;
      refuseOwned(ownerOf(row), enabled ? 'enabled' : 'disabled');
      await writeEnabled(trx, id, enabled, now);
      return this.read(trx, id);
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await automationRow(trx, id);
      if (!row) return false;
      refuseOwned(ownerOf(row), 'deleted');
      return deleteAutomationRows(trx, id);
    });
  }

  get(id: string): Promise<AutomationRecord | undefined> {
    return this.read(this.db, id);
  }

  async list(query: AutomationQuery = {}): Promise<AutomationRecord[]> {
    let q = this.db.selectFrom('automations').selectAll();
    if (query.owner === null) q = q.where('owner', 'is', null);
    else if (query.owner !== undefined) q = q.where('owner', '=', query.owner);
    if (query.enabled !== undefined) q = q.where('enabled', '=', query.enabled ? 1 : 0);
    // `id IN (…)`: the lookup walks the links' key (kind, value) instead of probing per automation.
    const linked = (kind: 'tag' | 'related', value: string) =>
      q.where('id', 'in', (eb) =>
        eb
          .selectFrom('automation_links')
          .select('automation_id')
          .where('kind', '=', kind)
          .where('value', '=', value),
      );
    if (query.tag !== undefined) q = linked('tag', query.tag);
    if (query.relatedTo !== undefined) q = linked('related', query.relatedTo);
    const rows = await q.orderBy('name').orderBy('id').execute();
    return rows.map(toAutomationRecord);
  }

  async history(
    id: string,
    options: { limit?: number; before?: number; beforeId?: string } = {},
  ): Promise<FiringHistoryEntry[]> {
    const { before, beforeId } = options;
    let q = this.db.selectFrom('automation_firings').selectAll().where('automation_id', '=', id);
    if (before !== undefined)
      q = q.where((eb) =>
        beforeId === undefined
          ? eb('triggered_at', '<', before)
          : eb(eb.refTuple('triggered_at', 'id'), '<', eb.tuple(before, beforeId)),
      );
    const firings = (
      await q
        .orderBy('triggered_at', 'desc')
        .orderBy('id', 'desc')
        .limit(options.limit ?? HISTORY_PAGE)
        .execute()
    ).map(toFiringRecord);
    return this.withActions(firings);
  }

  async firingHistory(ids: readonly string[]): Promise<FiringHistoryEntry[]> {
    return this.withActions((await this.firings(ids)).reverse());
  }

  /** Each firing with the actions it decided on (one query per slice of firings). */
  private async withActions(firings: AutomationFiringRecord[]): Promise<FiringHistoryEntry[]> {
    const byFiring = new Map<string, ActionRecord[]>(firings.map((f) => [f.id, []]));
    for (const ids of inIdSlices([...byFiring.keys()])) {
      const rows = await this.db
        .selectFrom('automation_actions')
        .selectAll()
        .where('firing_id', 'in', ids)
        .orderBy('firing_id')
        .orderBy('list')
        .orderBy('action_index')
        .execute();
      for (const r of rows) byFiring.get(r.firing_id)!.push(toActionRecord(r));
    }
    return firings.map((firing) => ({ firing, actions: byFiring.get(firing.id)! }));
  }

  async loadStates(ids: readonly string[]): Promise<Map<string, TriggerState>> {
    const out = new Map<string, TriggerState>();
    for (const slice of inIdSlices(ids)) {
      const rows = await this.db
        .selectFrom('automations')
        .select(['id', 'state'])
        .where('id', 'in', slice)
        .where('state', 'is not', null)
        .execute();
      for (const r of rows) out.set(r.id, parseState(r.state!));
    }
    return out;
  }

  async commitEvaluation(commit: AutomationCommit, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await advanceUnderLease(trx, commit.owner, now, commit.position))) return false;
      if (commit.ordering)
        await trx
          .updateTable('engine_state')
          .set({ ordering: JSON.stringify(commit.ordering) })
          .where('name', '=', ENGINE)
          .execute();
      // The firings' events land with them: a committed firing always has its event, once.
      for (const part of inChunks(commit.events ?? [])) await this.dialect.insertEvents(trx, part);
      // What belongs to an automation deleted meanwhile is dropped, not left behind.
      const named = [
        ...new Set([
          ...commit.states.map((s) => s.automation),
          ...commit.firings.map((f) => f.automation),
          ...commit.actions.map((a) => a.automation),
        ]),
      ];
      const present = new Set<string>();
      for (const ids of inIdSlices(named))
        for (const r of await trx.selectFrom('automations').select('id').where('id', 'in', ids).execute())
          present.add(r.id);
      for (const s of commit.states)
        if (present.has(s.automation))
          await trx
            .updateTable('automations')
            .set({ state: serializeState(s.state) })
            .where('id', '=', s.automation)
            .where('updated_at', '=', s.updatedAt)
            .execute();
      const firings = commit.firings.filter((f) => present.has(f.automation));
      for (const rows of inChunks(firings.map(firingRow)))
        await trx
          .insertInto('automation_firings')
          .values(rows)
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      for (const rows of inChunks(commit.actions.filter((a) => present.has(a.automation)).map(actionRow)))
        await trx
          .insertInto('automation_actions')
          .values(rows)
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      const lastFired = new Map<string, number>();
      for (const f of firings)
        lastFired.set(f.automation, Math.max(lastFired.get(f.automation) ?? f.triggeredAt, f.triggeredAt));
      for (const [id, at] of lastFired)
        await trx
          .updateTable('automations')
          .set({ last_fired_at: at })
          .where('id', '=', id)
          .where((eb) => eb.or([eb('last_fired_at', 'is', null), eb('last_fired_at', '<', at)]))
          .execute();
      return true;
    });
  }

  async pendingActions(limit = PENDING_PAGE): Promise<ActionRecord[]> {
    const rows = await this.db
      .selectFrom('automation_actions')
      .selectAll()
      // A literal, so both databases match the partial index `automation_actions_pending`.
      .where(sql<boolean>`status = ${sql.lit('pending')}`)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toActionRecord);
  }

  async finishAction(
    id: string,
    outcome: {
      status: 'executed' | 'failed';
      attempts: number;
      message: string | null;
      target: string | null;
    },
    now: number,
  ): Promise<void> {
    await this.db
      .updateTable('automation_actions')
      .set({
        status: outcome.status,
        attempts: outcome.attempts,
        message: outcome.message,
        target: outcome.target,
        finished_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  async firings(ids: readonly string[]): Promise<AutomationFiringRecord[]> {
    const out: AutomationFiringRecord[] = [];
    for (const slice of inIdSlices(ids)) {
      const rows = await this.db
        .selectFrom('automation_firings')
        .selectAll()
        .where('id', 'in', slice)
        .execute();
      out.push(...rows.map(toFiringRecord));
    }
    return out.sort((a, b) => a.triggeredAt - b.triggeredAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
