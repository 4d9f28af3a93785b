/**
 * The `MetadataStore` port: flows, runs, steps, tasks, attempts, artifact records and log lines.
 * Adapters: `sql/` (SQLite and PostgreSQL) and `http/` (the service). Every adapter passes
 * `test/conformance/metadata-store.ts`. Writes come in batches (`write`) so the runtime can commit a
 * whole scheduler tick in one transaction. Over 400 lines because it is one port: its record types
 * and its write ops belong with the interface they describe.
 */
import type { ExceptionRecord } from '../core/errors.ts';
import type { FlowtrailEvent } from '../events/model.ts';

/** `cancelled`: stopped on request (`flowtrail cancel`, `run.cancel()`); `resume` can finish it. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'crashed' | 'cancelled';
/** `cancelled`: the run was cancelled while the task was running, or before it started. */
export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
/**
 * `cancelled`: the attempt's worker was stopped because the run was cancelled. `lost`: a queue
 * worker stopped renewing its lock (it died, or lost Redis) or handed the attempt back on stop.
 */
export type AttemptStatus =
  | 'running'
  | 'completed'
  | 'failed'
  | 'timeout'
  | 'killed'
  | 'lost'
  | 'cloned'
  | 'cancelled';
export type LogStream = 'stdout' | 'stderr';

/** Node, OS and package versions of the process that ran an attempt. */
export type EnvironmentInfo = Record<string, string | number>;

/**
 * One thing that started a run: an event it was waiting for (`@trigger`), or the successful end of
 * an upstream run (`@triggerOnFinish`, carried by that run's `flowtrail.run.completed` event).
 */
export interface TriggerCause {
  /** An event; an upstream run's end; or the automation whose firing started the run (after its events). */
  type: 'event' | 'run' | 'automation';
  /** The event name, for a run the upstream flow's name, for an automation its name. */
  name: string;
  /** The id of the event (for a run: of its `flowtrail.run.completed` event; for an automation: the automation's). */
  id: string;
  /** When the event occurred (ms since the epoch). */
  timestamp: number;
  /** For a run: its pathspec, e.g. `ETLFlow/3`; null for an event. */
  pathspec: string | null;
  /** For an automation: the id of the firing that started the run. */
  firing?: string;
}

export interface RunRecord {
  /** Store-wide surrogate key; other records point at it. */
  id: number;
  flow: string;
  /** Per-flow increasing number: `HelloFlow/2`. */
  runNumber: number;
  status: RunStatus;
  user: string;
  tags: string[];
  systemTags: string[];
  params: Record<string, unknown>;
  /** Absolute path of the flow file that ran. */
  flowFile: string | null;
  /** sha of the code package blob (a JSON document of the flow file and its local imports). */
  codeSha: string | null;
  originRunNumber: number | null;
  createdAt: number;
  finishedAt: number | null;
  heartbeatAt: number | null;
  orchestratorPid: number | null;
  orchestratorHost: string | null;
  error: ExceptionRecord | null;
  /** What started the run (empty when it was started by hand). */
  trigger: TriggerCause[];
  /** The request to cancel the run, once made (kept after the run ended). */
  cancelRequest: CancelRequest | null;
}

/**
 * A durable request to cancel a running run: recorded by `requestRunCancel`, noticed by the run's
 * orchestrator (which stops it), or applied directly by `markRunCancelled` when none is alive.
 */
export interface CancelRequest {
  /** When it was requested (ms since the epoch). */
  at: number;
  /** Who asked: a user name, or `key:<id>` for an API key. */
  by: string;
  reason: string | null;
}

export interface NewRun {
  flow: string;
  user: string;
  tags: string[];
  systemTags: string[];
  params: Record<string, unknown>;
  flowFile: string | null;
  codeSha: string | null;
  originRunNumber: number | null;
  createdAt: number;
  orchestratorPid: number | null;
  orchestratorHost: string | null;
  /** What started the run: recorded with it, and indexed for the forward walk. */
  trigger?: readonly TriggerCause[];
}

export interface StepRecord {
  runId: number;
  name: string;
  createdAt: number;
  finishedAt: number | null;
}

export interface TaskRecord {
  runId: number;
  taskId: number;
  step: string;
  status: TaskStatus;
  /** True when the step's code succeeded; false when it failed (also when the failure was caught). */
  successful: boolean | null;
  /** Foreach indices from the outermost foreach, e.g. [3] or [3, 1]; empty outside a foreach. */
  foreachPath: number[];
  /** For a foreach step: how many tasks it fanned out to. */
  foreachCount: number | null;
  parentIds: number[];
  attempts: number;
  /** The attempt whose artifacts and logs represent the task. */
  finalAttempt: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Pathspec of the task this one was cloned from by `resume`. */
  originPathspec: string | null;
}

export interface AttemptRecord {
  runId: number;
  taskId: number;
  attempt: number;
  status: AttemptStatus;
  startedAt: number;
  finishedAt: number | null;
  exception: ExceptionRecord | null;
  envInfo: EnvironmentInfo | null;
}

export interface ArtifactRecord {
  runId: number;
  taskId: number;
  attempt: number;
  name: string;
  sha: string;
  codec: string;
  size: number;
  createdAt: number;
}

export interface LogLine {
  runId: number;
  taskId: number;
  attempt: number;
  /** Order of the line within the attempt, across both streams. */
  seq: number;
  stream: LogStream;
  /** Milliseconds since the epoch when the line was written. */
  ts: number;
  line: string;
}

export type RunPatch = Partial<
  Pick<RunRecord, 'status' | 'finishedAt' | 'heartbeatAt' | 'error' | 'codeSha'>
>;
export type TaskPatch = Partial<
  Pick<
    TaskRecord,
    'status' | 'successful' | 'foreachCount' | 'attempts' | 'finalAttempt' | 'startedAt' | 'finishedAt'
  >
>;

export type MetadataWrite =
  | { op: 'run.update'; runId: number; patch: RunPatch }
  | { op: 'step.upsert'; step: StepRecord }
  | { op: 'task.create'; task: TaskRecord }
  | { op: 'task.update'; runId: number; taskId: number; patch: TaskPatch }
  | { op: 'attempt.start'; attempt: AttemptRecord }
  | {
      op: 'attempt.finish';
      runId: number;
      taskId: number;
      attempt: number;
      status: AttemptStatus;
      finishedAt: number;
      exception: ExceptionRecord | null;
    }
  | { op: 'artifacts.add'; artifacts: ArtifactRecord[] }
  | { op: 'logs.append'; lines: LogLine[] }
  /** Events committed in the same transaction as the state they report. */
  | { op: 'events.append'; events: FlowtrailEvent[] };

export interface CreateRunOptions {
  /**
   * Store the run's `flowtrail.run.started` lifecycle event (with this payload) in the same
   * transaction as the run. Declarative, so a remote adapter can send it over the wire.
   */
  startedEvent?: { payload?: Record<string, unknown> };
  /** A request key: creating a run again with a key already used returns that run instead. */
  idempotencyKey?: string;
}

export interface WriteOptions {
  /** A request key: a batch written again with a key already used is not applied again. */
  idempotencyKey?: string;
}

export interface RunQuery {
  /** Newest first; at most this many (default 50). */
  limit?: number;
  /** Only runs with a run number below this (cursor for the next page). */
  beforeRunNumber?: number;
  status?: RunStatus;
  /** Only runs carrying every one of these tags, as user or system tags (an unknown tag matches nothing). */
  tags?: readonly string[];
  /** Only runs started by this user (`RunRecord.user`). */
  user?: string;
  /** Only runs created at or after this time (ms since the epoch; inclusive, like event filters). */
  since?: number;
  /** Only runs created at or before this time (ms since the epoch; inclusive). */
  until?: number;
  /**
   * Only runs with a run number above this: the page just newer than it (cursor for the previous
   * page), still listed newest first. Ignored when `beforeRunNumber` is given.
   */
  afterRunNumber?: number;
}

/** Which run `latestRun` looks for; every given field must match. */
export interface LatestRunQuery {
  flow?: string;
  user?: string;
  /** The run must carry every one of these tags, as user or system tags. */
  tags?: readonly string[];
  status?: RunStatus;
}

/** One page of a run's tasks, in task-id order. */
export interface TaskQuery {
  step?: string;
  /** At most this many tasks (default: all). */
  limit?: number;
  /** Only tasks with a larger task id (cursor for the next page, oldest first). */
  afterTaskId?: number;
  /** Only tasks with a smaller task id (cursor for the next page, newest first). */
  beforeTaskId?: number;
  /** By task id: `asc` (default) or `desc` (newest first). */
  order?: 'asc' | 'desc';
  /** Only tasks in this state (the step page's filter). */
  status?: TaskStatus;
  /** Skip this many matching tasks first (random access into a long step, e.g. a scrolled table). */
  offset?: number;
}

/** Tags to add to and remove from a run's user tags (removals apply first). */
export interface TagChange {
  add?: readonly string[];
  remove?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// The runs × steps history of a flow (web UI `/flows/$flow/history`)

/** What one step of one run amounts to, computed in the store from the step's tasks. */
export interface StepSummary {
  runId: number;
  step: string;
  /** The step's tasks (a foreach step has one per item). */
  tasks: number;
  /** Tasks by status; statuses with no task are absent. */
  counts: Partial<Record<TaskStatus, number>>;
  /** Completed tasks whose failure was caught (`successful` false). */
  caught: number;
  /** The earliest task start, or null when none started. */
  startedAt: number | null;
  /** The latest task end, or null while a task is unfinished. */
  finishedAt: number | null;
}

// ---------------------------------------------------------------------------------------------
// The run page (web UI, issue 11): one step's figures, computed in SQL.

/** How many equal-width buckets a step's duration histogram has. */
export const DURATION_BUCKETS = 12;

/** One step of a run as the run page draws it: counts, timings and the steps feeding it. */
export interface StepOverview {
  step: string;
  /** Tasks by status (every status present, 0 when none). */
  counts: Record<TaskStatus, number>;
  total: number;
  /** Completed tasks whose step code failed and whose failure was caught (`@catchError`). */
  caught: number;
  /** The smallest task id of the step (the graph orders steps by it). */
  firstTaskId: number | null;
  /**
   * Steps whose tasks are parents of this step's first task: the edges of the run's step graph,
   * as far as the run has got (a step appears once its first task exists).
   */
  parents: string[];
  /** For a foreach split: how many tasks it fanned out to (largest when nested). */
  foreachCount: number | null;
  /** True when the step's tasks run inside a foreach (one task per item). */
  inForeach: boolean;
  firstStartedAt: number | null;
  lastFinishedAt: number | null;
  /** Shortest and longest duration of finished tasks (ms). */
  minDurationMs: number | null;
  maxDurationMs: number | null;
  /** Finished tasks per duration bucket: `DURATION_BUCKETS` equal slices of [min, max]. */
  histogram: number[];
}

export interface FlowRecord {
  name: string;
  createdAt: number;
  lastRunNumber: number;
}

export interface LogQuery {
  attempt?: number;
  stream?: LogStream;
  /** Only lines with a larger `seq` (for following a live log). */
  afterSeq?: number;
  limit?: number;
}

// ---- The task page of the web UI: log search
/** Which lines `searchLogs` returns: the lines of `LogQuery` whose text contains `text`. */
export interface LogSearchQuery extends LogQuery {
  /**
   * The substring to find, case-insensitively (non-empty). SQLite folds ASCII letters only;
   * PostgreSQL folds every letter its `lower()` knows.
   */
  text: string;
}

export interface MetadataStore {
  /** Adapter and location, for messages: `sqlite:/path/flowtrail.db`. */
  readonly location: string;
  /**
   * How many SQL statements (or, for a remote adapter, requests) this adapter has sent since it was
   * opened, including transaction control statements. For tests proving a read is one bounded query.
   */
  readonly queryCount: number;
  /** Creates a run with the next run number of its flow (atomically, across processes). */
  createRun(run: NewRun, options?: CreateRunOptions): Promise<RunRecord>;
  /** Applies a batch of writes in one transaction, in order. */
  write(ops: readonly MetadataWrite[], options?: WriteOptions): Promise<void>;
  /** Forgets idempotency keys created before `before` (ms); returns how many. */
  pruneRequestKeys(before: number): Promise<number>;
  /** Marks a run crashed if it is still `running`, failing its unfinished tasks and attempts. Returns whether it changed. */
  markRunCrashed(
    runId: number,
    at: number,
    reason: ExceptionRecord,
    events?: readonly FlowtrailEvent[],
  ): Promise<boolean>;

  /**
   * Records a request to cancel a `running` run (the first request is kept; later ones change
   * nothing). Returns the run afterwards — a finished run unchanged — or undefined when it does
   * not exist. The run's orchestrator polls `getCancelRequest` and stops the run.
   */
  requestRunCancel(runId: number, request: CancelRequest): Promise<RunRecord | undefined>;
  /** The run's cancel request, or null (also for an unknown run). One small read: the orchestrator polls it. */
  getCancelRequest(runId: number): Promise<CancelRequest | null>;
  /**
   * Marks a still-`running` run cancelled (when its orchestrator is gone): running attempts and
   * running or pending tasks become `cancelled`; `events` commit in the same transaction.
   * Returns whether it changed.
   */
  markRunCancelled(
    runId: number,
    at: number,
    reason: ExceptionRecord,
    events?: readonly FlowtrailEvent[],
  ): Promise<boolean>;

  /** Flows by name; with `tags`, only flows with at least one run carrying all of them. One query. */
  listFlows(options?: { tags?: readonly string[] }): Promise<FlowRecord[]>;
  /** One flow by name, or undefined when it never ran. One query. */
  getFlow(flow: string): Promise<FlowRecord | undefined>;
  /** Whether any run of the flow was ever created. One query. */
  flowExists(flow: string): Promise<boolean>;
  /** Whether a run of the flow carries every tag (any run when `tags` is empty). One query. */
  flowHasRun(flow: string, tags: readonly string[]): Promise<boolean>;
  getRun(flow: string, runNumber: number): Promise<RunRecord | undefined>;
  getRunById(runId: number): Promise<RunRecord | undefined>;
  /** Runs of a flow, newest (highest run number) first. One query. */
  listRuns(flow: string, query?: RunQuery): Promise<RunRecord[]>;
  /** Runs in state `running` (of one flow, or all), to find orphans. */
  listRunningRuns(flow?: string): Promise<RunRecord[]>;
  /** The most recently created run matching every given field (of a flow, or any). One query. */
  latestRun(options?: LatestRunQuery): Promise<RunRecord | undefined>;
  /**
   * Adds and removes user tags of a run atomically (rules: `applyTagMutation` in `core/tags.ts`),
   * safe against concurrent mutations from other processes. Returns the run's tags afterwards.
   *
   * @throws NotFoundError if the run does not exist; ValidationError if a tag rule is broken.
   */
  mutateRunTags(runId: number, change: TagChange): Promise<{ tags: string[]; systemTags: string[] }>;
  /**
   * Runs whose trigger names `ref` — an event id, or an upstream run's pathspec — oldest first.
   * The forward walk of a trigger chain. One query.
   */
  listRunsTriggeredBy(ref: string): Promise<RunRecord[]>;
  listSteps(runId: number): Promise<StepRecord[]>;
  getStep(runId: number, name: string): Promise<StepRecord | undefined>;
  /** Tasks of a run (or of one step), in task-id order, optionally one page at a time. */
  listTasks(runId: number, options?: TaskQuery): Promise<TaskRecord[]>;
  getTask(runId: number, taskId: number): Promise<TaskRecord | undefined>;
  listAttempts(runId: number, taskId: number): Promise<AttemptRecord[]>;
  /** Artifacts of one attempt; by default the task's final attempt. */
  listArtifacts(runId: number, taskId: number, options?: { attempt?: number }): Promise<ArtifactRecord[]>;
  /** Artifacts of many tasks' final attempts at once (joins, resume). */
  listArtifactsOfTasks(runId: number, taskIds: readonly number[]): Promise<ArtifactRecord[]>;
  readLogs(runId: number, taskId: number, query?: LogQuery): Promise<LogLine[]>;

  // ---- The task page of the web UI
  /**
   * Log lines of one attempt (default as `readLogs`) containing `query.text` case-insensitively, in
   * seq order; page with `afterSeq` = the last seq seen. One query when `attempt` is given.
   *
   * @throws ValidationError when `text` is empty.
   */
  searchLogs(runId: number, taskId: number, query: LogSearchQuery): Promise<LogLine[]>;

  // The flows page (web UI `/`).
  /** The newest run (highest run number) of every flow, by flow name. One query. */
  listLatestRuns(): Promise<RunRecord[]>;

  // The runs × steps history of a flow (web UI `/flows/$flow/history`).
  /**
   * Names of the steps the flow's runs went through, in the order they start within a run (the
   * earliest offset from the run's start; ties by name): the history's columns. One query.
   */
  listFlowStepNames(flow: string): Promise<string[]>;
  /**
   * Per run and step, its tasks' counts by status and time span, aggregated in the store (a foreach
   * step of 10,000 tasks is one row). Ordered by run id, then step name. One query per 400 runs.
   */
  summarizeSteps(runIds: readonly number[]): Promise<StepSummary[]>;
  // The run page (web UI, issue 11)
  /**
   * Every step of a run with its task counts by status, duration histogram, first start, last
   * finish and parent steps — aggregated in SQL (a few queries whatever the number of tasks),
   * ordered by first task id (steps without tasks last, by creation).
   */
  summarizeRun(runId: number): Promise<StepOverview[]>;

  close(): Promise<void>;
}
