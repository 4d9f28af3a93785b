/**
 * The server's text indexer brings a SQLite store's text index up with its appends (a backlog in
 * batches, then new events within its idle interval), and stops cleanly.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { expect, it } from 'vitest';
import { startTextIndexer } from '../../src/server/text-indexer.ts';
import { openSqliteEventStore } from '../../src/store/sql/sqlite/sqlite-stores.ts';
import { sampleEvent } from '../helpers.ts';

const indexedThrough = (file: string): number => {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return (db.prepare('SELECT indexed_through AS n FROM event_text_state').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('indexes a backlog past one batch, then new events, and stops', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-indexer-'));
  const file = path.join(dir, 'flowtrail.db');
  const store = openSqliteEventStore(file);
  const logged: string[] = [];
  try {
    // 12,000 events: more than two of the indexer's batches of 5,000.
    for (let b = 0; b < 12; b++)
      await store.append(Array.from({ length: 1000 }, (_, i) => sampleEvent(b * 1000 + i)));
    expect(indexedThrough(file)).toBe(0);
    const indexer = startTextIndexer(store, (line) => logged.push(line));
    await until(() => indexedThrough(file) === 12_000, 20_000);
    await store.append([sampleEvent(99_999)]);
    await until(() => indexedThrough(file) === 12_001, 5_000);
    await indexer.stop();
    // Found through the index: the text filter answers as before.
    const page = await store.query({ text: 'dataset.7' }, { limit: 500 });
    expect(page.events.length).toBe(500);
    expect(page.events.every((e) => e.resource['flowtrail.resource.id'] === 'dataset.7')).toBe(true);
    expect(logged).toEqual([]);
  } finally {
    await store.close();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}, 60_000);
