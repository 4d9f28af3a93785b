import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prefixUpperBound } from '../../src/store/sql/event-filter-sql.ts';
import type { Database } from '../../src/store/sql/schema.ts';
import { SqlEventStore } from '../../src/store/sql/sql-event-store.ts';
import { sqliteDialect } from '../../src/store/sql/sqlite/sqlite-dialect.ts';
import { insertEventsSqlite as insertEvents } from '../../src/store/sql/sqlite/sqlite-event-insert.ts';
import { migrateSqlite } from '../../src/store/sql/sqlite/sqlite-migrate.ts';
import { openSqliteEventStore, openSqliteStores } from '../../src/store/sql/sqlite/sqlite-stores.ts';
import { runEventStoreSuite } from '../conformance/event-store.ts';
import { sampleEvent } from '../helpers.ts';

async function makeTempDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-events-'));
}

runEventStoreSuite('sqlite', async () => {
  const dir = await makeTempDir();
  const store = openSqliteEventStore(path.join(dir, 'flowtrail.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
});

// The same suite with every query forced onto one plan: both must give the same answers.
for (const [label, cap] of [
  ['time scans only', 0],
  ['driven whenever possible', Number.POSITIVE_INFINITY],
] as const) {
  runEventStoreSuite(`sqlite, ${label}`, async () => {
    const dir = await makeTempDir();
    const store = openSqliteEventStore(path.join(dir, 'flowtrail.db'));
    store.planner.driveCap = cap;
    store.planner.countDriveCap = cap;
    return {
      store,
      cleanup: async () => {
        await store.close();
        await fsp.rm(dir, { recursive: true, force: true });
      },
    };
  });
}

// The same suite with the text index (kept behind the appends) brought up after every append:
// all of it, or the first half of each append only (queries then mix indexed and pending events).
for (const [label, part, cap] of [
  ['text index caught up', 1, undefined],
  ['text index caught up, driven whenever possible', 1, Number.POSITIVE_INFINITY],
  ['text index caught up, time scans only', 1, 0],
  ['text index half caught up', 0.5, undefined],
] as const) {
  runEventStoreSuite(`sqlite, ${label}`, async () => {
    const dir = await makeTempDir();
    const store = openSqliteEventStore(path.join(dir, 'flowtrail.db'));
    if (cap !== undefined) {
      store.planner.driveCap = cap;
      store.planner.countDriveCap = cap;
    }
    const append = store.append.bind(store);
    store.append = async (events) => {
      const result = await append(events);
      if (part === 1) while ((await store.indexText(7)) > 0);
      else await store.indexText(Math.floor(events.length / 2));
      return result;
    };
    return {
      store,
      cleanup: async () => {
        await store.close();
        await fsp.rm(dir, { recursive: true, force: true });
      },
    };
  });
}

const T0 = Date.UTC(2025, 0, 6);
const ev = sampleEvent;

describe('SqlEventStore on SQLite', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await makeTempDir();
    file = path.join(dir, 'flowtrail.db');
  });

  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  const raw = <T>(query: string): T[] => {
    const db = new BetterSqlite3(file, { readonly: true });
    try {
      return db.prepare(query).all() as T[];
    } finally {
      db.close();
    }
  };

  it('writes one link per involved resource, once per event id', async () => {
    const store = openSqliteEventStore(file);
    const events = Array.from({ length: 1200 }, (_, i) =>
      ev(i, i % 5 ? [] : [{ 'flowtrail.resource.id': 'x', 'flowtrail.resource.role': 'y' }]),
    );
    expect(await store.append([...events, ...events.slice(0, 600)])).toEqual({ inserted: 1200 });
    expect(await store.append(events.slice(300, 900))).toEqual({ inserted: 0 });
    await store.close();
    expect(raw<{ n: number }>('SELECT count(*) AS n FROM events')).toEqual([{ n: 1200 }]);
    expect(raw<{ n: number }>('SELECT count(*) AS n FROM event_links')).toEqual([{ n: 1200 * 2 + 240 }]);
    expect(raw<{ n: number }>("SELECT count(*) AS n FROM event_links WHERE role = ''")).toEqual([
      { n: 1200 },
    ]);
    expect(
      raw<{ n: number }>(
        'SELECT count(*) AS n FROM event_links l LEFT JOIN events e ON e.seq = l.event_seq AND e.occurred = l.occurred WHERE e.seq IS NULL',
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('retention deletes the links of the events it removes', async () => {
    const store = openSqliteEventStore(file);
    await store.append(Array.from({ length: 3000 }, (_, i) => ev(i)));
    const { deleted } = await store.applyRetention({ retentionMs: 1000 * 1000 }, new Date(T0 + 3000 * 1000));
    expect(deleted).toBe(2000);
    await store.close();
    expect(raw<{ n: number }>('SELECT count(*) AS n FROM events')).toEqual([{ n: 1000 }]);
    expect(raw<{ n: number }>('SELECT count(*) AS n FROM event_links')).toEqual([{ n: 2000 }]);
    expect(raw<{ n: number }>(`SELECT min(occurred) AS n FROM event_links`)).toEqual([
      { n: T0 + 2000 * 1000 },
    ]);
  });

  it('openSqliteStores shares one connection: events commit or roll back with metadata writes', async () => {
    const { metadata, events } = openSqliteStores(file);
    const [e1, e2, e3] = [ev(1), ev(2), ev(3)];
    const db = (events as unknown as { db: Kysely<Database> }).db;
    await expect(
      db.transaction().execute(async (trx) => {
        await insertEvents(trx, [e1, e2]);
        throw new Error('the state write failed');
      }),
    ).rejects.toThrow('the state write failed');
    expect(await events.total({})).toBe(0);
    await db.transaction().execute(async (trx) => {
      expect(await insertEvents(trx, [e1, e2, e1])).toBe(2);
      expect(await insertEvents(trx, [e2, e3])).toBe(1);
    });
    expect(await events.total({})).toBe(3);
    await events.close(); // leaves the shared connection open
    expect(await metadata.listFlows()).toEqual([]);
    const read = await events.readAfter(0);
    expect(read.events.map((e) => e.id)).toEqual([e1.id, e2.id, e3.id]);
    expect(read.position).toBe(await events.headPosition());
    await metadata.close();
    // The metadata-only opener still works on the same file.
    const { metadata: again } = openSqliteStores(file);
    await again.close();
  });

  it('insertEvents opens its own transaction when given no transaction', async () => {
    const sqlite = new BetterSqlite3(file);
    migrateSqlite(sqlite);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    const [e1, e2] = [ev(1), ev(2)];
    expect(await insertEvents(db, [e1, e1, e2])).toBe(2);
    expect(await insertEvents(db, [])).toBe(0);
    const store = new SqlEventStore(db, sqliteDialect, 'test');
    expect(await store.total({})).toBe(2);
    await db.destroy();
  });

  describe('query plans', () => {
    let db: Kysely<Database>;
    beforeEach(async () => {
      const store = openSqliteEventStore(file);
      await store.close();
      const sqlite = new BetterSqlite3(file);
      db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    });
    afterEach(async () => {
      await db.destroy();
    });
    const plan = async (query: string) =>
      (await sql.raw<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`).execute(db)).rows
        .map((r) => r.detail)
        .join('\n');

    it('a time scan walks events_occurred in order, checks names in the index, probes links by key', async () => {
      const p = await plan(`SELECT e.* FROM events AS e INDEXED BY events_occurred
        WHERE e.occurred >= 0 AND e.event >= 'a.' AND e.event < 'a/'
          AND EXISTS (SELECT 1 FROM event_links AS l WHERE (l.role > '' AND l.resource_id IN ('x') AND l.occurred = e.occurred AND l.event_seq = e.seq))
        ORDER BY e.occurred DESC, e.seq DESC LIMIT 51`);
      expect(p).toContain('SEARCH e USING INDEX events_occurred (occurred>?)');
      expect(p).toMatch(
        /SEARCH l (EXISTS )?USING PRIMARY KEY \(resource_id=\? AND occurred=\? AND event_seq=\? AND role>\?\)/,
      );
      expect(p).not.toContain('TEMP B-TREE');
    });

    it('a driven query finds candidates in one key range of the links and events by rowid', async () => {
      const p = await plan(`SELECT e.* FROM events AS e NOT INDEXED
        WHERE e.seq IN (SELECT l.event_seq FROM event_links AS l WHERE l.resource_id IN ('x') AND l.role > '' AND l.occurred >= 0)
        ORDER BY e.occurred DESC, e.seq DESC LIMIT 51`);
      expect(p).toContain('USING INTEGER PRIMARY KEY (rowid=?)');
      expect(p).toContain('SEARCH l USING PRIMARY KEY (resource_id=? AND occurred>?)');
    });
  });
});

describe('prefixUpperBound', () => {
  it('bounds exactly the strings with the prefix', () => {
    expect(prefixUpperBound('abc')).toBe('abd');
    expect(prefixUpperBound('')).toBeNull();
    expect(prefixUpperBound('a\u{10ffff}')).toBe('b');
    expect(prefixUpperBound('\u{10ffff}')).toBeNull();
    expect(prefixUpperBound('x\ud7ff')).toBe('x\ue000');
  });
});
