/**
 * The client API's object hierarchy: Flowtrail (root) → Flow → Run → Step → Task → DataArtifact.
 * Every object can be built from its pathspec (`Run.get('HelloFlow/2')`), iterated for its children
 * (newest first), and asked for a child by id (`run.get('start')`). `get` returns a
 * {@link Deferred} object, so chains resolve with one `await`.
 *
 * Why the six classes share one file (over 400 lines): each one builds its children and its parent
 * (`run.get('start')` → Step, `step.parent` → Run), and the deferred shapes (which members of a
 * not-yet-loaded object lead to which other deferred objects) tie them together, so one file per
 * class would make every file import every other one. What they read from the stores, and the
 * messages when it is missing, live in `loaders.ts`; the public data types in `types.ts`; the
 * trigger objects in `trigger.ts`, which reach runs through the {@link RunLoader} handed in here.
 */
import { type ExceptionRecord, NotFoundError, UsageError } from '../core/errors.ts';
import { childPathspec, formatPathspec, runPathspec } from '../core/pathspec.ts';
import { type CancelOutcome, cancelRun } from '../store/cancel-run.ts';
import type {
  ArtifactRecord,
  AttemptRecord,
  EnvironmentInfo,
  LogLine,
  LogStream,
  RunRecord,
  RunStatus,
  StepRecord,
  TaskRecord,
  TaskStatus,
} from '../store/metadata-store.ts';
import { type Deferred, type DeferredOrNull, deferred } from './deferred.ts';
import {
  artifactsByTask,
  expectParts,
  fetchAttempts,
  fetchEndTask,
  fetchFirstTask,
  fetchFlow,
  fetchLatestRun,
  fetchRunAt,
  fetchRunCode,
  fetchStep,
  fetchTask,
  inNamespace,
  reconcile,
  runNumberOf,
  toDate,
  toLogLineView,
  toTaskAttempt,
} from './loaders.ts';
import { type ClientStores, clientStores, namespaceTags } from './provider.ts';
import {
  readArtifactValue,
  storedArtifacts,
  type TaskArtifacts,
  type TaskData,
  taskData,
} from './task-data.ts';
import { type RunLoader, type Trigger, triggerDeferred } from './trigger.ts';
import type { DataOf, FlowType, LogLineView, RunCode, TaskAttempt } from './types.ts';

const RUN_PAGE = 100;

/** The run `flow/runNumber`, checked against the namespace. */
async function runAt<F extends FlowType>(
  stores: ClientStores,
  flow: string,
  runNumber: number,
): Promise<Run<F>> {
  return new Run<F>(stores, await fetchRunAt(stores, flow, runNumber));
}
const TASK_PAGE = 500;

// ---------------------------------------------------------------------------------------------

/** The root of the hierarchy: every flow in the current namespace. */
export class Flowtrail implements AsyncIterable<Flow> {
  /** All flows that have a run in the current namespace, by name. */
  get flows(): Promise<Flow[]> {
    return (async () => {
      const stores = await clientStores();
      const rows = await stores.metadata.listFlows({ tags: namespaceTags() });
      return rows.map((r) => new Flow(stores, r.name, r.createdAt));
    })();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Flow> {
    yield* await this.flows;
  }

  /** A flow by name. */
  get(name: string): Deferred<Flow> {
    return Flow.get(name);
  }
}

const flowShape = {
  iterable: true,
  iterables: ['runs'],
  relations: {
    latestRun: (load: () => Promise<Flow>) => runDeferred(async () => (await load()).loadLatest(false)),
    latestSuccessfulRun: (load: () => Promise<Flow>) =>
      runDeferred(async () => (await load()).loadLatest(true)),
    get: (load: () => Promise<Flow>) => (id: string | number) =>
      runDeferred(async () => (await load()).loadRun(id)),
  },
} as const;

/** A flow: its runs, newest first. */
export class Flow<F extends FlowType = Record<string, unknown>> implements AsyncIterable<Run<F>> {
  readonly id: string;
  readonly pathspec: string;
  readonly pathComponents: readonly string[];
  /** Flows carry no tags; runs do. */
  readonly tags: readonly string[] = [];
  readonly createdAt: Date;
  /** Flows are the top of the hierarchy (below the root). */
  readonly parent = null;

  /** @internal */
  constructor(
    private readonly stores: ClientStores,
    readonly name: string,
    createdAtMs: number,
  ) {
    this.id = name;
    this.pathspec = name;
    this.pathComponents = [name];
    this.createdAt = new Date(createdAtMs);
  }

  /**
   * A flow by name, checked against the current namespace when awaited.
   *
   * @example
   * const run = await Flow.get('HelloFlow').latestSuccessfulRun;
   */
  static get<F extends FlowType = Record<string, unknown>>(pathspec: string): Deferred<Flow<F>> {
    return deferred(async () => {
      const { flow } = expectParts(pathspec, 'Flow', 1);
      const stores = await clientStores();
      const row = await fetchFlow(stores, flow);
      return new Flow<F>(stores, flow, row.createdAt);
    }, flowShape as never);
  }

  /** The newest run in the current namespace, whatever its status. Rejects with NotFoundError when there is none. */
  get latestRun(): Deferred<Run<F>> {
    return runDeferred(() => this.loadLatest(false));
  }

  /** The newest completed run in the current namespace (one query). Rejects with NotFoundError when there is none. */
  get latestSuccessfulRun(): Deferred<Run<F>> {
    return runDeferred(() => this.loadLatest(true));
  }

  /** A run by id (`'2'` or `2`). */
  get(id: string | number): Deferred<Run<F>> {
    return runDeferred(() => this.loadRun(id));
  }

  /** Runs in the current namespace carrying every given tag, newest first, fetched a page at a time. */
  async *runs(...tags: string[]): AsyncIterable<Run<F>> {
    let before: number | undefined;
    for (;;) {
      const page = await this.stores.metadata.listRuns(this.name, {
        tags: [...namespaceTags(), ...tags],
        limit: RUN_PAGE,
        ...(before !== undefined ? { beforeRunNumber: before } : {}),
      });
      for (const r of page) yield new Run<F>(this.stores, await reconcile(this.stores, r));
      if (page.length < RUN_PAGE) return;
      before = page[page.length - 1]!.runNumber;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Run<F>> {
    return this.runs()[Symbol.asyncIterator]();
  }

  /** @internal */
  async loadLatest(successful: boolean): Promise<Run<F>> {
    return new Run<F>(this.stores, await fetchLatestRun(this.stores, this.name, successful));
  }

  /** @internal */
  async loadRun(id: string | number): Promise<Run<F>> {
    return runAt<F>(this.stores, this.name, runNumberOf(this.name, id));
  }

  toString(): string {
    return `Flow('${this.pathspec}')`;
  }
}

/** A deferred run; `cancel` replaces the method on it (reached without loading the run). */
function runDeferred<F extends FlowType>(
  load: () => Promise<Run<F>>,
  cancel?: Run<F>['cancel'],
): Deferred<Run<F>> {
  if (!cancel) return deferred(load, runShape as never);
  return deferred(load, { ...runShape, relations: { ...runShape.relations, cancel: () => cancel } } as never);
}

/** Cancels the run with this store id; the run afterwards as a client object. */
async function cancelById<F extends FlowType>(
  stores: ClientStores,
  runId: number,
  options: CancelOptions,
): Promise<RunCancellation<F>> {
  const result = await cancelRun(stores, runId, options);
  return { outcome: result.outcome, run: new Run<F>(stores, result.run) };
}

const runShape = {
  iterable: true,
  iterables: ['steps'],
  relations: {
    parent: (load: () => Promise<Run>) => flowDeferredFrom(async () => (await load()).flowName),
    endTask: (load: () => Promise<Run>) => taskDeferred(async () => (await load()).loadEndTask()),
    data: (load: () => Promise<Run>) =>
      taskData(async () => (await (await load()).loadEndTask()).artifactRecords()),
    get: (load: () => Promise<Run>) => (name: string) =>
      stepDeferred(async () => (await load()).loadStep(name)),
    trigger: (load: () => Promise<Run>) => triggerDeferred(load, runLoader),
  },
};

function flowDeferredFrom(name: () => Promise<string>): Deferred<Flow> {
  return deferred(async () => {
    const n = await name();
    const stores = await clientStores();
    const row = await stores.metadata.getFlow(n);
    return new Flow(stores, n, row?.createdAt ?? 0);
  }, flowShape as never);
}

/** How `run.cancel()` cancels. */
export interface CancelOptions {
  /** Why: recorded on the run and carried by its `flowtrail.run.cancelled` event. */
  reason?: string;
  /** Resolve only once the run has ended (at most 90 s), not once the request is recorded. */
  wait?: boolean;
}

/** What `run.cancel()` did, and the run afterwards. */
export interface RunCancellation<F extends FlowType = Record<string, unknown>> {
  /**
   * `requested`: the run's orchestrator stops it (with `wait`: has stopped it); `applied`: no
   * orchestrator was alive, so the run was marked cancelled directly; `already-cancelled`: nothing done.
   */
  outcome: CancelOutcome;
  run: Run<F>;
}

/** One run of a flow. */
export class Run<F extends FlowType = Record<string, unknown>> implements AsyncIterable<Step<F>> {
  readonly id: string;
  readonly flowName: string;
  readonly runNumber: number;
  readonly pathspec: string;
  readonly pathComponents: readonly string[];
  readonly createdAt: Date;
  /**
   * Explicit status: running, completed, failed, crashed (an orchestrator that died) or cancelled
   * (`run.cancel()`, `flowtrail cancel`).
   */
  readonly status: RunStatus;
  /** True when the run completed (its `end` step succeeded). */
  readonly successful: boolean;
  /** True when the run is over, whatever the outcome (a run that failed before `end` is finished). */
  readonly finished: boolean;
  readonly finishedAt: Date | null;
  /** Parameter values the run was started with. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** What ended a failed, crashed or cancelled run (for a cancelled one: who cancelled it, and why). */
  readonly error: ExceptionRecord | null;
  /** `Flow/N` of the run this one resumed, or null. */
  readonly originPathspec: string | null;
  private userTagList: string[];
  private readonly systemTagList: string[];

  /** @internal */
  constructor(
    private readonly stores: ClientStores,
    /** @internal */ readonly record: RunRecord,
  ) {
    this.flowName = record.flow;
    this.runNumber = record.runNumber;
    this.id = String(record.runNumber);
    this.pathspec = runPathspec(record.flow, record.runNumber);
    this.pathComponents = [record.flow, this.id];
    this.createdAt = new Date(record.createdAt);
    this.status = record.status;
    this.successful = record.status === 'completed';
    this.finished = record.status !== 'running';
    this.finishedAt = toDate(record.finishedAt);
    this.parameters = record.params;
    this.error = record.error;
    this.originPathspec =
      record.originRunNumber === null ? null : runPathspec(record.flow, record.originRunNumber);
    this.userTagList = [...record.tags];
    this.systemTagList = [...record.systemTags];
  }

  /**
   * A run by pathspec, checked against the current namespace when awaited. Give the flow class
   * as a type argument for typed artifacts.
   *
   * @example
   * const scores = await Run.get<TrainFlow>('TrainFlow/3').data.scores; // number[]
   */
  static get<F extends FlowType = Record<string, unknown>>(pathspec: string): Deferred<Run<F>> {
    return runDeferred(
      async () => {
        const p = expectParts(pathspec, 'Run', 2);
        return runAt<F>(await clientStores(), p.flow, p.run!);
      },
      // `Run.get(p).cancel()` does not load the run first: loading marks a run whose orchestrator
      // is gone crashed, where a cancel marks it cancelled.
      async (options = {}) => {
        const p = expectParts(pathspec, 'Run', 2);
        const stores = await clientStores();
        const record = await fetchRunAt(stores, p.flow, p.run!, { reconcile: false });
        return cancelById<F>(stores, record.id, options);
      },
    );
  }

  /** User and system tags. */
  get tags(): readonly string[] {
    return [...this.systemTagList, ...this.userTagList];
  }

  get userTags(): readonly string[] {
    return [...this.userTagList];
  }

  get systemTags(): readonly string[] {
    return [...this.systemTagList];
  }

  get parent(): Deferred<Flow<F>> {
    return flowDeferredFrom(async () => this.flowName) as unknown as Deferred<Flow<F>>;
  }

  /** The task of the `end` step. Rejects with NotFoundError while the run has not reached it. */
  get endTask(): Deferred<Task<F>> {
    return taskDeferred(() => this.loadEndTask());
  }

  /** The artifacts of the end task: `await run.data.x`. */
  get data(): TaskData<DataOf<F>> {
    return taskData(async () => (await this.loadEndTask()).artifactRecords());
  }

  /**
   * What started this run — events and upstream runs — or null for a run started by hand.
   * Chains walk with one await: `await Flow.get('PredictionFlow').latestRun.trigger.run.trigger.run`.
   */
  get trigger(): DeferredOrNull<Trigger> {
    return triggerDeferred(async () => this, runLoader);
  }

  /** The runs this run triggered (`@triggerOnFinish` downstream), oldest first, in the current namespace. */
  triggered(): Promise<Run[]> {
    return runsTriggeredBy(this.pathspec);
  }

  /** The code package the run executed. */
  get code(): Promise<RunCode | null> {
    return fetchRunCode(this.stores, this.record.codeSha);
  }

  /** A step by name. */
  get(name: string): Deferred<Step<F>> {
    return stepDeferred(() => this.loadStep(name));
  }

  /** Steps carrying every given tag (steps carry their run's tags), newest first. */
  async *steps(...tags: string[]): AsyncIterable<Step<F>> {
    const all = this.tags;
    if (!tags.every((t) => all.includes(t))) return;
    const steps = await this.stores.metadata.listSteps(this.record.id);
    steps.sort((a, b) => b.createdAt - a.createdAt || b.name.localeCompare(a.name));
    for (const s of steps) yield new Step<F>(this.stores, this, s);
  }

  [Symbol.asyncIterator](): AsyncIterator<Step<F>> {
    return this.steps()[Symbol.asyncIterator]();
  }

  /** Adds user tags. Tags already present (as user or system tags) are left as they are. */
  async addTags(...tags: string[]): Promise<void> {
    await this.mutateTags({ add: tags });
  }

  addTag(tag: string): Promise<void> {
    return this.addTags(tag);
  }

  /** Removes user tags; removing a system tag refuses the whole request. */
  async removeTags(...tags: string[]): Promise<void> {
    await this.mutateTags({ remove: tags });
  }

  removeTag(tag: string): Promise<void> {
    return this.removeTags(tag);
  }

  /** Removes then adds, atomically. */
  async replaceTags(remove: readonly string[], add: readonly string[]): Promise<void> {
    await this.mutateTags({ remove, add });
  }

  replaceTag(remove: string, add: string): Promise<void> {
    return this.replaceTags([remove], [add]);
  }

  private async mutateTags(change: { add?: readonly string[]; remove?: readonly string[] }): Promise<void> {
    const result = await this.stores.metadata.mutateRunTags(this.record.id, change);
    this.userTagList = [...result.tags];
  }

  /**
   * Cancels the run: its orchestrator (in whatever process) stops the running tasks, starts no
   * more, and ends the run `cancelled`; a run whose orchestrator is gone is marked cancelled at
   * once. Resolves once the request is recorded, or with `wait` once the run has ended; `run` is
   * the run then. Cancelling a cancelled run changes nothing; `resume` can finish it later.
   *
   * @throws ConflictError when the run already completed, failed or crashed.
   * @example
   * const { outcome, run } = await Run.get('TrainFlow/3').cancel({ reason: 'wrong data', wait: true });
   * console.log(outcome, run.status); // requested cancelled
   */
  cancel(options: CancelOptions = {}): Promise<RunCancellation<F>> {
    return cancelById<F>(this.stores, this.record.id, options);
  }

  /** @internal */
  async loadEndTask(): Promise<Task<F>> {
    const end = await fetchEndTask(this.stores, {
      id: this.record.id,
      pathspec: this.pathspec,
      status: this.status,
    });
    return new Task<F>(this.stores, new Step<F>(this.stores, this, end.step), end.task);
  }

  /** @internal */
  async loadStep(name: string): Promise<Step<F>> {
    const step = await fetchStep(this.stores, { id: this.record.id, pathspec: this.pathspec }, name);
    return new Step<F>(this.stores, this, step);
  }

  toString(): string {
    return `Run('${this.pathspec}')`;
  }
}

// ---------------------------------------------------------------------------------------------

function stepDeferred<F extends FlowType>(load: () => Promise<Step<F>>): Deferred<Step<F>> {
  return deferred(load, stepShape as never);
}

const stepShape = {
  iterable: true,
  iterables: ['tasks'],
  relations: {
    parent: (load: () => Promise<Step>) => runDeferred(async () => (await load()).run),
    task: (load: () => Promise<Step>) => taskDeferred(async () => (await load()).loadAnyTask()),
    get: (load: () => Promise<Step>) => (id: string | number) =>
      taskDeferred(async () => (await load()).loadTask(id)),
  },
};

/** A step of a run: one task, or one per foreach split. */
export class Step<F extends FlowType = Record<string, unknown>> implements AsyncIterable<Task<F>> {
  readonly id: string;
  readonly name: string;
  readonly pathspec: string;
  readonly pathComponents: readonly string[];
  readonly createdAt: Date;
  /** When the last task finished; null while any task is unfinished. */
  readonly finishedAt: Date | null;

  /** @internal */
  constructor(
    private readonly stores: ClientStores,
    /** @internal */ readonly run: Run<F>,
    record: StepRecord,
  ) {
    this.name = record.name;
    this.id = record.name;
    this.pathspec = childPathspec(run.pathspec, record.name);
    this.pathComponents = [...run.pathComponents, record.name];
    this.createdAt = new Date(record.createdAt);
    this.finishedAt = toDate(record.finishedAt);
  }

  /**
   * A step by pathspec.
   *
   * @example
   * const x = await Step.get('DebugFlow/2/a').task.data.x;
   */
  static get<F extends FlowType = Record<string, unknown>>(pathspec: string): Deferred<Step<F>> {
    return stepDeferred(async () => {
      const p = expectParts(pathspec, 'Step', 3);
      const run = await runAt<F>(await clientStores(), p.flow, p.run!);
      return run.loadStep(p.step!);
    });
  }

  /** Steps carry their run's tags. */
  get tags(): readonly string[] {
    return this.run.tags;
  }

  get parent(): Deferred<Run<F>> {
    return runDeferred(async () => this.run);
  }

  /** The step's task; for a foreach step, the one with the lowest split index. */
  get task(): Deferred<Task<F>> {
    return taskDeferred(() => this.loadAnyTask());
  }

  /** A task by id. */
  get(id: string | number): Deferred<Task<F>> {
    return taskDeferred(() => this.loadTask(id));
  }

  /** Tasks carrying every given tag (tasks carry their run's tags), newest first, a page at a time. */
  async *tasks(...tags: string[]): AsyncIterable<Task<F>> {
    const all = this.run.tags;
    if (!tags.every((t) => all.includes(t))) return;
    let before: number | undefined;
    for (;;) {
      const page = await this.stores.metadata.listTasks(this.run.record.id, {
        step: this.name,
        order: 'desc',
        limit: TASK_PAGE,
        ...(before !== undefined ? { beforeTaskId: before } : {}),
      });
      // One query for the page's artifact indexes, so reading one artifact per task is one file read.
      const records = await artifactsByTask(this.stores, this.run.record.id, page);
      for (const t of page)
        yield new Task<F>(this.stores, this, t, undefined, records.get(t.taskId) ?? new Map());
      if (page.length < TASK_PAGE) return;
      before = page[page.length - 1]!.taskId;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Task<F>> {
    return this.tasks()[Symbol.asyncIterator]();
  }

  /** Environment of the step's first task (Node version, OS…). */
  get environmentInfo(): Promise<EnvironmentInfo | null> {
    return this.loadAnyTask().then((t) => t.environmentInfo);
  }

  /** @internal */
  async loadAnyTask(): Promise<Task<F>> {
    return this.taskFrom(await fetchFirstTask(this.stores, this.run.record.id, this));
  }

  /** @internal */
  async loadTask(id: string | number, attempt?: number): Promise<Task<F>> {
    return this.taskFrom(await fetchTask(this.stores, this.run.record.id, this, id), attempt);
  }

  private async taskFrom(record: TaskRecord, attempt?: number): Promise<Task<F>> {
    const attempts = await fetchAttempts(
      this.stores,
      record,
      childPathspec(this.pathspec, record.taskId),
      attempt,
    );
    return new Task<F>(this.stores, this, record, attempt, undefined, attempts);
  }

  toString(): string {
    return `Step('${this.pathspec}')`;
  }
}

// ---------------------------------------------------------------------------------------------

function taskDeferred<F extends FlowType>(load: () => Promise<Task<F>>): Deferred<Task<F>> {
  return deferred(load, taskShape as never);
}

const taskShape = {
  relations: {
    parent: (load: () => Promise<Task>) => stepDeferred(async () => (await load()).step),
    data: (load: () => Promise<Task>) => taskData(async () => (await load()).artifactRecords()),
    get: (load: () => Promise<Task>) => (name: string) =>
      artifactDeferred(async () => (await load()).loadArtifact(name)),
  },
};

/** One execution of a step: artifacts, logs, attempts and outcome. */
export class Task<F extends FlowType = Record<string, unknown>> {
  readonly id: string;
  readonly taskId: number;
  readonly stepName: string;
  readonly pathspec: string;
  readonly pathComponents: readonly string[];
  readonly createdAt: Date;
  readonly status: TaskStatus;
  /** True when the step's code succeeded (false when it failed, even if the failure was caught). */
  readonly successful: boolean;
  /** True when the task is over (completed, caught or failed). */
  readonly finished: boolean;
  readonly finishedAt: Date | null;
  /** The innermost foreach index, or undefined outside a foreach. */
  readonly index: number | undefined;
  /** Foreach indices from the outermost foreach. */
  readonly foreachPath: readonly number[];
  /** The attempt this object shows: the one given to `Task.get`, else the final one. */
  readonly attempt: number;
  /** Pathspec of the task this one was cloned from by `resume`, or null. */
  readonly originPathspec: string | null;
  private attemptRecords: Promise<AttemptRecord[]> | undefined;

  /** @internal */
  constructor(
    private readonly stores: ClientStores,
    /** @internal */ readonly step: Step<F>,
    /** @internal */ readonly record: TaskRecord,
    pinnedAttempt?: number,
    private readonly prefetched?: Map<string, ArtifactRecord>,
    attempts?: AttemptRecord[],
  ) {
    this.taskId = record.taskId;
    this.id = String(record.taskId);
    this.stepName = record.step;
    this.pathspec = childPathspec(step.pathspec, record.taskId);
    this.pathComponents = [...step.pathComponents, this.id];
    this.createdAt = new Date(record.createdAt);
    this.status = record.status;
    this.successful = record.successful === true;
    this.finished = record.status !== 'pending' && record.status !== 'running';
    this.finishedAt = toDate(record.finishedAt);
    this.foreachPath = record.foreachPath;
    this.index =
      record.foreachPath.length > 0 ? record.foreachPath[record.foreachPath.length - 1] : undefined;
    this.attempt = pinnedAttempt ?? record.finalAttempt ?? Math.max(0, record.attempts - 1);
    this.originPathspec = record.originPathspec;
    this.attemptRecords = attempts ? Promise.resolve(attempts) : undefined;
    if (pinnedAttempt !== undefined) this.prefetched = undefined;
  }

  /**
   * A task by pathspec; `attempt` pins artifacts, logs and exception to one attempt.
   *
   * @example
   * const t = await Task.get('ForeachFlow/1/score/3', { attempt: 0 });
   */
  static get<F extends FlowType = Record<string, unknown>>(
    pathspec: string,
    options: { attempt?: number } = {},
  ): Deferred<Task<F>> {
    if (options.attempt !== undefined && (!Number.isInteger(options.attempt) || options.attempt < 0)) {
      throw new UsageError(`Task.get: attempt must be a non-negative integer, got ${options.attempt}.`);
    }
    return taskDeferred(async () => {
      const p = expectParts(pathspec, 'Task', 4);
      const run = await runAt<F>(await clientStores(), p.flow, p.run!);
      const step = await run.loadStep(p.step!);
      return step.loadTask(p.task!, options.attempt);
    });
  }

  get tags(): readonly string[] {
    return this.step.tags;
  }

  get parent(): Deferred<Step<F>> {
    return stepDeferred(async () => this.step);
  }

  /** Artifact values by name: `await task.data.x`, or `await task.data` for all of them. */
  get data(): TaskData<DataOf<F>> {
    return taskData(() => this.artifactRecords());
  }

  /** Every artifact of the task (values load on demand). */
  get artifacts(): Promise<DataArtifact[]> {
    return (async () => {
      const { records } = await this.artifactRecords();
      return [...records.values()].map((r) => new DataArtifact(this.stores, this, r));
    })();
  }

  /** One artifact by name. */
  get(name: string): Deferred<DataArtifact> {
    return artifactDeferred(() => this.loadArtifact(name));
  }

  /** The exception of this attempt, if it failed (also when `@catchError` caught it). */
  get exception(): Promise<ExceptionRecord | null> {
    return this.attemptRecord().then((a) => a?.exception ?? null);
  }

  /** Node version, OS and host of the process that ran this attempt. */
  get environmentInfo(): Promise<EnvironmentInfo | null> {
    return this.attemptRecord().then((a) => a?.envInfo ?? null);
  }

  /** Every attempt, oldest first. */
  get attempts(): Promise<TaskAttempt[]> {
    return this.attemptRecordList().then((list) => list.map(toTaskAttempt));
  }

  private attemptRecordList(): Promise<AttemptRecord[]> {
    this.attemptRecords ??= this.stores.metadata.listAttempts(this.record.runId, this.taskId);
    return this.attemptRecords;
  }

  private async attemptRecord(): Promise<AttemptRecord | undefined> {
    return (await this.attemptRecordList()).find((a) => a.attempt === this.attempt);
  }

  /** Standard output of this attempt, one line per line. */
  get stdout(): Promise<string> {
    return this.logText('stdout');
  }

  /** Standard error of this attempt. */
  get stderr(): Promise<string> {
    return this.logText('stderr');
  }

  /**
   * Timestamped log lines of this attempt (both streams, in order, unless one is named); with
   * `afterSeq`, only the lines written after that one (to follow a live task).
   */
  async loglines(stream?: LogStream, options: { afterSeq?: number } = {}): Promise<LogLineView[]> {
    const lines: LogLine[] = await this.stores.metadata.readLogs(this.record.runId, this.taskId, {
      attempt: this.attempt,
      ...(stream ? { stream } : {}),
      ...(options.afterSeq !== undefined ? { afterSeq: options.afterSeq } : {}),
    });
    return lines.map(toLogLineView);
  }

  private async logText(stream: LogStream): Promise<string> {
    const lines = await this.loglines(stream);
    return lines.map((l) => `${l.line}\n`).join('');
  }

  /** The code package of the run. */
  get code(): Promise<RunCode | null> {
    return this.step.run.code;
  }

  /** @internal */
  async artifactRecords(): Promise<TaskArtifacts> {
    const task = this.pathspec;
    if (this.prefetched) return { stores: this.stores, task, records: this.prefetched };
    const rows = await this.stores.metadata.listArtifacts(this.record.runId, this.taskId, {
      attempt: this.attempt,
    });
    return { stores: this.stores, task, records: new Map(rows.map((r) => [r.name, r])) };
  }

  /** @internal */
  async loadArtifact(name: string): Promise<DataArtifact> {
    const artifacts = await this.artifactRecords();
    const r = artifacts.records.get(name);
    if (!r)
      throw new NotFoundError(
        childPathspec(this.pathspec, name),
        `DataArtifact('${childPathspec(this.pathspec, name)}') does not exist; Task('${this.pathspec}') ${storedArtifacts(artifacts.records)}.`,
      );
    return new DataArtifact(this.stores, this, r);
  }

  toString(): string {
    return `Task('${this.pathspec}')`;
  }
}

// ---------------------------------------------------------------------------------------------

function artifactDeferred(load: () => Promise<DataArtifact>): Deferred<DataArtifact> {
  return deferred(load, artifactShape as never);
}

const artifactShape = {
  relations: {
    parent: (load: () => Promise<DataArtifact>) => taskDeferred(async () => (await load()).task),
  },
};

/** One stored value of a task, with its metadata. */
export class DataArtifact<T = unknown> {
  readonly id: string;
  readonly name: string;
  readonly pathspec: string;
  readonly pathComponents: readonly string[];
  /** sha256 of the encoded bytes (the content address). */
  readonly sha: string;
  /** Encoded size in bytes. */
  readonly size: number;
  /** How the value is encoded (`msgpackr-v1`, `raw`). */
  readonly encoding: string;
  readonly createdAt: Date;
  readonly finishedAt: Date;

  /** @internal */
  constructor(
    private readonly stores: ClientStores,
    /** @internal */ readonly task: Task,
    private readonly record: ArtifactRecord,
  ) {
    this.name = record.name;
    this.id = record.name;
    this.pathspec = childPathspec(task.pathspec, record.name);
    this.pathComponents = [...task.pathComponents, record.name];
    this.sha = record.sha;
    this.size = record.size;
    this.encoding = record.codec;
    this.createdAt = new Date(record.createdAt);
    this.finishedAt = this.createdAt;
  }

  /**
   * An artifact by pathspec.
   *
   * @example
   * const a = await DataArtifact.get('HelloFlow/2/end/3/message');
   * console.log(a.sha, await a.data);
   */
  static get<T = unknown>(pathspec: string, options: { attempt?: number } = {}): Deferred<DataArtifact<T>> {
    return artifactDeferred(async () => {
      const p = expectParts(pathspec, 'DataArtifact', 5);
      const task = await Task.get(
        formatPathspec({ flow: p.flow, run: p.run, step: p.step, task: p.task }),
        options,
      );
      return task.loadArtifact(p.artifact!);
    }) as unknown as Deferred<DataArtifact<T>>;
  }

  /** The value, loaded and decoded. */
  get data(): Promise<T> {
    return readArtifactValue(this.stores, this.record) as Promise<T>;
  }

  get tags(): readonly string[] {
    return this.task.tags;
  }

  get parent(): Deferred<Task> {
    return taskDeferred(async () => this.task);
  }

  toString(): string {
    return `DataArtifact('${this.pathspec}')`;
  }
}

// ---------------------------------------------------------------------------------------------

/** How trigger objects (`trigger.ts`) reach runs without importing this file. */
const runLoader: RunLoader = {
  async load(pathspec) {
    const p = expectParts(pathspec, 'Run', 2);
    return runAt(await clientStores(), p.flow, p.run!);
  },
  defer: (load) => runDeferred(load),
};

/**
 * Runs started by an event (its id) or by a run (its pathspec), oldest first, in the current
 * namespace. The forward walk of a chain.
 *
 * @example
 * namespace(null);
 * for (const run of await runsTriggeredBy('ETLFlow/12')) console.log(run.pathspec); // TrainingFlow/7
 */
export async function runsTriggeredBy<F extends FlowType = Record<string, unknown>>(
  eventIdOrPathspec: string,
): Promise<Run<F>[]> {
  const stores = await clientStores();
  const records = await stores.metadata.listRunsTriggeredBy(eventIdOrPathspec);
  return records.filter(inNamespace).map((r) => new Run<F>(stores, r));
}
