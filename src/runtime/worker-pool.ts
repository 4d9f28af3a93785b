import type { ChildProcess } from 'node:child_process';
import type { ExceptionRecord } from '../core/errors.ts';
import { formatPathspec } from '../core/pathspec.ts';
import type { EnvironmentInfo, LogStream } from '../store/metadata-store.ts';
import { LineReader } from './line-reader.ts';
import type { FromWorker, RunContext, TaskOutcome, TaskWork, WireEvent, WorkerLoad } from './protocol.ts';
import { forkWorkerProcess, type SpareWorker, takeSpareWorkers } from './worker-fork.ts';

export interface WorkerEvents {
  /**
   * `worker` started the task at `at`: at once when it was idle, or when the task queued behind
   * another one was taken up (the attempt starts then, not when the task was sent).
   */
  onStarted(task: TaskWork, worker: Worker, at: number): void;
  /** A complete line of a task's output, stamped on arrival. */
  onLine(task: TaskWork, stream: LogStream, line: string, ts: number): void;
  /** The task finished (or its worker died); its output is complete. */
  onOutcome(task: TaskWork, outcome: TaskOutcome): void;
  /** A task queued on the worker never started there (taken back, or the worker died): run it elsewhere. */
  onUnstarted(task: TaskWork): void;
  /** A worker could not load the flow module. */
  onLoadFailed(exception: ExceptionRecord): void;
  /** Step code emitted an event; resolve once it is committed. */
  onEmit(event: WireEvent): Promise<void>;
}

/** Where a worker reports to: the scheduler's events, and its pool's idle / room / exit hooks. */
export interface WorkerHandlers {
  events: WorkerEvents;
  /** Nothing runs or waits on the worker. */
  onIdle(w: Worker): void;
  /** The task queued on the worker started: it may take the next one ahead. */
  onRoom(w: Worker): void;
  onExit(w: Worker): void;
}

const UNATTACHED: WorkerHandlers = {
  events: {
    onStarted: () => {},
    onLine: () => {},
    onOutcome: () => {},
    onUnstarted: () => {},
    onLoadFailed: () => {},
    onEmit: () => Promise.resolve(),
  },
  onIdle: () => {},
  onRoom: () => {},
  onExit: () => {},
};

/** A task sent to the worker, in the order the worker runs them. */
interface Slot {
  work: TaskWork;
  /** Position in the worker's run order: its output follows the end-of-task marks of `seq` tasks. */
  seq: number;
  startedAt: number;
  /** Reported to `onStarted` (when it became the worker's first unfinished task). */
  announced: boolean;
  outcome: TaskOutcome | undefined;
}

/**
 * One worker process. It is forked at once and loads its flow when `load` is called, so workers
 * can start while the flow still compiles; it reports to its handlers once `attach`ed.
 *
 * A worker runs its tasks one at a time, and may hold one more queued behind the running one
 * (`canQueue`), so it takes up the next task the moment it finishes one instead of idling while
 * the orchestrator records the outcome and sends another. The queued task starts when the one
 * before it reports `done`; it can be taken back (`unqueue`) while it waits.
 * Output is attributed per channel: IPC-forwarded output in `done` order, each raw pipe by its
 * end-of-task marks.
 */
export class Worker {
  readonly child: ChildProcess;
  ready = false;
  envInfo: EnvironmentInfo = {};
  /** Set when the orchestrator killed it on purpose (timeout); the outcome is already decided. */
  killedFor: TaskOutcome | undefined;
  /** Tasks the worker started, not yet finished (first: the running one, or one whose output is still arriving). */
  private readonly started: Slot[] = [];
  /** A task sent to run after the current one, not started yet. */
  private queued: Slot | undefined;
  /** The queued task is being taken back (`unqueue` sent, no answer yet). */
  private unqueuing = false;
  private nextSeq = 0;
  /** `done` messages received, and end-of-task marks seen on each pipe: each channel's position in the run order. */
  private doneSeen = 0;
  private readonly marksSeen: Record<LogStream, number> = { stdout: 0, stderr: 0 };
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
    const emitter = (stream: LogStream, position: () => number) => (line: string, ts: number) => {
      const work = this.workAt(position());
      if (work) this.handlers.events.onLine(work, stream, line, ts);
      else process.stderr.write(`[worker ${this.child.pid}] ${line}\n`);
    };
    this.pipes = {
      stdout: new LineReader(
        emitter('stdout', () => this.marksSeen.stdout),
        () => this.markSeen('stdout'),
      ),
      stderr: new LineReader(
        emitter('stderr', () => this.marksSeen.stderr),
        () => this.markSeen('stderr'),
      ),
    };
    this.forwarded = {
      stdout: new LineReader(emitter('stdout', () => this.doneSeen)),
      stderr: new LineReader(emitter('stderr', () => this.doneSeen)),
    };
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => this.pipes.stdout.push(c, Date.now()));
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => this.pipes.stderr.push(c, Date.now()));
    this.child.on('message', (m: FromWorker) => this.onMessage(m));
    // A send racing the worker's exit fails with EPIPE; the exit handler deals with the task.
    this.child.on('error', () => {});
    this.child.on('exit', (code, signal) => this.handleExit(code, signal));
    for (const m of spare?.early ?? []) this.onMessage(m as FromWorker);
  }

  /** A task runs or waits on this worker. */
  get busy(): boolean {
    return this.started.length > 0 || this.queued !== undefined;
  }

  /** When the worker started its current task. */
  get taskStartedAt(): number {
    return this.started[0]?.startedAt ?? 0;
  }

  /** A task waits behind the running one. */
  get hasQueued(): boolean {
    return this.queued !== undefined;
  }

  /** Busy with one task and nothing queued: a task sent now would wait behind that one. */
  get canQueue(): boolean {
    return (
      this.ready &&
      !this.exited &&
      !this.isolated &&
      this.started.length === 1 &&
      this.queued === undefined &&
      !this.unqueuing
    );
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

  /** Sends a task: it starts at once on an idle worker, or waits behind the running one (`canQueue`). */
  run(task: TaskWork): void {
    const slot: Slot = { work: task, seq: -1, startedAt: 0, announced: false, outcome: undefined };
    // Once the worker has reported `done` for all it started, it takes this up on arrival (what
    // is left of the task before it is output still on its way).
    if (this.doneSeen < this.nextSeq) this.queued = slot;
    else this.begin(slot, Date.now());
    this.child.send({ type: 'run', task });
  }

  /** Asks the worker to give back its queued task (it answers; `onUnstarted` follows if it had not started it). */
  unqueue(): void {
    if (!this.queued || this.unqueuing || this.exited) return;
    this.unqueuing = true;
    const { taskId, attempt } = this.queued.work;
    this.child.send({ type: 'unqueue', taskId, attempt }, () => {});
  }

  /** `slot` is the worker's next task in run order, started at `at`. */
  private begin(slot: Slot, at: number): void {
    slot.seq = this.nextSeq++;
    slot.startedAt = at;
    this.started.push(slot);
    this.announce();
  }

  /** Reports the first unfinished task as started (tasks start in run order, after the one before finished). */
  private announce(): void {
    const head = this.started[0];
    if (!head || head.announced) return;
    head.announced = true;
    this.handlers.events.onStarted(head.work, this, head.startedAt);
  }

  private workAt(seq: number): TaskWork | undefined {
    const first = this.started[0];
    if (first && seq >= first.seq) {
      const slot = this.started[seq - first.seq];
      if (slot) return slot.work;
    }
    // Raw output of the task the worker just took up, arriving before the `done` that names it.
    return seq === this.nextSeq ? this.queued?.work : undefined;
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
    } else if (m.type === 'unqueued') {
      this.onUnqueued(m.taskId, m.attempt, m.removed);
    } else if (m.type === 'done') {
      // Everything forwarded before 'done' belongs to this task; an unfinished last line ends here.
      this.forwarded.stdout.flush();
      this.forwarded.stderr.flush();
      const { type: _t, ...outcome } = m;
      const first = this.started[0];
      const slot = first ? this.started[this.doneSeen - first.seq] : undefined;
      this.doneSeen++;
      if (slot) slot.outcome = outcome;
      // The queued task starts now: the worker took it up right after sending this, or, if it
      // reached the worker later, takes it up as it arrives (had the worker given it back, its
      // `unqueued` answer would have come first).
      const queued = this.queued;
      if (queued) {
        this.queued = undefined;
        this.begin(queued, Date.now());
      }
      this.finishDone();
      if (queued && !this.exited) this.handlers.onRoom(this);
    }
  }

  private onUnqueued(taskId: number, attempt: number, removed: boolean): void {
    this.unqueuing = false;
    const queued = this.queued;
    if (!removed || !queued || queued.work.taskId !== taskId || queued.work.attempt !== attempt) return;
    this.queued = undefined;
    this.handlers.events.onUnstarted(queued.work);
    if (!this.busy) this.handlers.onIdle(this);
  }

  private ack(requestId: number, error?: string): void {
    if (this.child.connected)
      this.child.send({ type: 'emit-ack', requestId, ...(error ? { error } : {}) }, () => {});
  }

  private markSeen(stream: LogStream): void {
    this.marksSeen[stream]++;
    this.finishDone();
  }

  /** Reports, in run order, each task whose outcome and both end-of-task marks have arrived. */
  private finishDone(): void {
    let finished = false;
    for (;;) {
      const head = this.started[0];
      if (!head?.outcome || this.marksSeen.stdout <= head.seq || this.marksSeen.stderr <= head.seq) break;
      this.started.shift();
      finished = true;
      this.handlers.events.onOutcome(head.work, head.outcome);
      this.announce();
    }
    if (!finished || this.busy) return;
    if (this.isolated) this.stop();
    else this.handlers.onIdle(this);
  }

  /** Stops the running attempt at once (timeouts): the process is killed and replaced. */
  kill(outcome: TaskOutcome): void {
    this.killedFor = outcome;
    this.child.kill('SIGKILL');
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
    // Its output is complete now: a task that reported its outcome keeps it; the one it was
    // running gets `killedFor` (timeout) or `WorkerDied`; a queued one never started.
    const started = this.started.splice(0);
    const queued = this.queued;
    this.queued = undefined;
    for (const slot of started) {
      if (!slot.announced) {
        slot.announced = true;
        this.handlers.events.onStarted(slot.work, this, slot.startedAt);
      }
      this.handlers.events.onOutcome(slot.work, slot.outcome ?? this.deathOutcome(slot.work, code, signal));
    }
    if (queued) this.handlers.events.onUnstarted(queued.work);
    this.handlers.onExit(this);
  }

  private deathOutcome(task: TaskWork, code: number | null, signal: NodeJS.Signals | null): TaskOutcome {
    if (this.killedFor && this.killedFor.taskId === task.taskId && this.killedFor.attempt === task.attempt)
      return this.killedFor;
    return {
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
