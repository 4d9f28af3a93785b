import type { MetadataStore, MetadataWrite } from '../store/metadata-store.ts';

/**
 * Collects metadata writes and commits them in batches (one transaction per flush), in order.
 * The scheduler never waits on the database per task; `drain()` waits for everything queued.
 */
export class WriteQueue {
  private pending: MetadataWrite[] = [];
  /** Callers waiting for the commit of what is pending. */
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private failure: unknown;

  constructor(private readonly store: MetadataStore) {}

  push(...ops: MetadataWrite[]): void {
    this.pending.push(...ops);
    if (!this.scheduled && !this.flushing) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
  }

  /** Queues writes and resolves once the transaction holding them has committed. */
  pushAndWait(...ops: MetadataWrite[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.push(...ops);
    });
  }

  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      while (this.pending.length > 0) {
        const batch = this.pending;
        const waiters = this.waiters;
        this.pending = [];
        this.waiters = [];
        try {
          await this.store.write(batch);
          for (const w of waiters) w.resolve();
        } catch (e) {
          this.failure ??= e;
          for (const w of waiters) w.reject(e);
        }
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Waits until every queued write is committed; rethrows the first write failure. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) await this.flush();
    if (this.failure) throw this.failure;
  }
}
