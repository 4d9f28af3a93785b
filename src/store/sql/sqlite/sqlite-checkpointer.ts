/**
 * WAL checkpoints off the writing thread, for a connection that writes in bulk (event ingest).
 *
 * Why. In WAL mode a commit appends pages to the `-wal` file without an fsync (`synchronous =
 * NORMAL`); the fsyncs happen at checkpoints, which copy the WAL back into the database file. With
 * the default automatic checkpoint the writing connection does that itself, inside a commit, and
 * the event writer stalls on it: measured, a quarter of batched ingest time went to checkpoints.
 * A second connection on a worker thread can run the same (PASSIVE) checkpoint while the writer
 * goes on: SQLite lets a checkpoint run beside one writer, and the next write transaction after a
 * complete checkpoint starts the WAL over.
 *
 * The worker starts only once a store has written a WAL of {@link START_BYTES}, so a CLI command
 * or a task process that writes a few rows never pays for a thread. From then on the writer's own
 * automatic checkpoint is raised to {@link BACKSTOP_PAGES} (it still runs, should the worker fall
 * behind or die), and the worker checkpoints whenever the WAL has grown by {@link CHECKPOINT_BYTES}.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** WAL size at which the background worker starts. */
const START_BYTES = 8 * 1024 * 1024;
/** WAL growth between two background checkpoints. */
const CHECKPOINT_BYTES = 16 * 1024 * 1024;
/** The writer's own automatic checkpoint once the worker runs, in pages (~400 MB of 4 KiB pages). */
const BACKSTOP_PAGES = 100_000;

/**
 * The worker: one connection, a PASSIVE checkpoint per message, then a reply. CommonJS text run
 * with `eval` so the bundle needs no extra entry point; better-sqlite3 comes by absolute path.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = NORMAL');
parentPort.on('message', (m) => {
  if (m === 'close') { db.close(); parentPort.close(); return; }
  let error = null;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { error = String(e && e.message); }
  parentPort.postMessage(error);
});
`;

/** Runs the checkpoints of one SQLite file on a worker thread once its WAL has grown (see the header). */
export class SqliteCheckpointer {
  private worker: Worker | undefined;
  private busy = false;
  private failed = false;
  private readonly wal: string;
  /** WAL size after the last checkpoint was asked for. */
  private mark = 0;

  constructor(
    private readonly file: string,
    private readonly writer: BetterSqlite3.Database,
  ) {
    this.wal = `${file}-wal`;
  }

  /** Called after a bulk write commits: starts a checkpoint when the WAL has grown enough. */
  afterWrite(): void {
    if (this.busy || this.failed) return;
    let size: number;
    try {
      size = fs.statSync(this.wal).size;
    } catch {
      return; // no WAL file (yet)
    }
    // The WAL file keeps its length when SQLite starts it over: growth is measured from the mark.
    if (size < this.mark) this.mark = 0;
    if (this.worker === undefined) {
      if (size < START_BYTES) return;
      this.start();
    } else if (size - this.mark < CHECKPOINT_BYTES) return;
    this.mark = size;
    this.busy = true;
    this.worker!.postMessage('checkpoint');
  }

  private start(): void {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: this.file, module } });
    worker.unref();
    worker.on('message', (error: string | null) => {
      this.busy = false;
      if (error !== null) this.fail();
    });
    worker.on('error', () => this.fail());
    this.worker = worker;
    this.writer.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  }

  /** The writer checkpoints for itself again, as before the worker started. */
  private fail(): void {
    this.failed = true;
    this.busy = false;
    void this.worker?.terminate();
    this.worker = undefined;
    if (this.writer.open) this.writer.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  }

  /** Stops the worker once its checkpoint is done (before the writer's connection closes). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref(); // an unreferenced worker would let the process exit before this resolves
    worker.postMessage('close');
    await exited;
  }
}

/** The store's usual automatic checkpoint interval, in pages (see `sqlite-stores.ts`). */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 10_000;
