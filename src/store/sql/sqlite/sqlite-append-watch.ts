/**
 * `AppendWatch` for a SQLite file: every commit, from any process, writes the `-wal` file (and a
 * checkpoint the database file), so a watch on the file's directory sees each one within
 * milliseconds (inotify on Linux, FSEvents on macOS). Spurious signals (a metadata write) cost the
 * reader one empty read. Appends through the process's own connection also call `notify` directly
 * (`sqlite-stores.ts`), which is sooner than the watch.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppendSignal } from '../../append-watch.ts';

export function sqliteAppendWatch(file: string): AppendSignal {
  const dir = path.dirname(path.resolve(file));
  const base = path.basename(file);
  const names = new Set([base, `${base}-wal`]);
  let watcher: fs.FSWatcher | undefined;
  const signal: AppendSignal = new AppendSignal(
    () => {
      try {
        watcher = fs.watch(dir, { persistent: false }, (_kind, name) => {
          if (name === null || names.has(name.toString())) signal.notify();
        });
        // A watch that breaks (the directory removed) leaves the reader to its fallback poll.
        watcher.on('error', () => watcher?.close());
      } catch {
        watcher = undefined;
      }
    },
    () => {
      watcher?.close();
      watcher = undefined;
    },
  );
  return signal;
}
