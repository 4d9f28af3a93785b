/**
 * The background checkpointer: starts only once an event store has written a large WAL, copies the
 * WAL back into the database file from its own thread, and lets the store close cleanly.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { FlowtrailEvent } from '../../src/events/model.ts';
import { SqliteCheckpointer } from '../../src/store/sql/sqlite/sqlite-checkpointer.ts';
import { openSqliteEventStore } from '../../src/store/sql/sqlite/sqlite-stores.ts';
import { sampleEvent } from '../helpers.ts';

/** A batch of events with ~2 KB payloads. */
const batch = (from: number, n: number): FlowtrailEvent[] =>
  Array.from({ length: n }, (_, i) => ({ ...sampleEvent(from + i), payload: { pad: 'x'.repeat(2000) } }));

describe('SqliteCheckpointer', () => {
  it('stays off while the WAL is small', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-ckpt-'));
    try {
      const file = path.join(dir, 'flowtrail.db');
      const store = openSqliteEventStore(file);
      await store.append(batch(0, 10));
      const db = new BetterSqlite3(file);
      const checkpointer = new SqliteCheckpointer(file, db);
      checkpointer.afterWrite();
      expect((checkpointer as unknown as { worker?: unknown }).worker).toBeUndefined();
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000); // this connection's, untouched
      await checkpointer.close();
      db.close();
      await store.close();
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('checkpoints from its worker once the WAL is large, and the store closes cleanly', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-ckpt-'));
    try {
      const file = path.join(dir, 'flowtrail.db');
      const store = openSqliteEventStore(file);
      // ~12 MB of WAL: past the start size, below the writer's own (raised) checkpoint.
      for (let i = 0; i < 6; i++) await store.append(batch(i * 1000, 1000));
      // Until a checkpoint, the database file stays a few pages: everything is in the WAL, and the
      // writer's own automatic checkpoint (raised once the worker runs) is far off. Wait (bounded)
      // for the worker's first one.
      const checkpointed = () => fs.statSync(file).size > 4 * 1024 * 1024;
      for (let k = 0; k < 400 && !checkpointed(); k++) await new Promise((r) => setTimeout(r, 25));
      expect(checkpointed()).toBe(true);
      await store.close();
      const again = openSqliteEventStore(file);
      expect(await again.total({})).toBe(6000);
      await again.close();
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
