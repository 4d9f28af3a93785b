/**
 * Forks worker processes, also ahead of need: for `flowtrail run`, `bin/flowtrail.js` forks spares
 * before it loads the CLI, so their start-up (Node itself, then the runtime's modules) overlaps the
 * CLI's instead of following it. The run's pool takes the spares; the bin stops any left over.
 * Depends on Node built-ins only, so loading it costs the bin next to nothing.
 */
import { type ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** Most worker processes at once, unless `maxWorkers` says otherwise. */
export const DEFAULT_MAX_WORKERS = 16;

/** How many regular workers a run starts with: one per core, at most `maxWorkers`. */
export function initialPoolSize(maxWorkers: number): number {
  return Math.max(1, Math.min(maxWorkers, os.availableParallelism()));
}

// From dist/ the worker is plain JS; from sources (tests, development) it goes through tsx.
const WORKER_ENTRY = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts') ? '../../bin/flowtrail-worker-dev.js' : './worker-main.js',
    import.meta.url,
  ),
);

/** A new worker process: output on pipes, messages over IPC. */
export function forkWorkerProcess(): ChildProcess {
  return fork(WORKER_ENTRY, [], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, FLOWTRAIL_WORKER: '1' },
  });
}

/** A spare worker, and the messages it sent before anyone took it (output it printed early). */
export interface SpareWorker {
  child: ChildProcess;
  early: unknown[];
}

let spares: (SpareWorker & { hold: (m: unknown) => void })[] = [];

/**
 * Forks spare workers (as many as a default pool starts with) for a run about to start.
 * @public called by `bin/flowtrail.js` (through `dist/worker-fork.js`) before the CLI loads.
 */
export function forkSpareWorkers(count = initialPoolSize(DEFAULT_MAX_WORKERS)): void {
  for (let i = 0; i < count; i++) {
    const early: unknown[] = [];
    const hold = (m: unknown) => early.push(m);
    const child = forkWorkerProcess();
    child.on('message', hold);
    // A spare that fails to fork is simply not taken.
    child.on('error', () => {});
    spares.push({ child, early, hold });
  }
}

/** Up to `count` spares still alive, now the caller's (it replays their early messages). */
export function takeSpareWorkers(count: number): SpareWorker[] {
  const alive = spares.filter(({ child: c }) => c.exitCode === null && c.signalCode === null && c.connected);
  for (const s of spares) s.child.off('message', s.hold);
  for (const s of alive.slice(count)) s.child.kill();
  spares = [];
  return alive.slice(0, count).map(({ child, early }) => ({ child, early }));
}

/**
 * Stops the spares nobody took (the command was not a run, or failed before it started).
 * @public called by `bin/flowtrail.js` (through `dist/worker-fork.js`).
 */
export function stopSpareWorkers(): void {
  for (const s of spares) s.child.kill();
  spares = [];
}
