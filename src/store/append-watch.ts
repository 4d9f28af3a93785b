/**
 * The `AppendWatch` port: a signal that events may have been appended to a database, by this
 * process or another, so a reader tailing the feed (the trigger engine) reads at once instead of
 * polling. A signal may be spurious (any write can cause one) and several appends may give one
 * signal; a reader still reads with its cursor, so nothing is lost either way. Adapters:
 * `sql/sqlite/sqlite-append-watch.ts` (the database file and its WAL changing),
 * `sql/postgres/postgres-append-watch.ts` (LISTEN/NOTIFY).
 */
export interface AppendWatch {
  /** Calls `listener` after appends (coalesced); returns the function that stops it. */
  watch(listener: () => void): () => void;
}

/** Fans one source of signals out to listeners, coalescing a burst into one call each. */
export class AppendSignal {
  private readonly listeners = new Set<() => void>();
  private queued = false;

  constructor(
    private readonly start: () => void,
    private readonly stop: () => void,
  ) {}

  watch(listener: () => void): () => void {
    if (this.listeners.size === 0) this.start();
    this.listeners.add(listener);
    return () => {
      if (!this.listeners.delete(listener)) return;
      if (this.listeners.size === 0) this.stop();
    };
  }

  notify(): void {
    if (this.queued) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      for (const listener of [...this.listeners]) listener();
    });
  }
}
