/**
 * The metadata store over Kysely: one query module for every SQL dialect. Row mapping lives in
 * `metadata-rows.ts`, the write-op switch in `metadata-writes.ts`; what differs between databases
 * comes from the {@link SqlDialect} passed in by whoever opens the store (`sqlite/sqlite-stores.ts`,
 * `postgres/postgres-stores.ts`). Over 400 lines because it is one concept: the port's queries,
 * one method per `MetadataStore` method.
 */
import { type Expression, expressionBuilder, type Kysely, type SqlBool, type Transaction } from 'kysely';
import { ConflictError, type ExceptionRecord, NotFoundError } from '../../core/errors.ts';
import { applyTagMutation } from '../../core/tags.ts';
import { runEvent } from '../../events/lifecycle.ts';
import type { FlowtrailEvent } from '../../events/model.ts';
import type {
  ArtifactRecord,
  AttemptRecord,
  CreateRunOptions,
  FlowRecord,
  LatestRunQuery,
  LogLine,
  LogQuery,
  MetadataStore,
  MetadataWrite,
  NewRun,
  RunQuery,
  RunRecord,
  StepRecord,
  TagChange,
  TaskQuery,
  TaskRecord,
  WriteOptions,
} from '../metadata-store.ts';
import {
  artifactFromRow,
  attemptFromRow,
  causeRefs,
  flowFromRow,
  inChunks,
  json,
  logLineFromRow,
  runFromRow,
  stepFromRow,
  tagRows,
  taskFromRow,
} from './metadata-rows.ts';
import { applyWrites, insertTagRows } from './metadata-writes.ts';
import { QueryCounter } from './query-counter.ts';
import type { Database } from './schema.ts';
import type { SqlDialect } from './sql-dialect.ts';
import { UpdateStatements } from './update-statements.ts';

const runsScope = expressionBuilder<Database, 'runs'>();

/**
 * `EXISTS` conditions, one per distinct tag, on the `runs` table in scope: the run carries the tag
 * (as a user or a system tag). Each is a primary-key lookup in `run_tags`.
 */
function carriesTags(tags: readonly string[] | undefined): Expression<SqlBool>[] {
  return [...new Set(tags ?? [])].map((tag) =>
    runsScope.exists(
      runsScope
        .selectFrom('run_tags')
        .select(runsScope.lit(1).as('one'))
        .where('run_tags.tag', '=', tag)
        .whereRef('run_tags.run_id', '=', 'runs.id'),
    ),
  );
}

/**
 * Records a request key in the caller's transaction; false when it was already there (the request
 * was applied before). A concurrent try of the same request waits on the row lock, then sees it.
 */
async function claimRequestKey(trx: Transaction<Database>, key: string): Promise<boolean> {
  const claimed = await trx
    .insertInto('request_keys')
    .values({ key, created_at: Date.now(), result: null })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  return claimed !== undefined;
}

/**
 * `MetadataStore` over a Kysely database in the given dialect. Dialect adapters
 * (`sqlite/sqlite-stores.ts`, `postgres/postgres-stores.ts`) open the connection, run their
 * migration history and pass their dialect in.
 */
export class SqlMetadataStore implements MetadataStore {
  constructor(
    protected readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
    readonly location: string,
    private readonly onClose: () => Promise<void> = async () => {},
    /** Must be wired to `db`'s `log` option for `queryCount` to count anything. */
    private readonly queries: QueryCounter = new QueryCounter(),
  ) {}

  /** The write path's per-row updates, compiled once per shape. */
  private readonly updates = new UpdateStatements();

  get queryCount(): number {
    return this.queries.count;
  }

  async createRun(run: NewRun, options: CreateRunOptions = {}): Promise<RunRecord> {
    const key = options.idempotencyKey;
    return this.db.transaction().execute(async (trx) => {
      if (key !== undefined && !(await claimRequestKey(trx, key))) {
        const done = await trx
          .selectFrom('request_keys')
          .select('result')
          .where('key', '=', key)
          .executeTakeFirst();
        const runId = done?.result ? (JSON.parse(done.result) as { runId: number }).runId : undefined;
        const existing = runId === undefined ? undefined : await this.getRunIn(trx, runId);
        if (!existing)
          throw new ConflictError(
            `The request key '${key}' was already used by a different request; use a new key for a new run.`,
            { idempotencyKey: key },
          );
        return existing;
      }
      // The upsert takes the write lock first, so run numbers never collide across processes.
      const { last_run_number } = await trx
        .insertInto('flows')
        .values({ name: run.flow, created_at: run.createdAt, last_run_number: 1 })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet((eb) => ({ last_run_number: eb('flows.last_run_number', '+', 1) })),
        )
        .returning('last_run_number')
        .executeTakeFirstOrThrow();
      const row = await trx
        .insertInto('runs')
        .values({
          flow_name: run.flow,
          run_number: last_run_number,
          status: 'running',
          user_name: run.user,
          tags: json(run.tags),
          system_tags: json(run.systemTags),
          params: json(run.params),
          flow_file: run.flowFile,
          code_sha: run.codeSha,
          origin_run_number: run.originRunNumber,
          created_at: run.createdAt,
          finished_at: null,
          heartbeat_at: run.createdAt,
          orchestrator_pid: run.orchestratorPid,
          orchestrator_host: run.orchestratorHost,
          error: null,
          trigger: json(run.trigger ?? []),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await insertTagRows(trx, tagRows(Number(row.id), run.tags, run.systemTags));
      const refs = causeRefs(run.trigger ?? []);
      if (refs.length > 0)
        await trx
          .insertInto('run_causes')
          .values(refs.map((ref) => ({ ref, run_id: Number(row.id) })))
          .execute();
      const created = runFromRow(row);
      // The run's own lifecycle event commits with the run.
      if (options.startedEvent)
        await this.dialect.insertEvents(trx, [
          runEvent(created, 'started', created.createdAt, options.startedEvent.payload ?? {}),
        ]);
      if (key !== undefined)
        await trx
          .updateTable('request_keys')
          .set({ result: json({ runId: created.id }) })
          .where('key', '=', key)
          .execute();
      return created;
    });
  }

  async write(ops: readonly MetadataWrite[], options: WriteOptions = {}): Promise<void> {
    if (ops.length === 0) return;
    const key = options.idempotencyKey;
    await this.db.transaction().execute(async (trx) => {
      // A batch whose key is already stored was applied by an earlier try of the same request.
      if (key !== undefined && !(await claimRequestKey(trx, key))) return;
      // Events of the whole batch go in as one multi-row insert, in order, in the same transaction.
      const events: FlowtrailEvent[] = [];
      for (const op of ops) if (op.op === 'events.append') events.push(...op.events);
      await applyWrites(trx, ops, this.updates);
      // In the same parts as the other multi-row inserts: a few statement shapes, not one per
      // batch size (each shape is a large prepared statement the connection keeps).
      for (const part of inChunks(events)) await this.dialect.insertEvents(trx, part);
    });
  }

  async pruneRequestKeys(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('request_keys')
      .where('created_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async markRunCrashed(
    runId: number,
    at: number,
    reason: ExceptionRecord,
    events: readonly FlowtrailEvent[] = [],
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('runs')
        .set({ status: 'crashed', finished_at: at, error: json(reason) })
        .where('id', '=', runId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      await trx
        .updateTable('attempts')
        .set({ status: 'killed', finished_at: at, exception: json(reason) })
        .where('run_id', '=', runId)
        .where('status', '=', 'running')
        .execute();
      await trx
        .updateTable('tasks')
        .set({ status: 'failed', successful: 0, finished_at: at })
        .where('run_id', '=', runId)
        .where('status', 'in', ['running', 'pending'])
        .execute();
      await this.dialect.insertEvents(trx, events);
      return true;
    });
  }

  async listFlows(options: { tags?: readonly string[] } = {}): Promise<FlowRecord[]> {
    let q = this.db.selectFrom('flows').selectAll();
    const tagged = carriesTags(options.tags);
    if (tagged.length > 0)
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('runs')
            .select(eb.lit(1).as('one'))
            .whereRef('runs.flow_name', '=', 'flows.name')
            .where(runsScope.and(tagged)),
        ),
      );
    const rows = await q.orderBy('name').execute();
    return rows.map(flowFromRow);
  }

  async getFlow(flow: string): Promise<FlowRecord | undefined> {
    const row = await this.db.selectFrom('flows').selectAll().where('name', '=', flow).executeTakeFirst();
    return row === undefined ? undefined : flowFromRow(row);
  }

  async flowExists(flow: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('flows')
      .select((eb) => eb.lit(1).as('one'))
      .where('name', '=', flow)
      .executeTakeFirst();
    return row !== undefined;
  }

  async flowHasRun(flow: string, tags: readonly string[]): Promise<boolean> {
    let q = this.db
      .selectFrom('runs')
      .select((eb) => eb.lit(1).as('one'))
      .where('flow_name', '=', flow);
    for (const condition of carriesTags(tags)) q = q.where(condition);
    return (await q.limit(1).executeTakeFirst()) !== undefined;
  }

  async getRun(flow: string, runNumber: number): Promise<RunRecord | undefined> {
    const row = await this.db
      .selectFrom('runs')
      .selectAll()
      .where('flow_name', '=', flow)
      .where('run_number', '=', runNumber)
      .executeTakeFirst();
    return row ? runFromRow(row) : undefined;
  }

  async listRunsTriggeredBy(ref: string): Promise<RunRecord[]> {
    const rows = await this.db
      .selectFrom('runs')
      .selectAll('runs')
      .where('runs.id', 'in', (eb) =>
        eb.selectFrom('run_causes').select('run_causes.run_id').where('run_causes.ref', '=', ref),
      )
      .orderBy('runs.id', 'asc')
      .execute();
    return rows.map(runFromRow);
  }

  async getRunById(runId: number): Promise<RunRecord | undefined> {
    return this.getRunIn(this.db, runId);
  }

  private async getRunIn(db: Kysely<Database>, runId: number): Promise<RunRecord | undefined> {
    const row = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
    return row ? runFromRow(row) : undefined;
  }

  async listRuns(flow: string, query: RunQuery = {}): Promise<RunRecord[]> {
    let q = this.db.selectFrom('runs').selectAll().where('flow_name', '=', flow);
    if (query.beforeRunNumber !== undefined) q = q.where('run_number', '<', query.beforeRunNumber);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    for (const condition of carriesTags(query.tags)) q = q.where(condition);
    const rows = await q
      .orderBy('run_number', 'desc')
      .limit(query.limit ?? 50)
      .execute();
    return rows.map(runFromRow);
  }

  async listRunningRuns(flow?: string): Promise<RunRecord[]> {
    let q = this.db.selectFrom('runs').selectAll().where('status', '=', 'running');
    if (flow !== undefined) q = q.where('flow_name', '=', flow);
    return (await q.execute()).map(runFromRow);
  }

  async latestRun(options: LatestRunQuery = {}): Promise<RunRecord | undefined> {
    let q = this.db.selectFrom('runs').selectAll();
    if (options.flow !== undefined) q = q.where('flow_name', '=', options.flow);
    if (options.user !== undefined) q = q.where('user_name', '=', options.user);
    if (options.status !== undefined) q = q.where('status', '=', options.status);
    for (const condition of carriesTags(options.tags)) q = q.where(condition);
    const row = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row ? runFromRow(row) : undefined;
  }

  async mutateRunTags(runId: number, change: TagChange): Promise<{ tags: string[]; systemTags: string[] }> {
    return this.db.transaction().execute(async (trx) => {
      // A write first: it takes the database write lock (waiting for other writers) before the run
      // is read, so concurrent mutations, from any process, apply one after another.
      const row = await trx
        .updateTable('runs')
        .set((eb) => ({ tags: eb.ref('tags') }))
        .where('id', '=', runId)
        .returning(['tags', 'system_tags'])
        .executeTakeFirst();
      if (row === undefined) throw new NotFoundError('run', `Run id ${runId} does not exist.`);
      const current = {
        tags: JSON.parse(row.tags) as string[],
        systemTags: JSON.parse(row.system_tags) as string[],
      };
      const tags = applyTagMutation(current, change);
      const unchanged = tags.length === current.tags.length && tags.every((t, i) => t === current.tags[i]);
      if (!unchanged) {
        await trx
          .updateTable('runs')
          .set({ tags: json(tags) })
          .where('id', '=', runId)
          .execute();
        await trx.deleteFrom('run_tags').where('run_id', '=', runId).where('system', '=', 0).execute();
        const system = new Set(current.systemTags);
        await insertTagRows(
          trx,
          tags.filter((tag) => !system.has(tag)).map((tag) => ({ run_id: runId, tag, system: 0 })),
        );
      }
      return { tags, systemTags: current.systemTags };
    });
  }

  async listSteps(runId: number): Promise<StepRecord[]> {
    const rows = await this.db
      .selectFrom('steps')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('created_at')
      .orderBy('name')
      .execute();
    return rows.map(stepFromRow);
  }

  async getStep(runId: number, name: string): Promise<StepRecord | undefined> {
    const row = await this.db
      .selectFrom('steps')
      .selectAll()
      .where('run_id', '=', runId)
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? stepFromRow(row) : undefined;
  }

  async listTasks(runId: number, options: TaskQuery = {}): Promise<TaskRecord[]> {
    let q = this.db.selectFrom('tasks').selectAll().where('run_id', '=', runId);
    if (options.step !== undefined) q = q.where('step_name', '=', options.step);
    if (options.afterTaskId !== undefined) q = q.where('task_id', '>', options.afterTaskId);
    if (options.beforeTaskId !== undefined) q = q.where('task_id', '<', options.beforeTaskId);
    q = q.orderBy('task_id', options.order ?? 'asc');
    if (options.limit !== undefined) q = q.limit(options.limit);
    return (await q.execute()).map(taskFromRow);
  }

  async getTask(runId: number, taskId: number): Promise<TaskRecord | undefined> {
    const row = await this.db
      .selectFrom('tasks')
      .selectAll()
      .where('run_id', '=', runId)
      .where('task_id', '=', taskId)
      .executeTakeFirst();
    return row ? taskFromRow(row) : undefined;
  }

  async listAttempts(runId: number, taskId: number): Promise<AttemptRecord[]> {
    const rows = await this.db
      .selectFrom('attempts')
      .selectAll()
      .where('run_id', '=', runId)
      .where('task_id', '=', taskId)
      .orderBy('attempt')
      .execute();
    return rows.map(attemptFromRow);
  }

  async listArtifacts(
    runId: number,
    taskId: number,
    options: { attempt?: number } = {},
  ): Promise<ArtifactRecord[]> {
    let attempt = options.attempt;
    if (attempt === undefined) {
      const task = await this.getTask(runId, taskId);
      if (!task || task.finalAttempt === null) return [];
      attempt = task.finalAttempt;
    }
    const rows = await this.db
      .selectFrom('artifacts')
      .selectAll()
      .where('run_id', '=', runId)
      .where('task_id', '=', taskId)
      .where('attempt', '=', attempt)
      .orderBy('name')
      .execute();
    return rows.map(artifactFromRow);
  }

  async listArtifactsOfTasks(runId: number, taskIds: readonly number[]): Promise<ArtifactRecord[]> {
    if (taskIds.length === 0) return [];
    const out: ArtifactRecord[] = [];
    for (const ids of inChunks(taskIds)) {
      const rows = await this.db
        .selectFrom('artifacts as a')
        .innerJoin('tasks as t', (j) =>
          j
            .onRef('t.run_id', '=', 'a.run_id')
            .onRef('t.task_id', '=', 'a.task_id')
            .onRef('t.final_attempt', '=', 'a.attempt'),
        )
        .selectAll('a')
        .where('a.run_id', '=', runId)
        .where('a.task_id', 'in', ids)
        .execute();
      out.push(...rows.map(artifactFromRow));
    }
    return out;
  }

  async readLogs(runId: number, taskId: number, query: LogQuery = {}): Promise<LogLine[]> {
    let attempt = query.attempt;
    if (attempt === undefined) {
      const task = await this.getTask(runId, taskId);
      attempt = task?.finalAttempt ?? (task && task.attempts > 0 ? task.attempts - 1 : 0);
    }
    let q = this.db
      .selectFrom('log_lines')
      .selectAll()
      .where('run_id', '=', runId)
      .where('task_id', '=', taskId)
      .where('attempt', '=', attempt);
    if (query.stream !== undefined) q = q.where('stream', '=', query.stream);
    if (query.afterSeq !== undefined) q = q.where('seq', '>', query.afterSeq);
    const rows = await q
      .orderBy('seq')
      .limit(query.limit ?? 100_000)
      .execute();
    return rows.map(logLineFromRow);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }
}
