import os from 'node:os';
import { type ExceptionRecord, toExceptionRecord } from '../core/errors.ts';
import { artifactEvent, type RunIdentity, runEvent, stepEvent, taskEvent } from '../events/lifecycle.ts';
import type { FlowtrailEvent } from '../events/model.ts';
import type { FlowGraph, GraphNode } from '../flow/graph.ts';
import type { ArtifactStore } from '../store/artifact-store.ts';
import type {
  AttemptStatus,
  EnvironmentInfo,
  LogLine,
  LogStream,
  RunRecord,
  RunStatus,
  TaskRecord,
} from '../store/metadata-store.ts';
import { HEARTBEAT_INTERVAL_MS } from '../store/run-liveness.ts';
import { storeArtifact } from './artifact-scope.ts';
import type { ProgressReporter } from './progress.ts';
import type {
  ArtifactRef,
  ArtifactRefs,
  ForeachFrameRef,
  TaskAssignment,
  TaskInput,
  TaskOutcome,
  WireEvent,
} from './protocol.ts';
import { Worker, type WorkerEvents } from './worker-pool.ts';
import type { WriteQueue } from './write-queue.ts';

interface TaskNode {
  id: number;
  step: string;
  path: number[];
  parents: TaskNode[];
  status: 'pending' | 'running' | 'completed' | 'failed';
  attempt: number;
  artifacts: ArtifactRefs;
  foreachCount: number | undefined;
  foreachStack: ForeachFrameRef[];
  cloned: boolean;
  /** For a clone: the origin task's pathspec. */
  clonedFrom?: string;
  timer: NodeJS.Timeout | undefined;
  worker: Worker | undefined;
  logSeq: number;
}

interface JoinBarrier {
  expected: number;
  arrived: number;
  inputs: (TaskNode | undefined)[];
  stack: ForeachFrameRef[];
  path: number[];
}

/** What a resumed run reuses from its origin. */
export interface ResumeOrigin {
  run: RunRecord;
  tasks: TaskRecord[];
  artifacts: Map<number, ArtifactRefs>;
  /** Steps that must run again even where the origin succeeded (`--step` and everything after it). */
  rerunSteps: Set<string>;
}

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
  maxWorkers: number;
  maxNumSplits: number;
  /** One process per task for every step. */
  isolate: boolean;
  progress: ProgressReporter;
  origin?: ResumeOrigin;
}

export interface RunOutcome {
  status: RunStatus;
  error: ExceptionRecord | null;
}

const pathKey = (path: readonly number[]): string => path.join('.');
const LOG_FLUSH_MS = 100;
const SCALE_CHECK_MS = 50;
/** A worker busy this long on one task counts as slow; the pool may grow. */
const SLOW_TASK_MS = 200;
/** Event-loop lag above which the pool does not grow. */
const MAX_LAG_TO_GROW_MS = 20;

function attemptStatusOf(exception: ExceptionRecord | undefined): AttemptStatus {
  if (exception?.type === 'TimeoutError') return 'timeout';
  if (exception?.type === 'WorkerDied') return 'killed';
  return 'failed';
}

/**
 * The orchestrator's scheduler: walks the flow graph, creates tasks as their inputs complete,
 * hands them to worker processes, applies retry / catch / timeout, clones tasks on resume, and
 * records everything through the write queue.
 */
export class Scheduler implements WorkerEvents {
  private readonly o: SchedulerOptions;
  private nextTaskId = 1;
  private readonly ready: TaskNode[] = [];
  private readonly barriers = new Map<string, JoinBarrier>();
  private readonly workers = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private pendingLogs: LogLine[] = [];
  private readonly outstanding = new Map<string, number>();
  private readonly finishedSteps = new Set<string>();
  private readonly startedSteps = new Set<string>();
  private readonly ancestors = new Map<string, Set<string>>();
  private readonly originIndex = new Map<string, TaskRecord>();
  private settled = false;
  private resolveDone!: (o: RunOutcome) => void;
  private timers: NodeJS.Timeout[] = [];
  private retryTimers = new Set<NodeJS.Timeout>();
  private readonly envInfo = new Map<number, EnvironmentInfo>();

  constructor(options: SchedulerOptions) {
    this.o = options;
    for (const name of options.graph.order) this.ancestors.set(name, this.collectAncestors(name));
    if (options.origin) {
      for (const t of options.origin.tasks) this.originIndex.set(`${t.step}@${pathKey(t.foreachPath)}`, t);
    }
  }

  private collectAncestors(step: string): Set<string> {
    const out = new Set<string>();
    const stack = [...this.o.graph.nodes.get(step)!.parents];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (out.has(s)) continue;
      out.add(s);
      stack.push(...this.o.graph.nodes.get(s)!.parents);
    }
    return out;
  }

  /** Runs the flow to the end (or to its first unrecoverable failure). */
  run(): Promise<RunOutcome> {
    const done = new Promise<RunOutcome>((resolve) => {
      this.resolveDone = resolve;
    });
    const initial = Math.max(1, Math.min(this.o.maxWorkers, os.availableParallelism()));
    if (!this.o.isolate) for (let i = 0; i < initial; i++) this.spawn(false);
    this.timers.push(setInterval(() => this.flushLogs(), LOG_FLUSH_MS));
    this.timers.push(setInterval(() => this.maybeGrow(), SCALE_CHECK_MS));
    this.timers.push(
      setInterval(
        () =>
          this.o.writes.push({ op: 'run.update', runId: this.o.run.id, patch: { heartbeatAt: Date.now() } }),
        HEARTBEAT_INTERVAL_MS,
      ),
    );
    this.createTask('start', [], [], []);
    return done;
  }

  // ---- workers

  private spawn(isolated: boolean): Worker {
    const w = new Worker(
      this.o.flowBundle,
      this.o.graph.flowName,
      this.o.artifactRoot,
      isolated,
      this,
      (worker) => this.onIdle(worker),
      (worker) => this.onWorkerExit(worker),
    );
    this.workers.add(w);
    return w;
  }

  private onIdle(w: Worker): void {
    if (this.settled) {
      w.stop();
      return;
    }
    const first = this.isolatedFirst.get(w);
    if (first) {
      this.isolatedFirst.delete(w);
      this.dispatch(first, w);
      return;
    }
    this.idle.push(w);
    this.pump();
  }

  private onWorkerExit(w: Worker): void {
    this.workers.delete(w);
    const at = this.idle.indexOf(w);
    if (at >= 0) this.idle.splice(at, 1);
    this.isolatedFirst.delete(w);
    if (this.settled) return;
    // A regular worker that died (killed task, timeout) is replaced to keep the pool's size.
    if (!w.isolated) this.spawn(false);
    if (this.ready.length > 0) this.pump();
  }

  private lastGrowCheck = Date.now();

  private maybeGrow(): void {
    const now = Date.now();
    // A late timer means this process is the bottleneck (busy writing): more workers would not help.
    const lag = now - this.lastGrowCheck - SCALE_CHECK_MS;
    this.lastGrowCheck = now;
    if (lag > MAX_LAG_TO_GROW_MS) return;
    if (this.settled || this.ready.length === 0 || this.idle.length > 0) return;
    if (this.workers.size >= this.o.maxWorkers) return;
    for (const w of this.workers) if (!w.ready || !w.busy || now - w.taskStartedAt < SLOW_TASK_MS) return;
    this.spawn(false);
  }

  private isIsolated(step: string): boolean {
    return this.o.isolate || this.o.graph.nodes.get(step)!.options.isolated;
  }

  /** Hands ready tasks to idle workers (or to fresh isolated ones). */
  private pump(): void {
    if (this.settled) return;
    const i = 0;
    while (i < this.ready.length) {
      const task = this.ready[i]!;
      if (this.isIsolated(task.step)) {
        if (this.workers.size - this.idle.length >= this.o.maxWorkers) break;
        if (this.idle.length > 0 && this.workers.size >= this.o.maxWorkers) this.idle.pop()!.stop();
        this.ready.splice(i, 1);
        // The isolated worker takes its task as soon as it is ready, and exits after it.
        this.isolatedFirst.set(this.spawn(true), task);
        continue;
      }
      const w = this.idle.pop();
      if (!w) break;
      this.ready.splice(i, 1);
      this.dispatch(task, w);
    }
    if (this.ready.length > 0 && this.workers.size === 0) this.spawn(false);
  }

  private readonly isolatedFirst = new Map<Worker, TaskNode>();

  private dispatch(task: TaskNode, w: Worker): void {
    const now = Date.now();
    const node = this.o.graph.nodes.get(task.step)!;
    task.status = 'running';
    task.worker = w;
    this.o.writes.push(
      {
        op: 'attempt.start',
        attempt: {
          runId: this.o.run.id,
          taskId: task.id,
          attempt: task.attempt,
          status: 'running',
          startedAt: now,
          finishedAt: null,
          exception: null,
          envInfo: w.envInfo,
        },
      },
      {
        op: 'task.update',
        runId: this.o.run.id,
        taskId: task.id,
        patch: { status: 'running', startedAt: now, attempts: task.attempt + 1 },
      },
    );
    this.markStepStarted(task.step, now);
    const assignment = this.assignment(task);
    if (node.options.timeoutSeconds !== undefined) {
      const seconds = node.options.timeoutSeconds;
      task.timer = setTimeout(() => {
        w.kill({
          taskId: task.id,
          attempt: task.attempt,
          ok: false,
          artifacts: {},
          exception: {
            type: 'TimeoutError',
            code: 'STEP_TIMEOUT',
            message: `Step '${task.step}' (task ${this.pathspecOf(task)}) timed out after ${seconds} s.`,
            stack: '',
          },
        });
      }, seconds * 1000);
    }
    this.emit(taskEvent(this.runIdentity, task.step, task.id, 'started', now, { attempt: task.attempt }));
    this.o.progress.taskStarted(task.step, task.id, task.attempt);
    w.run(assignment);
  }

  private assignment(task: TaskNode): TaskAssignment {
    const run = this.o.run;
    const inputs: TaskInput[] = task.parents.map((p) => ({
      step: p.step,
      taskId: p.id,
      index: p.foreachStack[p.foreachStack.length - 1]?.index,
      artifacts: p.artifacts,
    }));
    return {
      runId: run.id,
      flowName: run.flow,
      runNumber: run.runNumber,
      step: task.step,
      taskId: task.id,
      attempt: task.attempt,
      user: run.user,
      namespace: this.o.namespace,
      tags: run.tags,
      originRunNumber: run.originRunNumber,
      trigger: run.trigger,
      params: this.o.params,
      inputs,
      foreachStack: task.foreachStack,
      maxNumSplits: this.o.maxNumSplits,
    };
  }

  /** The run as lifecycle events describe it. */
  private get runIdentity(): RunIdentity {
    return { flow: this.o.run.flow, runNumber: this.o.run.runNumber, tags: this.o.run.tags };
  }

  /** Queues lifecycle events; they commit in the same transaction as the state change queued with them. */
  private emit(...events: FlowtrailEvent[]): void {
    this.o.writes.push({ op: 'events.append', events });
  }

  private pathspecOf(task: TaskNode): string {
    return `${this.o.run.flow}/${this.o.run.runNumber}/${task.step}/${task.id}`;
  }

  // ---- worker events

  onLine(assignment: TaskAssignment, stream: LogStream, line: string, ts: number): void {
    const task = this.tasks.get(assignment.taskId);
    if (!task) return;
    this.pendingLogs.push({
      runId: this.o.run.id,
      taskId: task.id,
      attempt: assignment.attempt,
      seq: task.logSeq++,
      stream,
      ts,
      line,
    });
    this.o.progress.line(task.step, task.id, stream, line);
  }

  onEmit(event: WireEvent): Promise<void> {
    const revived: FlowtrailEvent = {
      ...event,
      occurred: new Date(event.occurred),
      received: new Date(),
    } as FlowtrailEvent;
    return this.o.writes.pushAndWait({ op: 'events.append', events: [revived] });
  }

  onLoadFailed(exception: ExceptionRecord): void {
    this.finish('failed', exception);
  }

  private flushLogs(): void {
    if (this.pendingLogs.length === 0) return;
    const lines = this.pendingLogs;
    this.pendingLogs = [];
    this.o.writes.push({ op: 'logs.append', lines });
  }

  onOutcome(assignment: TaskAssignment, outcome: TaskOutcome, envInfo: EnvironmentInfo): void {
    const task = this.tasks.get(assignment.taskId);
    if (!task || task.attempt !== assignment.attempt || task.status !== 'running') return;
    this.envInfo.set(task.id, envInfo);
    if (task.timer) clearTimeout(task.timer);
    task.timer = undefined;
    task.worker = undefined;
    this.flushLogs();
    const now = Date.now();
    const record = (status: AttemptStatus, exception: ExceptionRecord | null): void => {
      this.o.writes.push({
        op: 'attempt.finish',
        runId: this.o.run.id,
        taskId: task.id,
        attempt: task.attempt,
        status,
        finishedAt: now,
        exception,
      });
      const refs = Object.entries(outcome.artifacts);
      if (refs.length > 0) {
        this.o.writes.push({
          op: 'artifacts.add',
          artifacts: refs.map(([name, ref]) => ({
            runId: this.o.run.id,
            taskId: task.id,
            attempt: task.attempt,
            name,
            ...ref,
            createdAt: now,
          })),
        });
      }
    };
    if (outcome.ok) {
      record('completed', null);
      this.complete(task, outcome.artifacts, outcome.foreachCount, true, now);
      return;
    }
    const status = attemptStatusOf(outcome.exception);
    const exception = outcome.exception ?? { type: 'Error', message: 'The task failed.', stack: '' };
    record(status, exception);
    const node = this.o.graph.nodes.get(task.step)!;
    const retries = node.options.retry?.times ?? 0;
    if (!outcome.nonRetriable && task.attempt < retries && !this.settled) {
      this.emit(
        taskEvent(this.runIdentity, task.step, task.id, 'retrying', now, {
          attempt: task.attempt,
          status,
          exception: { type: exception.type, message: exception.message },
        }),
      );
      this.o.progress.taskFinished(task.step, task.id, 'retrying', exception);
      task.attempt++;
      task.status = 'pending';
      task.logSeq = 0;
      const delay = (node.options.retry?.delaySeconds ?? 0) * 1000;
      const requeue = () => {
        this.ready.push(task);
        this.pump();
      };
      if (delay > 0) {
        const t = setTimeout(() => {
          this.retryTimers.delete(t);
          requeue();
        }, delay);
        this.retryTimers.add(t);
      } else requeue();
      return;
    }
    if (node.options.catch && !this.settled) {
      void this.catchFailure(task, node, outcome, exception);
      return;
    }
    task.status = 'failed';
    this.o.writes.push({
      op: 'task.update',
      runId: this.o.run.id,
      taskId: task.id,
      patch: { status: 'failed', successful: false, finalAttempt: task.attempt, finishedAt: now },
    });
    this.emit(
      taskEvent(this.runIdentity, task.step, task.id, 'failed', now, {
        attempt: task.attempt,
        status,
        exception: { type: exception.type, message: exception.message },
      }),
    );
    this.o.progress.taskFinished(task.step, task.id, 'failed', exception);
    this.finish('failed', {
      ...exception,
      message: `Step '${task.step}' (task ${this.pathspecOf(task)}) failed: ${exception.message}`,
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
      // A worker that died left no artifacts: fall back to what the task inherited.
      const base: ArtifactRefs =
        Object.keys(outcome.artifacts).length > 0 ? { ...outcome.artifacts } : this.inherited(task);
      const name = node.options.catch!.artifact;
      if (name) base[name] = await storeArtifact(this.o.artifactStore, name, { ...exception });
      if (node.options.catch!.printException !== false) {
        this.onLine(
          this.assignment(task),
          'stderr',
          `@catchError: ${exception.type}: ${exception.message}`,
          Date.now(),
        );
      }
      const now = Date.now();
      this.o.writes.push({
        op: 'artifacts.add',
        artifacts: Object.entries(base).map(([n, ref]) => ({
          runId: this.o.run.id,
          taskId: task.id,
          attempt: task.attempt,
          name: n,
          ...ref,
          createdAt: now,
        })),
      });
      this.complete(task, base, undefined, false, now);
    } catch (e) {
      this.finish('failed', toExceptionRecord(e));
    }
  }

  private inherited(task: TaskNode): ArtifactRefs {
    if (this.o.graph.nodes.get(task.step)!.join) return { ...this.o.params };
    return { ...(task.parents[0]?.artifacts ?? this.o.params) };
  }

  // ---- graph walking

  private readonly tasks = new Map<number, TaskNode>();

  private createTask(step: string, path: number[], parents: TaskNode[], stack: ForeachFrameRef[]): void {
    const task: TaskNode = {
      id: this.nextTaskId++,
      step,
      path,
      parents,
      status: 'pending',
      attempt: 0,
      artifacts: {},
      foreachCount: undefined,
      foreachStack: stack,
      cloned: false,
      timer: undefined,
      worker: undefined,
      logSeq: 0,
    };
    this.tasks.set(task.id, task);
    this.outstanding.set(step, (this.outstanding.get(step) ?? 0) + 1);
    const now = Date.now();
    const origin = this.cloneSource(task);
    this.o.writes.push({
      op: 'task.create',
      task: {
        runId: this.o.run.id,
        taskId: task.id,
        step,
        status: 'pending',
        successful: null,
        foreachPath: path,
        foreachCount: null,
        parentIds: parents.map((p) => p.id),
        attempts: 0,
        finalAttempt: null,
        createdAt: now,
        startedAt: null,
        finishedAt: null,
        originPathspec: origin ? this.originPathspecOf(origin) : null,
      },
    });
    if (origin) {
      this.cloneTask(task, origin, now);
      return;
    }
    this.ready.push(task);
    this.pump();
  }

  private cloneSource(task: TaskNode): TaskRecord | undefined {
    const origin = this.o.origin;
    if (!origin || origin.rerunSteps.has(task.step)) return undefined;
    if (!task.parents.every((p) => p.cloned)) return undefined;
    const found = this.originIndex.get(`${task.step}@${pathKey(task.path)}`);
    return found && found.status === 'completed' ? found : undefined;
  }

  private originPathspecOf(origin: TaskRecord): string {
    return `${this.o.origin!.run.flow}/${this.o.origin!.run.runNumber}/${origin.step}/${origin.taskId}`;
  }

  private cloneTask(task: TaskNode, origin: TaskRecord, now: number): void {
    task.clonedFrom = this.originPathspecOf(origin);
    task.cloned = true;
    const artifacts = this.o.origin!.artifacts.get(origin.taskId) ?? {};
    this.o.writes.push(
      {
        op: 'attempt.start',
        attempt: {
          runId: this.o.run.id,
          taskId: task.id,
          attempt: 0,
          status: 'cloned',
          startedAt: now,
          finishedAt: now,
          exception: null,
          envInfo: null,
        },
      },
      {
        op: 'artifacts.add',
        artifacts: Object.entries(artifacts).map(([name, ref]) => ({
          runId: this.o.run.id,
          taskId: task.id,
          attempt: 0,
          name,
          ...ref,
          createdAt: now,
        })),
      },
    );
    this.markStepStarted(task.step, now);
    this.o.progress.taskStarted(task.step, task.id, 0);
    // Continue on a fresh stack: long chains of clones must not recurse deeply.
    queueMicrotask(() =>
      this.complete(
        task,
        artifacts,
        origin.foreachCount ?? undefined,
        origin.successful ?? true,
        now,
        'cloned',
      ),
    );
  }

  private complete(
    task: TaskNode,
    artifacts: ArtifactRefs,
    foreachCount: number | undefined,
    successful: boolean,
    now: number,
    how: 'completed' | 'cloned' = 'completed',
  ): void {
    if (this.settled) return;
    task.status = 'completed';
    task.artifacts = artifacts;
    task.foreachCount = foreachCount;
    this.o.writes.push({
      op: 'task.update',
      runId: this.o.run.id,
      taskId: task.id,
      patch: {
        status: 'completed',
        successful,
        finalAttempt: task.attempt,
        finishedAt: now,
        ...(foreachCount !== undefined ? { foreachCount } : {}),
        ...(how === 'cloned' ? { attempts: 1, startedAt: now } : {}),
      },
    });
    const events: FlowtrailEvent[] = [];
    if (how === 'completed') {
      const inherited = this.inherited(task);
      for (const [name, ref] of Object.entries(artifacts)) {
        if (inherited[name]?.sha !== ref.sha) {
          events.push(artifactEvent(this.runIdentity, task.step, task.id, { name, ...ref }, now));
        }
      }
    }
    events.push(
      taskEvent(this.runIdentity, task.step, task.id, 'completed', now, {
        attempt: task.attempt,
        successful,
        ...(how === 'cloned' ? { clonedFrom: task.clonedFrom ?? null } : {}),
      }),
    );
    this.emit(...events);
    this.o.progress.taskFinished(
      task.step,
      task.id,
      how === 'cloned' ? 'cloned' : successful ? 'completed' : 'caught',
    );
    this.outstanding.set(task.step, this.outstanding.get(task.step)! - 1);
    this.maybeFinishStep(task.step, now);
    const node = this.o.graph.nodes.get(task.step)!;
    if (task.step === 'end') {
      this.finish('completed', null);
      return;
    }
    for (const childName of node.next) {
      const child = this.o.graph.nodes.get(childName)!;
      if (node.kind === 'foreach') {
        const collection = artifacts[node.foreach!] as ArtifactRef;
        const n = foreachCount ?? 0;
        for (let i = 0; i < n; i++) {
          const frame: ForeachFrameRef = {
            step: task.step,
            artifact: node.foreach!,
            index: i,
            numSplits: n,
            collection,
          };
          this.createTask(childName, [...task.path, i], [task], [...task.foreachStack, frame]);
        }
      } else if (child.join) {
        this.arriveAtJoin(task, child);
      } else {
        this.createTask(childName, task.path, [task], task.foreachStack);
      }
    }
  }

  private arriveAtJoin(task: TaskNode, join: GraphNode): void {
    const closes = this.o.graph.nodes.get(join.closes!)!;
    let key: string;
    let slot: number;
    let expected: number;
    let stack: ForeachFrameRef[];
    let path: number[];
    if (closes.kind === 'foreach') {
      const frame = task.foreachStack[task.foreachStack.length - 1]!;
      path = task.path.slice(0, -1);
      slot = frame.index;
      expected = frame.numSplits;
      stack = task.foreachStack.slice(0, -1);
    } else {
      path = task.path;
      slot = join.inputOrder!.indexOf(task.step);
      expected = join.parents.length;
      stack = task.foreachStack;
    }
    key = `${join.name}|${pathKey(path)}`;
    let barrier = this.barriers.get(key);
    if (!barrier) {
      barrier = { expected, arrived: 0, inputs: new Array(expected).fill(undefined), stack, path };
      this.barriers.set(key, barrier);
    }
    barrier.inputs[slot] = task;
    barrier.arrived++;
    if (barrier.arrived === barrier.expected) {
      this.barriers.delete(key);
      this.createTask(join.name, barrier.path, barrier.inputs as TaskNode[], barrier.stack);
    }
  }

  private markStepStarted(step: string, now: number): void {
    if (this.startedSteps.has(step)) return;
    this.startedSteps.add(step);
    this.o.writes.push({
      op: 'step.upsert',
      step: { runId: this.o.run.id, name: step, createdAt: now, finishedAt: null },
    });
    this.emit(stepEvent(this.runIdentity, step, 'started', now));
  }

  private maybeFinishStep(step: string, now: number): void {
    if (this.outstanding.get(step) !== 0) return;
    for (const a of this.ancestors.get(step)!) if (!this.finishedSteps.has(a)) return;
    this.finishedSteps.add(step);
    this.o.writes.push({
      op: 'step.upsert',
      step: { runId: this.o.run.id, name: step, createdAt: now, finishedAt: now },
    });
    this.emit(stepEvent(this.runIdentity, step, 'completed', now));
  }

  // ---- the end

  private finish(status: RunStatus, error: ExceptionRecord | null): void {
    if (this.settled) return;
    this.settled = true;
    for (const t of this.timers) clearInterval(t);
    for (const t of this.retryTimers) clearTimeout(t);
    this.flushLogs();
    const now = Date.now();
    // Stop whatever still runs: those attempts are recorded as killed.
    for (const task of this.tasks.values()) {
      if (task.timer) clearTimeout(task.timer);
      if (task.status === 'running' || task.status === 'pending') {
        const reason: ExceptionRecord = {
          type: 'RunStopped',
          message: `The run ${status} before this task finished.`,
          stack: '',
        };
        if (task.status === 'running') {
          this.emit(
            taskEvent(this.runIdentity, task.step, task.id, 'failed', now, {
              attempt: task.attempt,
              status: 'killed',
              exception: { type: reason.type, message: reason.message },
            }),
          );
          this.o.writes.push({
            op: 'attempt.finish',
            runId: this.o.run.id,
            taskId: task.id,
            attempt: task.attempt,
            status: 'killed',
            finishedAt: now,
            exception: reason,
          });
        }
        this.o.writes.push({
          op: 'task.update',
          runId: this.o.run.id,
          taskId: task.id,
          patch: { status: 'failed', successful: false, finishedAt: now },
        });
        task.status = 'failed';
      }
    }
    for (const w of this.workers) {
      if (w.busy) w.child.kill('SIGKILL');
      else w.stop();
    }
    this.emit(
      runEvent(
        this.runIdentity,
        status === 'completed' ? 'completed' : 'failed',
        now,
        error ? { error: error.message } : {},
      ),
    );
    this.o.writes.push({
      op: 'run.update',
      runId: this.o.run.id,
      patch: { status, finishedAt: now, error, heartbeatAt: now },
    });
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

  /** Processes still alive (for tests and shutdown). */
  get workerCount(): number {
    return this.workers.size;
  }
}
