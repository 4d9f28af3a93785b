import type { WorkerLoad } from '../protocol.ts';
import { initialPoolSize } from '../worker-fork.ts';
import { Worker, type WorkerEvents } from '../worker-pool.ts';
import type { AttemptRequest } from './executor.ts';

const SCALE_CHECK_MS = 50;
/** A worker busy this long on one task counts as slow; the pool may grow. */
const SLOW_TASK_MS = 200;
/** Event-loop lag above which the pool does not grow. */
const MAX_LAG_TO_GROW_MS = 20;

export interface ProcessPoolOptions {
  load: WorkerLoad;
  maxWorkers: number;
  /** One process per task for every step. */
  isolateAll: boolean;
  events: WorkerEvents;
  /** Hands `attempt` to `worker` (reports the start and sends the task). */
  start(attempt: AttemptRequest, worker: Worker): void;
  /** True once the run has finished: idle workers stop instead of taking work. */
  settled(): boolean;
  /**
   * Workers forked ahead elsewhere (the server's spares). With it, the pool does not fork its
   * initial workers up front: it starts with the prestarted ones and takes a spare (or forks) only
   * when a ready task finds no worker idle or starting, up to the initial size; then it grows as usual.
   * A linear flow then uses one process, and a spare's start-up is never spent on an idle worker.
   */
  spares?: () => Worker | undefined;
}

/**
 * The worker pool of one run and its ready queue: hands ready tasks to idle workers (or to a
 * fresh process for an isolated step), replaces workers that died, and grows the pool while
 * every worker is stuck on a slow task.
 */
export class ProcessPool {
  private readonly ready: AttemptRequest[] = [];
  private readonly workers = new Set<Worker>();
  private readonly idle: Worker[] = [];
  /** An isolated worker's one task, handed over as soon as it is ready. */
  private readonly isolatedFirst = new Map<Worker, AttemptRequest>();
  private growTimer: NodeJS.Timeout | undefined;
  private lastGrowCheck = Date.now();

  constructor(private readonly o: ProcessPoolOptions) {}

  /** Starts the pool, adopting workers forked before the flow was compiled. */
  start(prestarted: readonly Worker[] = []): void {
    const initial = this.o.isolateAll ? 0 : initialPoolSize(this.o.maxWorkers);
    prestarted.forEach((w, i) => {
      if (i < initial) this.adopt(w);
      else w.stop();
    });
    if (!this.o.spares) for (let i = prestarted.length; i < initial; i++) this.spawn(false);
    this.growTimer = setInterval(() => this.maybeGrow(), SCALE_CHECK_MS);
  }

  /** Queues an attempt and dispatches what it can. */
  enqueue(attempt: AttemptRequest): void {
    this.ready.push(attempt);
    this.pump();
  }

  /**
   * Stops every worker: busy ones at once, or given `graceMs`, with SIGTERM first and SIGKILL
   * after that long (their attempts are recorded by the caller).
   */
  stopAll(graceMs = 0): void {
    clearInterval(this.growTimer);
    for (const w of this.workers) {
      if (!w.busy) w.stop();
      else if (graceMs > 0) w.terminate(graceMs);
      else w.child.kill('SIGKILL');
    }
  }

  private adopt(w: Worker): Worker {
    w.attach({
      events: this.o.events,
      onIdle: (worker) => this.onIdle(worker),
      onExit: (worker) => this.onWorkerExit(worker),
    });
    this.workers.add(w);
    w.load(this.o.load);
    return w;
  }

  private spawn(isolated: boolean): Worker {
    const spare = isolated ? undefined : this.o.spares?.();
    return this.adopt(spare ?? new Worker(isolated));
  }

  /**
   * On-demand pool (see `ProcessPoolOptions.spares`): a worker for each ready task that no worker
   * will take soon: starting ones, and ones just done whose idle report follows the outcome that
   * made this task ready.
   */
  private fillOnDemand(): void {
    if (!this.o.spares || this.o.isolateAll) return;
    const initial = initialPoolSize(this.o.maxWorkers);
    let coming = 0;
    for (const w of this.workers) if (!w.isolated && (!w.ready || !w.busy)) coming++;
    let waiting = 0;
    for (const task of this.ready) if (!task.isolated) waiting++;
    while (waiting > coming && this.workers.size < initial) {
      this.spawn(false);
      coming++;
    }
  }

  private onIdle(w: Worker): void {
    if (this.o.settled()) {
      w.stop();
      return;
    }
    const first = this.isolatedFirst.get(w);
    if (first) {
      this.isolatedFirst.delete(w);
      this.o.start(first, w);
      return;
    }
    this.idle.push(w);
    this.pump();
  }

  private onWorkerExit(w: Worker): void {
    if (!this.workers.delete(w)) return;
    const at = this.idle.indexOf(w);
    if (at >= 0) this.idle.splice(at, 1);
    this.isolatedFirst.delete(w);
    if (this.o.settled()) return;
    // A regular worker that died (killed task, timeout) is replaced to keep the pool's size.
    if (!w.isolated) this.spawn(false);
    if (this.ready.length > 0) this.pump();
  }

  private maybeGrow(): void {
    const now = Date.now();
    // A late timer means this process is the bottleneck (busy writing): more workers would not help.
    const lag = now - this.lastGrowCheck - SCALE_CHECK_MS;
    this.lastGrowCheck = now;
    if (lag > MAX_LAG_TO_GROW_MS) return;
    if (this.o.settled() || this.ready.length === 0 || this.idle.length > 0) return;
    if (this.workers.size >= this.o.maxWorkers) return;
    for (const w of this.workers) if (!w.ready || !w.busy || now - w.taskStartedAt < SLOW_TASK_MS) return;
    this.spawn(false);
  }

  /** Hands ready tasks to idle workers (or to fresh isolated ones), in order. */
  private pump(): void {
    if (this.o.settled()) return;
    let taken = 0;
    while (taken < this.ready.length) {
      const task = this.ready[taken]!;
      if (this.o.isolateAll || task.isolated) {
        if (this.workers.size - this.idle.length >= this.o.maxWorkers) break;
        if (this.idle.length > 0 && this.workers.size >= this.o.maxWorkers) this.idle.pop()!.stop();
        taken++;
        // The isolated worker takes its task as soon as it is ready, and exits after it.
        this.isolatedFirst.set(this.spawn(true), task);
        continue;
      }
      const w = this.idle.pop();
      if (!w) break;
      taken++;
      this.o.start(task, w);
    }
    // One splice for the whole batch: a 10,000-task fan-out must not shift the queue per task.
    if (taken > 0) this.ready.splice(0, taken);
    if (this.ready.length > 0 && this.workers.size === 0) this.spawn(false);
    if (this.ready.length > 0) this.fillOnDemand();
  }
}
