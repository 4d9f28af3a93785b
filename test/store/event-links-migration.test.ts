/**
 * A database whose events were written at the schema before `event_links` (SQLite migration 8,
 * PostgreSQL 9: `event_resources` rows with labels) migrates without losing an event or a link,
 * and the migrated store answers resource and text filters as `matchesFilter` does. The text
 * index comes with SQLite's migration 13 (stored events are indexed behind, by `indexText`) and
 * PostgreSQL's 14 (a pg_trgm GIN index over a copy of `search`, also filled behind); the text
 * filters are checked before and after the indexer caught up, and new events (whose ASCII search text
 * SQLite no longer stores) are found beside the old ones.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { EventFilter } from '../../src/events/filter.ts';
import { matchesFilter } from '../../src/events/match-filter.ts';
import type { FlowtrailEvent } from '../../src/events/model.ts';
import { searchText } from '../../src/events/text-query.ts';
import type { EventStore } from '../../src/store/event-store.ts';
import { migratePostgres } from '../../src/store/sql/postgres/postgres-migrate.ts';
import { postgresMigrations } from '../../src/store/sql/postgres/postgres-migrations.ts';
import { openPostgresStores } from '../../src/store/sql/postgres/postgres-stores.ts';
import { migrateSqlite } from '../../src/store/sql/sqlite/sqlite-migrate.ts';
import { sqliteMigrations } from '../../src/store/sql/sqlite/sqlite-migrations.ts';
import { openSqliteEventStore } from '../../src/store/sql/sqlite/sqlite-stores.ts';
import { sampleEvent } from '../helpers.ts';
import { postgresTests } from './postgres-test-db.ts';

/** 60 events: primary resources dataset.0–9, a tag each, some with an owner and a source. */
const corpus: FlowtrailEvent[] = Array.from({ length: 60 }, (_, i) =>
  sampleEvent(i, [
    ...(i % 4 === 0
      ? [{ 'flowtrail.resource.id': `team.t${i % 8}`, 'flowtrail.resource.role': 'owner' }]
      : []),
    ...(i % 5 === 0
      ? [{ 'flowtrail.resource.id': `dataset.${i % 3}`, 'flowtrail.resource.role': 'source', env: 'prod' }]
      : []),
  ]),
);

/** The old shape: the `events` row and one `event_resources` row per involved resource. */
function oldRows(e: FlowtrailEvent, seq: number) {
  const labels = [e.resource, ...e.related].map((r) => JSON.stringify(r));
  const event = [
    seq,
    e.id,
    e.occurred.getTime(),
    e.event,
    e.resource['flowtrail.resource.id'],
    e.follows,
    e.received.getTime(),
    labels[0],
    `[${labels.slice(1).join(',')}]`,
    JSON.stringify(e.payload),
    searchText(e),
  ];
  const resources = [e.resource, ...e.related].map((r, pos) => [
    seq,
    pos,
    e.occurred.getTime(),
    r['flowtrail.resource.id'],
    pos === 0 ? '' : String(r['flowtrail.resource.role']),
    labels[pos],
  ]);
  return { event, resources };
}

const EVENT_INSERT =
  'INSERT INTO events (seq, id, occurred, event, resource_id, follows, received, resource, related, payload, search)';
const RESOURCE_INSERT = 'INSERT INTO event_resources (event_seq, pos, occurred, resource_id, role, labels)';
const placeholders = (n: number, dollar: boolean) =>
  `(${Array.from({ length: n }, (_, i) => (dollar ? `$${i + 1}` : '?')).join(', ')})`;

const filters: [string, EventFilter][] = [
  ['resource id', { resource: { id: ['dataset.3'] } }],
  ['resource id prefix', { resource: { idPrefix: ['dataset.1'] } }],
  ['related id', { related: { id: ['team.t4'] } }],
  ['related role and id', { related: { role: ['source'], id: ['dataset.0'] } }],
  ['related role only', { related: { role: ['owner'] } }],
  ['related label', { related: { labels: { env: 'prod' } } }],
  ['any resource id', { anyResource: { id: ['dataset.0'] } }],
  ['any resource prefix', { anyResource: { idPrefix: ['team.'] } }],
  ['text', { text: 'dataset.3' }],
  ['text required and excluded', { text: '+odd +t1 -dataset.5' }],
  ['text of a related label', { text: 'prod' }],
];

/** Events appended after the migration, by the new code. */
const later: FlowtrailEvent[] = Array.from({ length: 20 }, (_, i) => sampleEvent(100 + i));

async function expectAnswers(store: EventStore, all: readonly FlowtrailEvent[] = corpus): Promise<void> {
  expect(await store.total({})).toBe(all.length);
  for (const [label, f] of filters) {
    const want = all.filter((e) => matchesFilter(e, f)).map((e) => e.id);
    expect(want.length, label).toBeGreaterThan(0);
    const got = (await store.query({ ...f, order: 'asc' }, { limit: 500 })).events.map((e) => e.id);
    expect(got.sort(), label).toEqual(want.sort());
  }
  // The events come back unchanged, and tailing still sees every one in arrival order.
  const read = await store.readAfter(0, 100);
  expect(read.events).toEqual(all);
}

/** Old events answered, then with new ones appended, then with the text index caught up. */
async function expectAnswersAfterAppends(store: EventStore): Promise<void> {
  await expectAnswers(store);
  await store.append(later);
  await expectAnswers(store, [...corpus, ...later]);
  while (((await store.indexText?.(25)) ?? 0) > 0);
  await expectAnswers(store, [...corpus, ...later]);
}

const linkCount = corpus.reduce((n, e) => n + 1 + e.related.length, 0);

describe('event_links migration, SQLite', () => {
  it('migrates a store written at schema 7 and answers its queries', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-links-'));
    const file = path.join(dir, 'flowtrail.db');
    try {
      const old = new BetterSqlite3(file);
      migrateSqlite(
        old,
        sqliteMigrations.filter((m) => m.id < 8),
      );
      const ev = old.prepare(`${EVENT_INSERT} VALUES ${placeholders(11, false)}`);
      const res = old.prepare(`${RESOURCE_INSERT} VALUES ${placeholders(6, false)}`);
      corpus.forEach((e, i) => {
        const rows = oldRows(e, i + 1);
        ev.run(rows.event);
        for (const r of rows.resources) res.run(r);
      });
      old.close();

      const store = openSqliteEventStore(file);
      await expectAnswersAfterAppends(store);
      await store.close();
      const db = new BetterSqlite3(file, { readonly: true });
      // Every later migration ran too.
      expect(db.prepare('SELECT max(id) AS id FROM flowtrail_migrations').get()).toEqual({
        id: sqliteMigrations[sqliteMigrations.length - 1]!.id,
      });
      expect(db.prepare('SELECT count(*) AS n FROM event_links').get()).toEqual({
        n: linkCount + later.length * 2,
      });
      // Every event indexed; the old ones keep their stored search text, the new (ASCII) ones do not.
      expect(db.prepare('SELECT indexed_through AS n FROM event_text_state').get()).toEqual({
        n: corpus.length + later.length,
      });
      expect(db.prepare("SELECT count(*) AS n FROM events WHERE search = ''").get()).toEqual({
        n: later.length,
      });
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'event_resources'").all()).toEqual([]);
      db.close();
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});

postgresTests('event_links migration, PostgreSQL', (db) => {
  it('migrates a store written at schema 8 and answers its queries', async () => {
    const schema = db.freshSchema();
    const client = new pg.Client({ connectionString: db.url, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await migratePostgres(client, { schema, migrations: postgresMigrations.filter((m) => m.id < 9) });
      for (const [i, e] of corpus.entries()) {
        const rows = oldRows(e, i + 1);
        await client.query(`${EVENT_INSERT} VALUES ${placeholders(11, true)}`, rows.event);
        for (const r of rows.resources)
          await client.query(`${RESOURCE_INSERT} VALUES ${placeholders(6, true)}`, r);
      }
      // The old store's BIGSERIAL had handed these seqs out.
      await client.query(`SELECT setval(pg_get_serial_sequence('events', 'seq'), ${corpus.length})`);

      const stores = await openPostgresStores(db.url, { schema });
      try {
        await expectAnswersAfterAppends(stores.events);
      } finally {
        await stores.close();
      }
      const n = await client.query<{ n: string }>('SELECT count(*) AS n FROM event_links');
      expect(Number(n.rows[0]!.n)).toBe(linkCount + later.length * 2);
      // The trigram index (pg_trgm is installed on the test server).
      const trgm = await client.query(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'event_text_trgm'`,
        [schema],
      );
      expect(trgm.rows[0]?.indexdef).toMatch(/USING gin \(search .*gin_trgm_ops\)/);
      // Every event copied for it by the indexer.
      const copied = await client.query<{ n: string }>('SELECT count(*) AS n FROM event_text');
      expect(Number(copied.rows[0]!.n)).toBe(corpus.length + later.length);
      const gone = await client.query(`SELECT to_regclass('event_resources') AS t`);
      expect(gone.rows).toEqual([{ t: null }]);
    } finally {
      await client.end();
      await db.dropSchema(schema);
    }
  });
});
