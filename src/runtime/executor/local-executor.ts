/** The `local` executor: attempts run in worker processes of this machine (today's process pool). */
import type { TaskOutcome, TaskWork } from '../protocol.ts';
import type { Worker } from '../worker-pool.ts';
import type { AttemptRequest, Executor, ExecutorRun } from './executor.ts';
import { ProcessPool } from './process-pool.ts';

export interface LocalExecutorOptions {
  maxWorkers: number;
  /** One process per task for every step. */
  isolate: boolean;
  /** Workers forked while the flow compiled (adopted instead of forking new ones). */
  prestarted?: readonly Worker[];
  /** Where more workers come from as tasks need them (the pool then fills on demand). */
  spares?: () => Worker | undefined;
}

export class LocalExecutor implements Executor {
  private pool: ProcessPool | undefined;
  /** The worker running each task's current attempt, for `kill`. */
  private readonly running = new Map<number, Worker>();

  constructor(private readonly o: LocalExecutorOptions) {}

  async start(run: ExecutorRun): Promise<void> {
    const events = run.events;
    this.pool = new ProcessPool({
      load: run.load,
      maxWorkers: this.o.maxWorkers,
      isolateAll: this.o.isolate,
      events: {
        onLine: (work, stream, line, ts) => events.onLine(work, stream, line, ts),
        onOutcome: (work, outcome) => {
          this.running.delete(work.taskId);
          events.onOutcome(work, outcome);
        },
        onLoadFailed: (exception) => events.onLoadFailed(exception),
        onEmit: (event) => events.onEmit(event),
      },
      start: (attempt, worker) => {
        this.running.set(attempt.work.taskId, worker);
        events.onStarted(attempt.work, worker.envInfo);
        worker.run(attempt.work);
      },
      settled: run.settled,
      ...(this.o.spares ? { spares: this.o.spares } : {}),
    });
    this.pool.start(this.o.prestarted);
  }

  submit(attempt: AttemptRequest): void {
    this.pool!.enqueue(attempt);
  }

  kill(work: TaskWork, outcome: TaskOutcome): void {
    // The worker reports `outcome` when it exits; it is then replaced.
    this.running.get(work.taskId)?.kill(outcome);
  }

  stopAll(graceMs: number): void {
    this.pool?.stopAll(graceMs);
  }

  async close(): Promise<void> {}
}
