/**
 * The metadata store over Kysely: one query module for every SQL dialect. Row mapping lives in
 * `metadata-rows.ts`, the write-op switch in `metadata-writes.ts`; what differs between databases
 * comes from the {@link SqlDialect} passed in by whoever opens the store (`sqlite/sqlite-stores.ts`,
 * `postgres/postgres-stores.ts`). Over 400 lines because it is one concept: the port's queries,
 * one method per `MetadataStore` method.
 */
import { type Expression, expressionBuilder, type Kysely, type SqlBool, sql, type Transaction } from 'kysely';
import { ConflictError, type ExceptionRecord, NotFoundError, ValidationError } from '../../core/errors.ts';
import { applyTagMutation } from '../../core/tags.ts';
import { runEvent } from '../../events/lifecycle.ts';
import type { FlowtrailEvent } from '../../events/model.ts';
import type {
  ArtifactRecord,
  AttemptRecord,
  AttemptStatus,
  CancelRequest,
  CreateRunOptions,
  FlowRecord,
  LatestRunQuery,
  LogLine,
  LogQuery,
  LogSearchQuery,
  MetadataStore,
  MetadataWrite,
  NewRun,
  RunQuery,
  RunRecord,
  RunStatus,
  StepOverview,
  StepRecord,
  StepSummary,
  TagChange,
  TaskQuery,
  TaskRecord,
  TaskStatus,
  WriteOptions,
} from '../metadata-store.ts';
import {
  artifactFromRow,
  attemptFromRow,
  causeRefs,
  flowFromRow,
  inChunks,
  inIdSlices,
  json,
  logLineFromRow,
  runFromRow,
  stepFromRow,
  tagRows,
  taskFromRow,
} from './metadata-rows.ts';
import { applyWrites, insertTagRows } from './metadata-writes.ts';
import { QueryCounter } from './query-counter.ts';
import { summarizeRunSql } from './run-summary-sql.ts';
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

/** One `(run, step, status)` group of `summarizeSteps`' query. */
interface StepStatusRow {
  run_id: number | string;
  step_name: string;
  status: string;
  n: number | string;
  unsuccessful: number | string | null;
  unfinished: number | string | null;
  started_at: number | string | null;
  finished_at: number | string | null;
}

/** A step's summary while its status groups are folded in: `open` when a task is unfinished. */
type StepFold = StepSummary & { open: boolean };

/** Adds one status group to its step's summary (the database sums per status; this folds the statuses). */
function foldStepRow(byKey: Map<string, StepFold>, r: StepStatusRow): void {
  const runId = Number(r.run_id);
  const key = `${runId}\u0000${r.step_name}`;
  let fold = byKey.get(key);
  if (!fold) {
    fold = {
      runId,
      step: r.step_name,
      tasks: 0,
      counts: {},
      caught: 0,
      startedAt: null,
      finishedAt: null,
      open: false,
    };
    byKey.set(key, fold);
  }
  const n = Number(r.n);
  const status = r.status as TaskStatus;
  fold.tasks += n;
  fold.counts[status] = (fold.counts[status] ?? 0) + n;
  if (status === 'completed') fold.caught += Number(r.unsuccessful ?? 0);
  if (r.started_at !== null) {
    const started = Number(r.started_at);
    fold.startedAt = fold.startedAt === null ? started : Math.min(fold.startedAt, started);
  }
  if (Number(r.unfinished ?? 0) > 0) fold.open = true;
  if (r.finished_at !== null) fold.finishedAt = Math.max(fold.finishedAt ?? 0, Number(r.finished_at));
}

/** The states a run without an orchestrator ends in, with its unfinished attempts and tasks. */
interface OrphanEnd {
  run: RunStatus;
  attempt: AttemptStatus;
  task: TaskStatus;
}
const CRASHED: OrphanEnd = { run: 'crashed', attempt: 'killed', task: 'failed' };
const CANCELLED: OrphanEnd = { run: 'cancelled', attempt: 'cancelled', task: 'cancelled' };

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
          cancel_request: null,
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

  markRunCrashed(
    runId: number,
    at: number,
    reason: ExceptionRecord,
    events: readonly FlowtrailEvent[] = [],
  ): Promise<boolean> {
    return this.endRunWithoutOrchestrator(runId, at, reason, events, CRASHED);
  }

  async requestRunCancel(runId: number, request: CancelRequest): Promise<RunRecord | undefined> {
    return this.db.transaction().execute(async (trx) => {
      // Only the first request of a running run is kept: who asked first, and why.
      await trx
        .updateTable('runs')
        .set({ cancel_request: json(request) })
        .where('id', '=', runId)
        .where('status', '=', 'running')
        .where('cancel_request', 'is', null)
        .execute();
      return this.getRunIn(trx, runId);
    });
  }

  async getCancelRequest(runId: number): Promise<CancelRequest | null> {
    const row = await this.db
      .selectFrom('runs')
      .select('cancel_request')
      .where('id', '=', runId)
      .executeTakeFirst();
    return row?.cancel_request ? (JSON.parse(row.cancel_request) as CancelRequest) : null;
  }

  markRunCancelled(
    runId: number,
    at: number,
    reason: ExceptionRecord,
    events: readonly FlowtrailEvent[] = [],
  ): Promise<boolean> {
    return this.endRunWithoutOrchestrator(runId, at, reason, events, CANCELLED);
  }

  /** Ends a still-running run whose orchestrator is gone, with its unfinished tasks and attempts. */
  private async endRunWithoutOrchestrator(
    runId: number,
    at: number,
    reason: ExceptionRecord,
    events: readonly FlowtrailEvent[],
    end: OrphanEnd,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('runs')
        .set({ status: end.run, finished_at: at, error: json(reason) })
        .where('id', '=', runId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      await trx
        .updateTable('attempts')
        .set({ status: end.attempt, finished_at: at, exception: json(reason) })
        .where('run_id', '=', runId)
        .where('status', '=', 'running')
        .execute();
      await trx
        .updateTable('tasks')
        .set({ status: end.task, successful: 0, finished_at: at })
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
    // Walks the (flow_name, run_number) unique index from the cursor — (flow_name, status,
    // run_number) with a status — filtering as it goes, and stops at the limit: the first page of
    // a flow with many runs reads a few dozen rows (plans: test/store/*-metadata-store.test.ts).
    let q = this.db.selectFrom('runs').selectAll().where('flow_name', '=', flow);
    const previous = query.beforeRunNumber === undefined && query.afterRunNumber !== undefined;
    if (query.beforeRunNumber !== undefined) q = q.where('run_number', '<', query.beforeRunNumber);
    else if (query.afterRunNumber !== undefined) q = q.where('run_number', '>', query.afterRunNumber);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.user !== undefined) q = q.where('user_name', '=', query.user);
    if (query.since !== undefined) q = q.where('created_at', '>=', query.since);
    if (query.until !== undefined) q = q.where('created_at', '<=', query.until);
    for (const condition of carriesTags(query.tags)) q = q.where(condition);
    const rows = await q
      .orderBy('run_number', previous ? 'asc' : 'desc')
      .limit(query.limit ?? 50)
      .execute();
    // The previous page is read upwards from its cursor, then shown newest first like any page.
    if (previous) rows.reverse();
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
    if (options.status !== undefined) q = q.where('status', '=', options.status);
    q = q.orderBy('task_id', options.order ?? 'asc');
    // SQLite takes OFFSET only after a LIMIT; -1 style "no limit" is not portable, so a large one.
    if (options.limit !== undefined || options.offset !== undefined)
      q = q.limit(options.limit ?? Number.MAX_SAFE_INTEGER);
    if (options.offset !== undefined && options.offset > 0) q = q.offset(options.offset);
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
    for (const ids of inIdSlices(taskIds)) {
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

  readLogs(runId: number, taskId: number, query: LogQuery = {}): Promise<LogLine[]> {
    return this.logLines(runId, taskId, query, undefined);
  }

  // ---- The task page of the web UI
  async searchLogs(runId: number, taskId: number, query: LogSearchQuery): Promise<LogLine[]> {
    if (typeof query.text !== 'string' || query.text === '')
      throw new ValidationError('text', 'A log search needs a non-empty text to look for.');
    return this.logLines(runId, taskId, query, query.text);
  }

  /** One attempt's lines (default: the final one, or the latest while running), optionally only those containing `text`. */
  private async logLines(
    runId: number,
    taskId: number,
    query: LogQuery,
    text: string | undefined,
  ): Promise<LogLine[]> {
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
    if (text !== undefined)
      q = q.where(this.dialect.contains(sql`lower(line)`, text.toLowerCase()) as Expression<SqlBool>);
    const rows = await q
      .orderBy('seq')
      .limit(query.limit ?? 100_000)
      .execute();
    return rows.map(logLineFromRow);
  }

  // The flows page (web UI `/`).
  async listLatestRuns(): Promise<RunRecord[]> {
    // The flow row names its newest run: one unique-index probe per flow.
    const rows = await this.db
      .selectFrom('flows')
      .innerJoin('runs', (j) =>
        j.onRef('runs.flow_name', '=', 'flows.name').onRef('runs.run_number', '=', 'flows.last_run_number'),
      )
      .selectAll('runs')
      .orderBy('flows.name')
      .execute();
    return rows.map(runFromRow);
  }

  // The runs × steps history of a flow (web UI `/flows/$flow/history`).
  async listFlowStepNames(flow: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('steps')
      .innerJoin('runs', 'runs.id', 'steps.run_id')
      .select((eb) => [
        'steps.name',
        eb.fn.min(eb('steps.created_at', '-', eb.ref('runs.created_at'))).as('offset'),
      ])
      .where('runs.flow_name', '=', flow)
      .groupBy('steps.name')
      .orderBy('offset')
      .orderBy('steps.name')
      .execute();
    return rows.map((r) => r.name);
  }

  async summarizeSteps(runIds: readonly number[]): Promise<StepSummary[]> {
    const byKey = new Map<string, StepFold>();
    for (const ids of inIdSlices([...new Set(runIds)])) {
      const rows = await this.db
        .selectFrom('tasks')
        .select((eb) => [
          'run_id',
          'step_name',
          'status',
          eb.fn.countAll<number | string>().as('n'),
          eb.fn
            .sum<number | string | null>(eb.case().when('successful', '=', 0).then(1).else(0).end())
            .as('unsuccessful'),
          eb.fn
            .sum<number | string | null>(eb.case().when('finished_at', 'is', null).then(1).else(0).end())
            .as('unfinished'),
          eb.fn.min('started_at').as('started_at'),
          eb.fn.max('finished_at').as('finished_at'),
        ])
        .where('run_id', 'in', ids)
        .groupBy(['run_id', 'step_name', 'status'])
        .execute();
      for (const r of rows) foldStepRow(byKey, r);
    }
    return [...byKey.values()]
      .map(({ open, ...summary }) => ({ ...summary, finishedAt: open ? null : summary.finishedAt }))
      .sort((a, b) => a.runId - b.runId || (a.step < b.step ? -1 : a.step > b.step ? 1 : 0));
  }

  // The run page (web UI, issue 11)
  async summarizeRun(runId: number): Promise<StepOverview[]> {
    return summarizeRunSql(this.db, runId);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }
}
