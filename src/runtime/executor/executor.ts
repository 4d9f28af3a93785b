/**
 * The executor port: where the scheduler's attempts run. The scheduler decides what runs, when,
 * and what becomes of a failure; an executor only starts attempts on some worker and reports back
 * (start, output, outcome, emitted events). Adapters: `local-executor.ts` (worker processes of
 * this machine) and `queue/queue-executor.ts` (BullMQ on Redis, `flowtrail worker` processes).
 */
import type { ExceptionRecord } from '../../core/errors.ts';
import type { ResourceRequest } from '../../flow/declarations.ts';
import type { EnvironmentInfo } from '../../store/metadata-store.ts';
import type { TaskOutcome, TaskWork, WorkerLoad } from '../protocol.ts';
import type { WorkerEvents } from '../worker-pool.ts';

/** One attempt to run: the task's part of the work, and how it must run. */
export interface AttemptRequest {
  work: TaskWork;
  /** In a fresh process of its own. */
  isolated: boolean;
  /** What a worker must have to take it (`@resources`). */
  resources: ResourceRequest | undefined;
}

/** What an executor reports to the scheduler. */
export interface ExecutorEvents extends WorkerEvents {
  /** The attempt started on a worker (whose process is described by `envInfo`). */
  onStarted(work: TaskWork, envInfo: EnvironmentInfo): void;
  /** No worker can take the attempt (it needs more than any worker offers). */
  onUnschedulable(work: TaskWork, exception: ExceptionRecord): void;
}

/** The run an executor works for. */
export interface ExecutorRun {
  load: WorkerLoad;
  events: ExecutorEvents;
  /** True once the run has finished: nothing starts after that. */
  settled(): boolean;
}

export interface Executor {
  /** Starts working for `run` (one run per executor instance). */
  start(run: ExecutorRun): Promise<void>;
  /** Queues an attempt; `onStarted` follows when a worker takes it. */
  submit(attempt: AttemptRequest): void;
  /**
   * Stops a running attempt whose outcome the scheduler already decided (a timeout): that outcome
   * is reported through `onOutcome`, and nothing the attempt still sends counts.
   */
  kill(work: TaskWork, outcome: TaskOutcome): void;
  /** The run is over: queued attempts never start; running ones stop (SIGTERM, SIGKILL after `graceMs`). */
  stopAll(graceMs: number): void;
  /** Releases connections once the run's writes are done. */
  close(): Promise<void>;
}
