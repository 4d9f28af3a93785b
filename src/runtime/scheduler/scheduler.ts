/**
 * The orchestrator of one run: wires the graph walk, the executor, retries, joins and the records
 * (each in a file of its own in this folder) and owns the run's tasks. Over 400 lines because it is
 * the one place those parts meet; each part's logic lives in its own file.
 */
import { type ExceptionRecord, toExceptionRecord } from '../../core/errors.ts';
import type { FlowtrailEvent } from '../../events/model.ts';
import type { FlowGraph, GraphNode } from '../../flow/graph.ts';
import type { ArtifactStore } from '../../store/artifact-store.ts';
import type {
  CancelRequest,
  EnvironmentInfo,
  LogLine,
  LogStream,
  RunRecord,
  RunStatus,
} from '../../store/metadata-store.ts';
import { cancelledError, HEARTBEAT_INTERVAL_MS } from '../../store/run-liveness.ts';
import type { Executor, ExecutorEvents } from '../executor/executor.ts';
import type { ProgressReporter } from '../progress.ts';
import type { ArtifactRefs, RunContext, TaskOutcome, TaskWork, WireEvent } from '../protocol.ts';
import type { RunTimings } from '../run-timings.ts';
import type { WriteQueue } from '../write-queue.ts';
import { CancelWatch } from './cancel-watch.ts';
import { caughtArtifacts, caughtLine } from './catch-failure.ts';
import { GraphWalk, type TaskSpec } from './graph-walk.ts';
import { ResumeCloner, type ResumeOrigin } from './resume-clone.ts';
import { afterFailure, attemptStatusOf, exceptionOf, RetryTimers } from './retry-policy.ts';
import { type Completion, RunRecords } from './run-records.ts';
import { StepTracker } from './step-tracker.ts';
import type { TaskNode } from './task-node.ts';

export type { ResumeOrigin } from './resume-clone.ts';

export interface SchedulerOptions {
  /** The compiled flow module the workers import. */
  flowBundle: string;
  graph: FlowGraph;
  run: RunRecord;
  params: ArtifactRefs;
  namespace: string;
  artifactRoot: string;
  artifactStore: ArtifactStore;
  writes: WriteQueue;
  /** Reads the run's cancel request from the store (polled while the run runs). */
  readCancelRequest: () => Promise<CancelRequest | null>;
  /** Where attempts run (the local process pool, or the queue). */
  executor: Executor;
  maxNumSplits: number;
  /** One process per task for every step. */
  isolate: boolean;
  progress: ProgressReporter;
  origin?: ResumeOrigin;
  timings?: RunTimings;
}

export interface RunOutcome {
  status: RunStatus;
  error: ExceptionRecord | null;
}

const LOG_FLUSH_MS = 100;
/** How long a cancelled task's worker gets between SIGTERM and SIGKILL. */
const CANCEL_GRACE_MS = 2_000;

/**
 * The orchestrator's scheduler: wires the graph walk, the worker dispatcher, the retry policy and
 * the resume cloner, and records every state change through `RunRecords`. It owns the tasks.
 */
export class Scheduler implements ExecutorEvents {
  private readonly o: SchedulerOptions;
  private readonly tasks = new Map<number, TaskNode>();
  private nextTaskId = 1;
  private readonly walk: GraphWalk;
  private readonly steps: StepTracker;
  private readonly cloner: ResumeCloner;
  private readonly records: RunRecords;
  private readonly executor: Executor;
  private readonly retries = new RetryTimers();
  private readonly cancelWatch: CancelWatch;
  private pendingLogs: LogLine[] = [];
  private settled = false;
  private resolveDone!: (o: RunOutcome) => void;
  private timers: NodeJS.Timeout[] = [];

  constructor(options: SchedulerOptions) {
    this.o = options;
    this.walk = new GraphWalk(options.graph, options.params);
    this.steps = new StepTracker(options.graph);
    this.cloner = new ResumeCloner(options.origin);
    this.records = new RunRecords(options.run, options.writes);
    this.executor = options.executor;
    this.cancelWatch = new CancelWatch(options.readCancelRequest, (request) => this.cancel(request));
  }

  private runContext(): RunContext {
    const run = this.o.run;
    return {
      runId: run.id,
      flowName: run.flow,
      runNumber: run.runNumber,
      user: run.user,
      namespace: this.o.namespace,
      tags: run.tags,
      originRunNumber: run.originRunNumber,
      trigger: run.trigger,
      params: this.o.params,
      maxNumSplits: this.o.maxNumSplits,
    };
  }

  /** Runs the flow to the end (or to its first unrecoverable failure). */
  run(): Promise<RunOutcome> {
    const done = new Promise<RunOutcome>((resolve) => {
      this.resolveDone = resolve;
    });
    this.timers.push(setInterval(() => this.flushLogs(), LOG_FLUSH_MS));
    this.timers.push(setInterval(() => this.records.heartbeat(), HEARTBEAT_INTERVAL_MS));
    this.cancelWatch.start();
    this.executor
      .start({
        load: {
          flowBundle: this.o.flowBundle,
          flowName: this.o.graph.flowName,
          artifactRoot: this.o.artifactRoot,
          context: this.runContext(),
        },
        events: this,
        settled: () => this.settled,
      })
      .then(
        () => this.createTask({ step: 'start', path: [], parents: [], stack: [] }),
        (e: unknown) => this.finish('failed', toExceptionRecord(e)),
      );
    return done;
  }

  // ---- tasks

  private createTask(spec: TaskSpec): void {
    const task: TaskNode = {
      id: this.nextTaskId++,
      step: spec.step,
      path: spec.path,
      parents: spec.parents,
      status: 'pending',
      attempt: 0,
      artifacts: {},
      foreachCount: undefined,
      foreachStack: spec.stack,
      cloned: false,
      timer: undefined,
      logSeq: 0,
    };
    this.tasks.set(task.id, task);
    this.steps.taskCreated(task.step);
    const now = Date.now();
    const source = this.cloner.sourceOf(task);
    this.records.taskCreated(task, now, source?.pathspec ?? null);
    if (!source) {
      this.submit(task);
      return;
    }
    task.clonedFrom = source.pathspec;
    task.cloned = true;
    this.records.taskCloned(task, source, now);
    this.markStepStarted(task.step, now);
    this.o.progress.taskStarted(task.step, task.id, 0);
    // Continue on a fresh stack: long chains of clones must not recurse deeply.
    queueMicrotask(() =>
      this.complete(
        task,
        source.artifacts,
        source.record.foreachCount ?? undefined,
        source.record.successful ?? true,
        now,
        'cloned',
      ),
    );
  }

  /** Hands the task's current attempt to the executor. */
  private submit(task: TaskNode): void {
    const node = this.walk.node(task.step);
    this.executor.submit({
      work: this.work(task),
      isolated: this.o.isolate || node.options.isolated,
      resources: node.options.resources,
    });
  }

  onStarted(work: TaskWork, envInfo: EnvironmentInfo): void {
    const task = this.tasks.get(work.taskId);
    if (this.settled || !task || task.attempt !== work.attempt || task.status !== 'pending') return;
    const now = Date.now();
    const node = this.walk.node(task.step);
    task.status = 'running';
    // The step's `started` event precedes its first task's.
    this.markStepStarted(task.step, now);
    this.records.attemptStarted(task, envInfo, now);
    if (node.options.timeoutSeconds !== undefined) {
      const seconds = node.options.timeoutSeconds;
      task.timer = setTimeout(() => {
        this.executor.kill(work, {
          taskId: task.id,
          attempt: task.attempt,
          ok: false,
          artifacts: {},
          exception: {
            type: 'TimeoutError',
            code: 'STEP_TIMEOUT',
            message: `Step '${task.step}' (task ${this.records.pathspecOf(task)}) timed out after ${seconds} s.`,
            stack: '',
          },
        });
      }, seconds * 1000);
    }
    this.o.progress.taskStarted(task.step, task.id, task.attempt);
    this.o.timings?.mark('first worker ready');
  }

  onUnschedulable(work: TaskWork, exception: ExceptionRecord): void {
    const task = this.tasks.get(work.taskId);
    if (this.settled || !task || task.attempt !== work.attempt || task.status !== 'pending') return;
    // Recorded as an attempt that failed at once, so the task page and the run's error say why.
    this.onStarted(work, {});
    this.records.taskUnschedulable(task, exception, Date.now());
    this.onOutcome(work, {
      taskId: task.id,
      attempt: task.attempt,
      ok: false,
      artifacts: {},
      exception,
      nonRetriable: true,
    });
  }

  private work(task: TaskNode): TaskWork {
    return {
      step: task.step,
      taskId: task.id,
      attempt: task.attempt,
      inputs: task.parents.map((p) => ({
        step: p.step,
        taskId: p.id,
        index: p.foreachStack[p.foreachStack.length - 1]?.index,
        artifacts: p.artifacts,
      })),
      foreachStack: task.foreachStack,
    };
  }

  private markStepStarted(step: string, now: number): void {
    if (this.steps.taskStarted(step)) this.records.stepStarted(step, now);
  }

  // ---- worker events

  onLine(work: TaskWork, stream: LogStream, line: string, ts: number): void {
    const task = this.tasks.get(work.taskId);
    if (!task) return;
    this.pendingLogs.push({
      runId: this.o.run.id,
      taskId: task.id,
      attempt: work.attempt,
      seq: task.logSeq++,
      stream,
      ts,
      line,
    });
    this.o.progress.line(task.step, task.id, stream, line);
  }

  onEmit(event: WireEvent): Promise<void> {
    const revived = { ...event, occurred: new Date(event.occurred), received: new Date() } as FlowtrailEvent;
    return this.records.stepCodeEvent(revived);
  }

  onLoadFailed(exception: ExceptionRecord): void {
    this.finish('failed', exception);
  }

  private flushLogs(): void {
    if (this.pendingLogs.length === 0) return;
    const lines = this.pendingLogs;
    this.pendingLogs = [];
    this.records.logs(lines);
  }

  onOutcome(work: TaskWork, outcome: TaskOutcome): void {
    const task = this.tasks.get(work.taskId);
    if (!task || task.attempt !== work.attempt || task.status !== 'running') return;
    if (task.timer) clearTimeout(task.timer);
    task.timer = undefined;
    this.flushLogs();
    const now = Date.now();
    if (outcome.ok) {
      this.records.attemptFinished(task, 'completed', null, now);
      this.records.artifactsStored(task, outcome.artifacts, now);
      this.complete(task, outcome.artifacts, outcome.foreachCount, true, now);
      return;
    }
    const status = attemptStatusOf(outcome.exception);
    const exception = exceptionOf(outcome);
    this.records.attemptFinished(task, status, exception, now);
    this.records.artifactsStored(task, outcome.artifacts, now);
    const node = this.walk.node(task.step);
    const next = this.settled ? { kind: 'fail' as const } : afterFailure(node, outcome, task.attempt);
    if (next.kind === 'retry') {
      this.records.taskRetrying(task, status, exception, now);
      this.o.progress.taskFinished(task.step, task.id, 'retrying', exception);
      task.attempt++;
      task.status = 'pending';
      task.logSeq = 0;
      this.retries.schedule(next.delayMs, () => this.submit(task));
      return;
    }
    if (next.kind === 'catch') {
      void this.catchFailure(task, node, outcome, exception);
      return;
    }
    task.status = 'failed';
    this.records.taskFailed(task, status, exception, now);
    this.o.progress.taskFinished(task.step, task.id, 'failed', exception);
    this.finish('failed', {
      ...exception,
      message: `Step '${task.step}' (task ${this.records.pathspecOf(task)}) failed: ${exception.message}`,
    });
  }

  /** Every attempt failed but the step catches: store the error in its artifact and go on. */
  private async catchFailure(
    task: TaskNode,
    node: GraphNode,
    outcome: TaskOutcome,
    exception: ExceptionRecord,
  ): Promise<void> {
    try {
      const artifacts = await caughtArtifacts(
        this.o.artifactStore,
        node,
        outcome,
        exception,
        this.walk.inherited(task),
      );
      const line = caughtLine(node, exception);
      if (line) this.onLine(this.work(task), 'stderr', line, Date.now());
      const now = Date.now();
      this.records.artifactsStored(task, artifacts, now);
      this.complete(task, artifacts, undefined, false, now);
    } catch (e) {
      this.finish('failed', toExceptionRecord(e));
    }
  }

  private complete(
    task: TaskNode,
    artifacts: ArtifactRefs,
    foreachCount: number | undefined,
    successful: boolean,
    now: number,
    how: Completion = 'completed',
  ): void {
    if (this.settled) return;
    task.status = 'completed';
    task.artifacts = artifacts;
    task.foreachCount = foreachCount;
    const changed: string[] = [];
    if (how === 'completed') {
      const inherited = this.walk.inherited(task);
      for (const name in artifacts) if (inherited[name]?.sha !== artifacts[name]!.sha) changed.push(name);
    }
    this.records.taskCompleted(task, successful, how, changed, now);
    this.o.progress.taskFinished(
      task.step,
      task.id,
      how === 'cloned' ? 'cloned' : successful ? 'completed' : 'caught',
    );
    if (this.steps.taskCompleted(task.step)) this.records.stepFinished(task.step, now);
    if (task.step === 'end') {
      this.finish('completed', null);
      return;
    }
    for (const spec of this.walk.successors(task)) this.createTask(spec);
  }

  // ---- the end

  private finish(
    status: RunStatus,
    error: ExceptionRecord | null,
    cancel: CancelRequest | null = null,
  ): void {
    if (this.settled) return;
    this.settled = true;
    for (const t of this.timers) clearInterval(t);
    this.cancelWatch.stop();
    this.retries.cancelAll();
    this.flushLogs();
    const now = Date.now();
    // Stop whatever still runs: those attempts are recorded as killed (cancelled, on a cancel).
    const reason: ExceptionRecord = cancel
      ? {
          type: 'RunCancelled',
          message: `The run was cancelled by ${cancel.by} before this task finished.`,
          stack: '',
        }
      : { type: 'RunStopped', message: `The run ${status} before this task finished.`, stack: '' };
    for (const task of this.tasks.values()) {
      if (task.timer) clearTimeout(task.timer);
      if (task.status === 'running') {
        this.records.attemptFinished(task, cancel ? 'cancelled' : 'killed', reason, now);
        if (cancel) this.records.taskCancelled(task, reason, now, true);
        else this.records.taskFailed(task, 'killed', reason, now, undefined);
        task.status = cancel ? 'cancelled' : 'failed';
      } else if (task.status === 'pending') {
        if (cancel) this.records.taskCancelled(task, reason, now, false);
        else this.records.taskAbandoned(task, now);
        task.status = cancel ? 'cancelled' : 'failed';
      }
    }
    // A cancelled task's process gets SIGTERM and a moment to exit before SIGKILL.
    this.executor.stopAll(cancel ? CANCEL_GRACE_MS : 0);
    this.records.runFinished(status, error, now, cancel);
    this.o.timings?.mark('run finished');
    this.resolveDone({ status, error });
  }

  /** Stops the run from outside (SIGINT). */
  interrupt(signal: string): void {
    this.finish('failed', {
      type: 'Interrupted',
      message: `The run was interrupted by ${signal}.`,
      stack: '',
    });
  }

  /** Cancels the run on request (noticed by the cancel watch): no task starts after this. */
  cancel(request: CancelRequest): void {
    this.finish('cancelled', cancelledError(this.o.run, request), request);
  }
}
