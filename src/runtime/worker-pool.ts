import type { ChildProcess } from 'node:child_process';
import type { ExceptionRecord } from '../core/errors.ts';
import { formatPathspec } from '../core/pathspec.ts';
import type { EnvironmentInfo, LogStream } from '../store/metadata-store.ts';
import { LineReader } from './line-reader.ts';
import type { FromWorker, RunContext, TaskOutcome, TaskWork, WireEvent, WorkerLoad } from './protocol.ts';
import { forkWorkerProcess, type SpareWorker, takeSpareWorkers } from './worker-fork.ts';

export interface WorkerEvents {
  /** A complete line of a task's output, stamped on arrival. */
  onLine(task: TaskWork, stream: LogStream, line: string, ts: number): void;
  /** The task finished (or its worker died); its output is complete. */
  onOutcome(task: TaskWork, outcome: TaskOutcome): void;
  /** A worker could not load the flow module. */
  onLoadFailed(exception: ExceptionRecord): void;
  /** Step code emitted an event; resolve once it is committed. */
  onEmit(event: WireEvent): Promise<void>;
}

/** Where a worker reports to: the scheduler's events, and its pool's idle / exit hooks. */
export interface WorkerHandlers {
  events: WorkerEvents;
  onIdle(w: Worker): void;
  onExit(w: Worker): void;
}

const UNATTACHED: WorkerHandlers = {
  events: {
    onLine: () => {},
    onOutcome: () => {},
    onLoadFailed: () => {},
    onEmit: () => Promise.resolve(),
  },
  onIdle: () => {},
  onExit: () => {},
};

/**
 * One worker process. It is forked at once and loads its flow when `load` is called, so workers
 * can start while the flow still compiles; it reports to its handlers once `attach`ed.
 */
export class Worker {
  readonly child: ChildProcess;
  ready = false;
  envInfo: EnvironmentInfo = {};
  task: TaskWork | undefined;
  taskStartedAt = 0;
  /** Set when the orchestrator killed it on purpose (timeout); the outcome is already decided. */
  killedFor: TaskOutcome | undefined;
  private outcome: TaskOutcome | undefined;
  private marks = 0;
  /** Raw pipes (native writes, child processes), ordered only within each stream. */
  private readonly pipes: Record<LogStream, LineReader>;
  /** Writes from JavaScript, forwarded over IPC in the order they happened, across both streams. */
  private readonly forwarded: Record<LogStream, LineReader>;
  exited = false;
  private handlers: WorkerHandlers = UNATTACHED;
  private context: RunContext | undefined;

  /** Forks a worker, or adopts `spare` (forked earlier). */
  constructor(
    readonly isolated: boolean,
    spare?: SpareWorker,
  ) {
    this.child = spare?.child ?? forkWorkerProcess();
    const emitter = (stream: LogStream) => (line: string, ts: number) => {
      if (this.task) this.handlers.events.onLine(this.task, stream, line, ts);
      else process.stderr.write(`[worker ${this.child.pid}] ${line}\n`);
    };
    this.pipes = {
      stdout: new LineReader(emitter('stdout'), () => this.markSeen()),
      stderr: new LineReader(emitter('stderr'), () => this.markSeen()),
    };
    this.forwarded = { stdout: new LineReader(emitter('stdout')), stderr: new LineReader(emitter('stderr')) };
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => this.pipes.stdout.push(c, Date.now()));
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => this.pipes.stderr.push(c, Date.now()));
    this.child.on('message', (m: FromWorker) => this.onMessage(m));
    // A send racing the worker's exit fails with EPIPE; the exit handler deals with the task.
    this.child.on('error', () => {});
    this.child.on('exit', (code, signal) => this.handleExit(code, signal));
    for (const m of spare?.early ?? []) this.onMessage(m as FromWorker);
  }

  get busy(): boolean {
    return this.task !== undefined;
  }

  get attached(): boolean {
    return this.handlers !== UNATTACHED;
  }

  /** Starts reporting to `handlers` (at once `onExit`, if the process is already gone). */
  attach(handlers: WorkerHandlers): void {
    this.handlers = handlers;
    if (this.exited) handlers.onExit(this);
  }

  /** Starts importing the compiled flow ahead of `load` (which still names it). */
  preload(flowBundle: string): void {
    if (!this.exited) this.child.send({ type: 'preload', flowBundle }, () => {});
  }

  /** Loads the flow module; the worker reports `onIdle` once it is ready for tasks. */
  load(spec: WorkerLoad): void {
    this.context = spec.context;
    if (!this.exited) this.child.send({ type: 'load', ...spec });
  }

  run(task: TaskWork): void {
    this.task = task;
    this.taskStartedAt = Date.now();
    this.outcome = undefined;
    this.marks = 0;
    this.child.send({ type: 'run', task });
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'ready') {
      this.ready = true;
      this.envInfo = m.envInfo;
      this.handlers.onIdle(this);
    } else if (m.type === 'load-failed') {
      this.handlers.events.onLoadFailed(m.exception);
    } else if (m.type === 'emit') {
      this.handlers.events.onEmit(m.event).then(
        () => this.ack(m.requestId),
        (e: unknown) => this.ack(m.requestId, (e as Error).message ?? String(e)),
      );
    } else if (m.type === 'output') {
      this.forwarded[m.stream].push(m.text, m.ts);
    } else if (m.type === 'done') {
      // Everything forwarded before 'done' belongs to this task; an unfinished last line ends here.
      this.forwarded.stdout.flush();
      this.forwarded.stderr.flush();
      const { type: _t, ...outcome } = m;
      this.outcome = outcome;
      this.maybeFinish();
    }
  }

  private ack(requestId: number, error?: string): void {
    if (this.child.connected)
      this.child.send({ type: 'emit-ack', requestId, ...(error ? { error } : {}) }, () => {});
  }

  private markSeen(): void {
    this.marks++;
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (!this.task || !this.outcome || this.marks < 2) return;
    const task = this.task;
    const outcome = this.outcome;
    this.task = undefined;
    this.outcome = undefined;
    this.handlers.events.onOutcome(task, outcome);
    if (this.isolated) this.stop();
    else this.handlers.onIdle(this);
  }

  /** Stops the running attempt at once (timeouts): the process is killed and replaced. */
  kill(outcome: TaskOutcome): void {
    this.killedFor = outcome;
    this.child.kill('SIGKILL');
  }

  /** Stops a busy worker politely (a cancelled run): SIGTERM, then SIGKILL after `graceMs`. */
  terminate(graceMs: number): void {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const force = setTimeout(() => {
      if (!this.exited) this.child.kill('SIGKILL');
    }, graceMs);
    this.child.once('exit', () => clearTimeout(force));
  }

  stop(): void {
    if (this.exited) return;
    if (this.child.connected) this.child.send({ type: 'exit' }, (err) => err && this.child.kill('SIGKILL'));
    else this.child.kill('SIGKILL');
  }

  private handleExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    for (const r of [this.forwarded.stdout, this.forwarded.stderr, this.pipes.stdout, this.pipes.stderr])
      r.flush();
    const task = this.task;
    this.task = undefined;
    if (task) {
      const outcome: TaskOutcome = this.killedFor ?? {
        taskId: task.taskId,
        attempt: task.attempt,
        ok: false,
        artifacts: {},
        exception: {
          type: 'WorkerDied',
          code: 'WORKER_DIED',
          message: `The worker process (pid ${this.child.pid}) running ${formatPathspec({ flow: this.context?.flowName ?? '?', run: this.context?.runNumber, step: task.step, task: task.taskId })} exited ${signal ? `on signal ${signal}` : `with code ${code}`}.`,
          stack: '',
        },
      };
      this.handlers.events.onOutcome(task, outcome);
    }
    this.handlers.onExit(this);
  }
}

/**
 * `count` regular workers started before the flow is compiled (spares the bin forked first, then
 * new ones); the scheduler attaches and loads them.
 */
export function prestartWorkers(count: number): Worker[] {
  const spares = takeSpareWorkers(count).map((spare) => new Worker(false, spare));
  return [...spares, ...Array.from({ length: count - spares.length }, () => new Worker(false))];
}
