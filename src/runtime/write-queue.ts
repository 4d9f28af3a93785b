import type { MetadataStore, MetadataWrite } from '../store/metadata-store.ts';
import type { RunTimings } from './run-timings.ts';
import { coalesceWrites } from './write-coalescing.ts';

/**
 * How long writes gather before they commit. One transaction per batch: a 10,000-task fan-out
 * commits a few hundred transactions instead of one per scheduler tick, and a task created,
 * run and finished within one batch is written once in its final state (`coalesceWrites`).
 */
const BATCH_MS = 10;

/**
 * Collects metadata writes and commits them in batches (one transaction per flush), in order.
 * The scheduler never waits on the database per task; `drain()` waits for everything queued.
 */
export class WriteQueue {
  private pending: MetadataWrite[] = [];
  /** Callers waiting for the commit of what is pending. */
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failure: unknown;

  constructor(
    private readonly store: MetadataStore,
    private readonly timings?: RunTimings,
  ) {}

  push(...ops: MetadataWrite[]): void {
    for (const op of ops) this.pending.push(op);
    if (!this.timer && !this.flushing) this.timer = setTimeout(() => this.flushNow(), BATCH_MS);
  }

  /** Queues writes and resolves once the transaction holding them has committed (no batching delay). */
  pushAndWait(...ops: MetadataWrite[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.push(...ops);
      if (!this.flushing) setImmediate(() => this.flushNow());
    });
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    void this.flush();
  }

  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      while (this.pending.length > 0) {
        const batch = this.pending;
        const waiters = this.waiters;
        this.pending = [];
        this.waiters = [];
        const t0 = performance.now();
        try {
          await this.store.write(coalesceWrites(batch));
          for (const w of waiters) w.resolve();
        } catch (e) {
          this.failure ??= e;
          for (const w of waiters) w.reject(e);
        }
        this.timings?.commit(batch.length, performance.now() - t0);
      }
    })().finally(() => {
      this.flushing = undefined;
      // Writes queued while this flush ran wait for their own batch.
      if (this.pending.length > 0 && !this.timer) this.timer = setTimeout(() => this.flushNow(), BATCH_MS);
    });
    return this.flushing;
  }

  /** Waits until every queued write is committed; rethrows the first write failure. */
  async drain(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length > 0 || this.flushing) await this.flush();
    if (this.failure) throw this.failure;
  }
}
