import {
  type Expression,
  expressionBuilder,
  type Kysely,
  type LogEvent,
  type Selectable,
  type SqlBool,
  type Transaction,
  type Updateable,
} from 'kysely';
import { ConflictError, type ExceptionRecord, NotFoundError } from '../../core/errors.ts';
import { applyTagMutation } from '../../core/tags.ts';
import { runEvent } from '../../events/lifecycle.ts';
import type { FlowtrailEvent } from '../../events/model.ts';
import type {
  ArtifactRecord,
  AttemptRecord,
  AttemptStatus,
  CreateRunOptions,
  EnvironmentInfo,
  FlowRecord,
  LatestRunQuery,
  LogLine,
  LogQuery,
  LogStream,
  MetadataStore,
  MetadataWrite,
  NewRun,
  RunQuery,
  RunRecord,
  RunStatus,
  StepRecord,
  TagChange,
  TaskQuery,
  TaskRecord,
  TaskStatus,
  TriggerCause,
  WriteOptions,
} from '../metadata-store.ts';
import type { Database, RunsTable, RunTagsTable, StepsTable, TasksTable } from './schema.ts';
import { insertEvents } from './sqlite-events.ts';

const json = (v: unknown): string => JSON.stringify(v);
const parseJson = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
const bool = (v: number | null): boolean | null => (v === null ? null : v !== 0);

// Stay below SQLite's bound-variable limit in multi-row inserts.
const ROWS_PER_INSERT = 400;

function toRun(r: Selectable<RunsTable>): RunRecord {
  return {
    id: Number(r.id),
    flow: r.flow_name,
    runNumber: Number(r.run_number),
    status: r.status as RunStatus,
    user: r.user_name,
    tags: JSON.parse(r.tags) as string[],
    systemTags: JSON.parse(r.system_tags) as string[],
    params: JSON.parse(r.params) as Record<string, unknown>,
    flowFile: r.flow_file,
    codeSha: r.code_sha,
    originRunNumber: r.origin_run_number === null ? null : Number(r.origin_run_number),
    createdAt: Number(r.created_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    heartbeatAt: r.heartbeat_at === null ? null : Number(r.heartbeat_at),
    orchestratorPid: r.orchestrator_pid,
    orchestratorHost: r.orchestrator_host,
    error: parseJson<ExceptionRecord>(r.error),
    trigger: JSON.parse(r.trigger) as TriggerCause[],
  };
}

/** The references a run's trigger can be found by: every event id, and upstream run pathspecs. */
function causeRefs(trigger: readonly TriggerCause[]): string[] {
  const refs = new Set<string>();
  for (const cause of trigger) {
    refs.add(cause.id);
    if (cause.pathspec) refs.add(cause.pathspec);
  }
  return [...refs];
}

function toStep(s: StepsTable): StepRecord {
  return {
    runId: Number(s.run_id),
    name: s.name,
    createdAt: Number(s.created_at),
    finishedAt: s.finished_at === null ? null : Number(s.finished_at),
  };
}

function toTask(t: TasksTable): TaskRecord {
  return {
    runId: Number(t.run_id),
    taskId: Number(t.task_id),
    step: t.step_name,
    status: t.status as TaskStatus,
    successful: bool(t.successful),
    foreachPath: t.foreach_path === '' ? [] : t.foreach_path.split('.').map(Number),
    foreachCount: t.foreach_count,
    parentIds: JSON.parse(t.parent_ids) as number[],
    attempts: t.attempts,
    finalAttempt: t.final_attempt,
    createdAt: Number(t.created_at),
    startedAt: t.started_at === null ? null : Number(t.started_at),
    finishedAt: t.finished_at === null ? null : Number(t.finished_at),
    originPathspec: t.origin_task,
  };
}

function taskRow(t: TaskRecord): TasksTable {
  return {
    run_id: t.runId,
    task_id: t.taskId,
    step_name: t.step,
    status: t.status,
    successful: t.successful === null ? null : t.successful ? 1 : 0,
    foreach_path: t.foreachPath.join('.'),
    foreach_count: t.foreachCount,
    parent_ids: json(t.parentIds),
    attempts: t.attempts,
    final_attempt: t.finalAttempt,
    created_at: t.createdAt,
    started_at: t.startedAt,
    finished_at: t.finishedAt,
    origin_task: t.originPathspec,
  };
}

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) out.push(rows.slice(i, i + ROWS_PER_INSERT));
  return out;
}

/** `run_tags` rows for a run's tags; a tag that is both a user and a system tag gets one system row. */
function tagRows(runId: number, tags: readonly string[], systemTags: readonly string[]): RunTagsTable[] {
  const rows = new Map<string, number>();
  for (const tag of systemTags) rows.set(tag, 1);
  for (const tag of tags) if (!rows.has(tag)) rows.set(tag, 0);
  return [...rows].map(([tag, system]) => ({ run_id: runId, tag, system }));
}

async function insertTagRows(trx: Transaction<Database>, rows: readonly RunTagsTable[]): Promise<void> {
  for (const part of chunks(rows)) {
    await trx
      .insertInto('run_tags')
      .values(part)
      .onConflict((oc) => oc.columns(['tag', 'run_id']).doNothing())
      .execute();
  }
}

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
 * What differs between SQL dialects beyond what Kysely compiles. Each hook defaults to the SQLite
 * behaviour; other adapters (`postgres.ts`) pass their own.
 */
export interface SqlDialectHooks {
  /** Inserts events in the caller's transaction, skipping stored ids; see `insertEvents`. */
  insertEvents: (trx: Transaction<Database>, events: readonly FlowtrailEvent[]) => Promise<number>;
}

const sqliteHooks: SqlDialectHooks = { insertEvents };

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
 * Counts the statements Kysely sends; pass `counter.log` as Kysely's `log` option. Every statement
 * is counted once, whether it succeeded or failed, including `begin` and `commit`.
 */
export class QueryCounter {
  count = 0;
  readonly log = (_event: LogEvent): void => {
    this.count++;
  };
}

/**
 * The metadata store over Kysely: one query module for every SQL dialect. Dialect adapters
 * (`sqlite.ts`) only open the connection and run their migration history.
 */
export class SqlMetadataStore implements MetadataStore {
  constructor(
    protected readonly db: Kysely<Database>,
    readonly location: string,
    private readonly onClose: () => Promise<void> = async () => {},
    /** Must be wired to `db`'s `log` option for `queryCount` to count anything. */
    private readonly queries: QueryCounter = new QueryCounter(),
    private readonly hooks: SqlDialectHooks = sqliteHooks,
  ) {}

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
      const created = toRun(row);
      // The run's own lifecycle event commits with the run.
      if (options.startedEvent)
        await this.hooks.insertEvents(trx, [
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
      for (const op of ops) {
        if (op.op === 'events.append') events.push(...op.events);
        else await this.apply(trx, op);
      }
      await this.hooks.insertEvents(trx, events);
    });
  }

  async pruneRequestKeys(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('request_keys')
      .where('created_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private async apply(trx: Transaction<Database>, op: MetadataWrite): Promise<void> {
    switch (op.op) {
      case 'run.update': {
        const p = op.patch;
        const set: Updateable<RunsTable> = {};
        if (p.status !== undefined) set.status = p.status;
        if (p.finishedAt !== undefined) set.finished_at = p.finishedAt;
        if (p.heartbeatAt !== undefined) set.heartbeat_at = p.heartbeatAt;
        if (p.error !== undefined) set.error = p.error === null ? null : json(p.error);
        if (p.codeSha !== undefined) set.code_sha = p.codeSha;
        if (Object.keys(set).length === 0) return;
        await trx.updateTable('runs').set(set).where('id', '=', op.runId).execute();
        return;
      }
      case 'step.upsert':
        await trx
          .insertInto('steps')
          .values({
            run_id: op.step.runId,
            name: op.step.name,
            created_at: op.step.createdAt,
            finished_at: op.step.finishedAt,
          })
          .onConflict((oc) => oc.columns(['run_id', 'name']).doUpdateSet({ finished_at: op.step.finishedAt }))
          .execute();
        return;
      case 'task.create':
        await trx.insertInto('tasks').values(taskRow(op.task)).execute();
        return;
      case 'task.update': {
        const p = op.patch;
        const set: Partial<TasksTable> = {};
        if (p.status !== undefined) set.status = p.status;
        if (p.successful !== undefined) set.successful = p.successful === null ? null : p.successful ? 1 : 0;
        if (p.foreachCount !== undefined) set.foreach_count = p.foreachCount;
        if (p.attempts !== undefined) set.attempts = p.attempts;
        if (p.finalAttempt !== undefined) set.final_attempt = p.finalAttempt;
        if (p.startedAt !== undefined) set.started_at = p.startedAt;
        if (p.finishedAt !== undefined) set.finished_at = p.finishedAt;
        if (Object.keys(set).length === 0) return;
        await trx
          .updateTable('tasks')
          .set(set)
          .where('run_id', '=', op.runId)
          .where('task_id', '=', op.taskId)
          .execute();
        return;
      }
      case 'attempt.start': {
        const a = op.attempt;
        await trx
          .insertInto('attempts')
          .values({
            run_id: a.runId,
            task_id: a.taskId,
            attempt: a.attempt,
            status: a.status,
            started_at: a.startedAt,
            finished_at: a.finishedAt,
            exception: a.exception === null ? null : json(a.exception),
            env_info: a.envInfo === null ? null : json(a.envInfo),
          })
          .execute();
        return;
      }
      case 'attempt.finish':
        await trx
          .updateTable('attempts')
          .set({
            status: op.status,
            finished_at: op.finishedAt,
            exception: op.exception === null ? null : json(op.exception),
          })
          .where('run_id', '=', op.runId)
          .where('task_id', '=', op.taskId)
          .where('attempt', '=', op.attempt)
          .execute();
        return;
      case 'artifacts.add':
        for (const rows of chunks(op.artifacts)) {
          await trx
            .insertInto('artifacts')
            .values(
              rows.map((a) => ({
                run_id: a.runId,
                task_id: a.taskId,
                attempt: a.attempt,
                name: a.name,
                sha: a.sha,
                codec: a.codec,
                size: a.size,
                created_at: a.createdAt,
              })),
            )
            .onConflict((oc) =>
              oc.columns(['run_id', 'task_id', 'attempt', 'name']).doUpdateSet((eb) => ({
                sha: eb.ref('excluded.sha'),
                codec: eb.ref('excluded.codec'),
                size: eb.ref('excluded.size'),
              })),
            )
            .execute();
        }
        return;
      case 'events.append':
        // Gathered by write() into one insert at the end of the transaction.
        return;
      case 'logs.append':
        for (const rows of chunks(op.lines)) {
          await trx
            .insertInto('log_lines')
            .values(
              rows.map((l) => ({
                run_id: l.runId,
                task_id: l.taskId,
                attempt: l.attempt,
                seq: l.seq,
                stream: l.stream,
                ts: l.ts,
                line: l.line,
              })),
            )
            .execute();
        }
        return;
    }
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
      await this.hooks.insertEvents(trx, events);
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
    return row ? toRun(row) : undefined;
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
    return rows.map(toRun);
  }

  async getRunById(runId: number): Promise<RunRecord | undefined> {
    return this.getRunIn(this.db, runId);
  }

  private async getRunIn(db: Kysely<Database>, runId: number): Promise<RunRecord | undefined> {
    const row = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
    return row ? toRun(row) : undefined;
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
    return rows.map(toRun);
  }

  async listRunningRuns(flow?: string): Promise<RunRecord[]> {
    let q = this.db.selectFrom('runs').selectAll().where('status', '=', 'running');
    if (flow !== undefined) q = q.where('flow_name', '=', flow);
    return (await q.execute()).map(toRun);
  }

  async latestRun(options: LatestRunQuery = {}): Promise<RunRecord | undefined> {
    let q = this.db.selectFrom('runs').selectAll();
    if (options.flow !== undefined) q = q.where('flow_name', '=', options.flow);
    if (options.user !== undefined) q = q.where('user_name', '=', options.user);
    if (options.status !== undefined) q = q.where('status', '=', options.status);
    for (const condition of carriesTags(options.tags)) q = q.where(condition);
    const row = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row ? toRun(row) : undefined;
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
    return rows.map(toStep);
  }

  async getStep(runId: number, name: string): Promise<StepRecord | undefined> {
    const row = await this.db
      .selectFrom('steps')
      .selectAll()
      .where('run_id', '=', runId)
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? toStep(row) : undefined;
  }

  async listTasks(runId: number, options: TaskQuery = {}): Promise<TaskRecord[]> {
    let q = this.db.selectFrom('tasks').selectAll().where('run_id', '=', runId);
    if (options.step !== undefined) q = q.where('step_name', '=', options.step);
    if (options.afterTaskId !== undefined) q = q.where('task_id', '>', options.afterTaskId);
    if (options.beforeTaskId !== undefined) q = q.where('task_id', '<', options.beforeTaskId);
    q = q.orderBy('task_id', options.order ?? 'asc');
    if (options.limit !== undefined) q = q.limit(options.limit);
    return (await q.execute()).map(toTask);
  }

  async getTask(runId: number, taskId: number): Promise<TaskRecord | undefined> {
    const row = await this.db
      .selectFrom('tasks')
      .selectAll()
      .where('run_id', '=', runId)
      .where('task_id', '=', taskId)
      .executeTakeFirst();
    return row ? toTask(row) : undefined;
  }

  async listAttempts(runId: number, taskId: number): Promise<AttemptRecord[]> {
    const rows = await this.db
      .selectFrom('attempts')
      .selectAll()
      .where('run_id', '=', runId)
      .where('task_id', '=', taskId)
      .orderBy('attempt')
      .execute();
    return rows.map((a) => ({
      runId: Number(a.run_id),
      taskId: Number(a.task_id),
      attempt: a.attempt,
      status: a.status as AttemptStatus,
      startedAt: Number(a.started_at),
      finishedAt: a.finished_at === null ? null : Number(a.finished_at),
      exception: parseJson<ExceptionRecord>(a.exception),
      envInfo: parseJson<EnvironmentInfo>(a.env_info),
    }));
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
    return rows.map(toArtifact);
  }

  async listArtifactsOfTasks(runId: number, taskIds: readonly number[]): Promise<ArtifactRecord[]> {
    if (taskIds.length === 0) return [];
    const out: ArtifactRecord[] = [];
    for (const ids of chunks(taskIds)) {
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
      out.push(...rows.map(toArtifact));
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
    return rows.map((l) => ({
      runId: Number(l.run_id),
      taskId: Number(l.task_id),
      attempt: l.attempt,
      seq: l.seq,
      stream: l.stream as LogStream,
      ts: Number(l.ts),
      line: l.line,
    }));
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }
}

function toArtifact(a: Database['artifacts']): ArtifactRecord {
  return {
    runId: Number(a.run_id),
    taskId: Number(a.task_id),
    attempt: a.attempt,
    name: a.name,
    sha: a.sha,
    codec: a.codec,
    size: Number(a.size),
    createdAt: Number(a.created_at),
  };
}

function flowFromRow(r: { name: string; created_at: number; last_run_number: number }): FlowRecord {
  return { name: r.name, createdAt: Number(r.created_at), lastRunNumber: Number(r.last_run_number) };
}
