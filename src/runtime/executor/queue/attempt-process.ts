/**
 * A child process of a `flowtrail worker`, running one attempt at a time: today's worker process
 * (`worker-main.ts` through `worker-pool.ts`), loaded with the flow and run context of the attempt
 * it takes and kept loaded for the next attempt of the same run.
 */
import { type ExceptionRecord, toExceptionRecord } from '../../../core/errors.ts';
import type { LogStream } from '../../../store/metadata-store.ts';
import type { TaskOutcome, TaskWork, WireEvent, WorkerLoad } from '../../protocol.ts';
import { Worker } from '../../worker-pool.ts';

/** Where one attempt's output and events go. */
export interface AttemptSink {
  line(stream: LogStream, line: string, ts: number): void;
  emit(event: WireEvent): Promise<void>;
}

export class AttemptProcess {
  readonly worker = new Worker(false);
  /** The run (orchestrator and bundle) whose flow it has loaded. */
  loadedFor: string | undefined;
  private sink: AttemptSink | undefined;
  private waitIdle: { resolve: () => void; reject: (e: ExceptionRecord) => void } | undefined;
  private waitOutcome: ((o: TaskOutcome) => void) | undefined;

  constructor() {
    this.worker.attach({
      events: {
        onLine: (_t, stream, line, ts) => this.sink?.line(stream, line, ts),
        onOutcome: (_t, outcome) => {
          const w = this.waitOutcome;
          this.waitOutcome = undefined;
          w?.(outcome);
        },
        onLoadFailed: (exception) => this.failLoad(exception),
        onEmit: (event) => this.sink?.emit(event) ?? Promise.resolve(),
      },
      onIdle: () => {
        const w = this.waitIdle;
        this.waitIdle = undefined;
        w?.resolve();
      },
      onExit: () =>
        this.failLoad({
          type: 'WorkerDied',
          code: 'WORKER_DIED',
          message: `The attempt process (pid ${this.worker.child.pid}) exited while loading the flow.`,
          stack: '',
        }),
    });
  }

  get exited(): boolean {
    return this.worker.exited;
  }

  /** Loads the flow for `key` unless it is loaded already; rejects with the load error. */
  async load(key: string, spec: WorkerLoad): Promise<void> {
    if (this.loadedFor === key) return;
    this.loadedFor = undefined;
    const idle = new Promise<void>((resolve, reject) => {
      this.waitIdle = { resolve, reject };
    });
    this.worker.load(spec);
    await idle;
    this.loadedFor = key;
  }

  /** Runs one attempt; resolves with its outcome (a dead process reports `WorkerDied`). */
  run(work: TaskWork, sink: AttemptSink): Promise<TaskOutcome> {
    this.sink = sink;
    return new Promise<TaskOutcome>((resolve) => {
      if (this.worker.exited) {
        resolve({
          taskId: work.taskId,
          attempt: work.attempt,
          ok: false,
          artifacts: {},
          exception: {
            type: 'WorkerDied',
            code: 'WORKER_DIED',
            message: 'The attempt process had exited.',
            stack: '',
          },
        });
        return;
      }
      this.waitOutcome = resolve;
      try {
        this.worker.run(work);
      } catch (e) {
        this.waitOutcome = undefined;
        resolve({
          taskId: work.taskId,
          attempt: work.attempt,
          ok: false,
          artifacts: {},
          exception: toExceptionRecord(e),
        });
      }
    }).finally(() => {
      this.sink = undefined;
    });
  }

  private failLoad(exception: ExceptionRecord): void {
    const w = this.waitIdle;
    this.waitIdle = undefined;
    this.loadedFor = undefined;
    w?.reject(exception);
  }
}
