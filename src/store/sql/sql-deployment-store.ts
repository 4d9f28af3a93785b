import type { Kysely, Selectable } from 'kysely';
import { parseState } from '../../automations/trigger-state.ts';
import type { TriggerSpec } from '../../flow/trigger-spec.ts';
import { ownedArrivals, ownedAutomationId } from '../deployment-automation.ts';
import type {
  ArrivedDependency,
  DeploymentProblem,
  DeploymentRecord,
  DeploymentStatus,
  DeploymentStore,
  EngineCommit,
  EngineState,
  FiringRecord,
  FiringStatus,
  OwnedAutomationSync,
} from '../deployment-store.ts';
import type { TriggerCause } from '../metadata-store.ts';
import { deleteAutomationRows, writeEnabled } from './automation-rows.ts';
import { advanceUnderLease, ENGINE } from './engine-lease.ts';
import { syncOwnedAutomations, writeOwnedAutomation } from './owned-automations.ts';
import type { Database, DeploymentFiringsTable, DeploymentsTable } from './schema.ts';

const toDeployment = (r: Selectable<DeploymentsTable>): DeploymentRecord => ({
  flow: r.flow,
  file: r.file,
  bundleSha: r.bundle_sha,
  codeSha: r.code_sha,
  params: JSON.parse(r.params) as Record<string, unknown>,
  triggers: JSON.parse(r.triggers) as TriggerSpec,
  productionToken: r.production_token,
  status: r.status as DeploymentStatus,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  lastProblem: r.last_problem === null ? null : (JSON.parse(r.last_problem) as DeploymentProblem),
  nextScheduledAt: r.next_scheduled_at === null ? null : Number(r.next_scheduled_at),
});

const toFiring = (r: Selectable<DeploymentFiringsTable>): FiringRecord => ({
  id: r.id,
  flow: r.flow,
  causes: JSON.parse(r.causes) as TriggerCause[],
  status: r.status as FiringStatus,
  runId: r.run_id === null ? null : Number(r.run_id),
  createdAt: Number(r.created_at),
  message: r.message,
});

/** Deployments and the trigger engine's state in SQL (every dialect). */
export class SqlDeploymentStore implements DeploymentStore {
  constructor(
    private readonly db: Kysely<Database>,
    readonly location: string,
  ) {}

  async upsert(d: DeploymentRecord): Promise<void> {
    const row = {
      flow: d.flow,
      file: d.file,
      bundle_sha: d.bundleSha,
      code_sha: d.codeSha,
      params: JSON.stringify(d.params),
      triggers: JSON.stringify(d.triggers),
      production_token: d.productionToken,
      status: d.status,
      created_at: d.createdAt,
      updated_at: d.updatedAt,
      last_problem: d.lastProblem === null ? null : JSON.stringify(d.lastProblem),
      next_scheduled_at: d.nextScheduledAt,
    };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('deployments')
        .values(row)
        .onConflict((oc) =>
          oc.column('flow').doUpdateSet({
            file: row.file,
            bundle_sha: row.bundle_sha,
            code_sha: row.code_sha,
            params: row.params,
            triggers: row.triggers,
            updated_at: row.updated_at,
            last_problem: null,
            next_scheduled_at: row.next_scheduled_at,
          }),
        )
        .execute();
      // New triggers start from nothing: what arrived for the old ones does not count.
      await trx.deleteFrom('deployment_arrivals').where('flow', '=', d.flow).execute();
      // From the stored row: a re-deploy keeps the status (a paused deployment stays paused).
      const stored = (await this.read(trx, d.flow))!;
      await writeOwnedAutomation(trx, stored, stored.updatedAt, 'replace');
    });
  }

  get(flow: string): Promise<DeploymentRecord | undefined> {
    return this.read(this.db, flow);
  }

  private async read(db: Kysely<Database>, flow: string): Promise<DeploymentRecord | undefined> {
    const row = await db.selectFrom('deployments').selectAll().where('flow', '=', flow).executeTakeFirst();
    return row ? toDeployment(row) : undefined;
  }

  async list(): Promise<DeploymentRecord[]> {
    return (await this.db.selectFrom('deployments').selectAll().orderBy('flow').execute()).map(toDeployment);
  }

  async setStatus(flow: string, status: DeploymentStatus, at: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('deployments')
        .set({ status, updated_at: at })
        .where('flow', '=', flow)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await writeEnabled(trx, ownedAutomationId(flow), status === 'active', at);
      return true;
    });
  }

  async recordProblem(flow: string, problem: DeploymentProblem | null): Promise<void> {
    await this.db
      .updateTable('deployments')
      .set({ last_problem: problem === null ? null : JSON.stringify(problem) })
      .where('flow', '=', flow)
      .execute();
  }

  async setNextScheduledAt(flow: string, at: number | null): Promise<void> {
    await this.db
      .updateTable('deployments')
      .set({ next_scheduled_at: at })
      .where('flow', '=', flow)
      .execute();
  }

  async delete(flow: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.deleteFrom('deployments').where('flow', '=', flow).executeTakeFirst();
      await trx.deleteFrom('deployment_arrivals').where('flow', '=', flow).execute();
      await deleteAutomationRows(trx, ownedAutomationId(flow));
      return Number(r.numDeletedRows) > 0;
    });
  }

  async syncOwnedAutomations(now: number): Promise<OwnedAutomationSync> {
    return this.db
      .transaction()
      .execute(async (trx) =>
        syncOwnedAutomations(
          trx,
          (await trx.selectFrom('deployments').selectAll().orderBy('flow').execute()).map(toDeployment),
          now,
        ),
      );
  }

  async acquireLease(owner: string, now: number, until: number): Promise<boolean> {
    const r = await this.db
      .updateTable('engine_state')
      .set({ lease_owner: owner, lease_until: until })
      .where('name', '=', ENGINE)
      .where((eb) =>
        eb.or([eb('lease_owner', '=', owner), eb('lease_owner', 'is', null), eb('lease_until', '<', now)]),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async releaseLease(owner: string): Promise<void> {
    await this.db
      .updateTable('engine_state')
      .set({ lease_owner: null, lease_until: 0 })
      .where('name', '=', ENGINE)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async engineState(): Promise<EngineState> {
    const r = await this.db
      .selectFrom('engine_state')
      .selectAll()
      .where('name', '=', ENGINE)
      .executeTakeFirstOrThrow();
    return { position: Number(r.position), leaseOwner: r.lease_owner, leaseUntil: Number(r.lease_until) };
  }

  async commitEngine(commit: EngineCommit, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await advanceUnderLease(trx, commit.owner, now, commit.position))) return false;
      for (const f of commit.firings)
        await trx
          .insertInto('deployment_firings')
          .values({
            id: f.id,
            flow: f.flow,
            causes: JSON.stringify(f.causes),
            status: f.status,
            run_id: f.runId,
            created_at: f.createdAt,
            message: f.message,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      return true;
    });
  }

  async arrivals(flow: string): Promise<ArrivedDependency[]> {
    const deployment = await this.get(flow);
    if (!deployment) return [];
    const row = await this.db
      .selectFrom('automations')
      .select('state')
      .where('id', '=', ownedAutomationId(flow))
      .executeTakeFirst();
    return ownedArrivals(deployment, row?.state ? parseState(row.state) : null);
  }

  async recordFiring(firing: FiringRecord): Promise<void> {
    const row = {
      id: firing.id,
      flow: firing.flow,
      causes: JSON.stringify(firing.causes),
      status: firing.status,
      run_id: firing.runId,
      created_at: firing.createdAt,
      message: firing.message,
    };
    await this.db
      .insertInto('deployment_firings')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ status: row.status, run_id: row.run_id, message: row.message }),
      )
      .execute();
  }

  async pendingFirings(): Promise<FiringRecord[]> {
    const rows = await this.db
      .selectFrom('deployment_firings')
      .selectAll()
      .where('status', '=', 'pending')
      .orderBy('created_at')
      .execute();
    return rows.map(toFiring);
  }

  async firings(flow: string, limit = 20): Promise<FiringRecord[]> {
    const rows = await this.db
      .selectFrom('deployment_firings')
      .selectAll()
      .where('flow', '=', flow)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toFiring);
  }

  async latestFirings(): Promise<FiringRecord[]> {
    // One index probe (flow, created_at) per deployment, rather than a scan of every firing.
    const rows = await this.db
      .selectFrom('deployments as d')
      .innerJoin('deployment_firings as f', (join) =>
        join.on((eb) =>
          eb(
            'f.id',
            '=',
            eb
              .selectFrom('deployment_firings as g')
              .select('g.id')
              .whereRef('g.flow', '=', 'd.flow')
              .orderBy('g.created_at', 'desc')
              .orderBy('g.id', 'desc')
              .limit(1),
          ),
        ),
      )
      .selectAll('f')
      .orderBy('f.flow')
      .execute();
    return rows.map(toFiring);
  }

  async finishFiring(
    id: string,
    outcome: { status: 'started' | 'failed'; runId?: number; message?: string },
  ): Promise<void> {
    await this.db
      .updateTable('deployment_firings')
      .set({ status: outcome.status, run_id: outcome.runId ?? null, message: outcome.message ?? null })
      .where('id', '=', id)
      .execute();
  }
}
