import { setTimeout as sleep } from 'node:timers/promises';
import { type CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { EventFilter } from '../../src/events/filter.ts';
import { globToRegExp } from '../../src/events/glob.ts';
import type { FlowtrailEvent } from '../../src/events/model.ts';
import { validateEvent } from '../../src/events/validate-event.ts';
import { postgresDialect } from '../../src/store/sql/postgres/postgres-dialect.ts';
import { insertEventsPostgres } from '../../src/store/sql/postgres/postgres-event-insert.ts';
import { globToPostgresRegex } from '../../src/store/sql/postgres/postgres-glob.ts';
import { openPostgresStores } from '../../src/store/sql/postgres/postgres-stores.ts';
import type { Database } from '../../src/store/sql/schema.ts';
import { SqlEventStore } from '../../src/store/sql/sql-event-store.ts';
import { runEventStoreSuite } from '../conformance/event-store.ts';
import { GLOB_PATTERNS, GLOB_TEXTS } from '../events/glob-cases.ts';
import { sampleEvent } from '../helpers.ts';
import { postgresTests, type TestPostgres } from './postgres-test-db.ts';

const T0 = Date.UTC(2025, 0, 6);
const ev = sampleEvent;

/** The Kysely database a store runs on (to open transactions of one's own on it). */
const dbOf = (store: SqlEventStore): Kysely<Database> => (store as unknown as { db: Kysely<Database> }).db;

/** Opens the stores of a fresh schema; `close` also drops the schema. */
async function freshStores(db: TestPostgres) {
  const schema = db.freshSchema();
  const stores = await openPostgresStores(db.url, { schema });
  return {
    schema,
    ...stores,
    close: async () => {
      await stores.close();
      await db.dropSchema(schema);
    },
  };
}

postgresTests('PostgreSQL event store', (db) => {
  runEventStoreSuite('postgres', async () => {
    const { events, close } = await freshStores(db);
    return { store: events, cleanup: close };
  });

  // The same suite with the text index (kept behind the appends) brought up after every append:
  // all of it, or the first half of each append only.
  for (const [label, part] of [
    ['text index caught up', 1],
    ['text index half caught up', 0.5],
  ] as const) {
    runEventStoreSuite(`postgres, ${label}`, async () => {
      const { events, close } = await freshStores(db);
      const append = events.append.bind(events);
      events.append = async (batch) => {
        const result = await append(batch);
        if (part === 1) while ((await events.indexText(7)) > 0);
        else await events.indexText(Math.floor(batch.length / 2));
        return result;
      };
      return { store: events, cleanup: close };
    });
  }

  // The same suite with every query forced onto one plan: both must give the same answers.
  for (const [label, cap] of [
    ['time scans only', 0],
    ['driven whenever possible', Number.POSITIVE_INFINITY],
  ] as const) {
    runEventStoreSuite(`postgres, ${label}`, async () => {
      const { events, close } = await freshStores(db);
      events.planner.driveCap = cap;
      events.planner.countDriveCap = cap;
      return { store: events, cleanup: close };
    });
  }

  describe('SqlEventStore on PostgreSQL', () => {
    it('writes one link per involved resource, once per event id', async () => {
      const { events, schema, close } = await freshStores(db);
      try {
        const batch = Array.from({ length: 1200 }, (_, i) =>
          ev(i, i % 5 ? [] : [{ 'flowtrail.resource.id': 'x', 'flowtrail.resource.role': 'y' }]),
        );
        expect(await events.append([...batch, ...batch.slice(0, 600)])).toEqual({ inserted: 1200 });
        expect(await events.append(batch.slice(300, 900))).toEqual({ inserted: 0 });
        const count = async (query: string) =>
          Number((await db.admin.query<{ n: string }>(query.replaceAll('§', `"${schema}"`))).rows[0]!.n);
        expect(await count('SELECT count(*) AS n FROM §.events')).toBe(1200);
        expect(await count('SELECT count(*) AS n FROM §.event_links')).toBe(1200 * 2 + 240);
        expect(await count(`SELECT count(*) AS n FROM §.event_links WHERE role = ''`)).toBe(1200);
        expect(
          await count(
            'SELECT count(*) AS n FROM §.event_links l LEFT JOIN §.events e ON e.seq = l.event_seq AND e.occurred = l.occurred WHERE e.seq IS NULL',
          ),
        ).toBe(0);
        const { deleted } = await events.applyRetention({ retentionMs: 0 }, new Date(T0 + 1000 * 1000));
        expect(deleted).toBe(1000);
        expect(await count('SELECT count(*) AS n FROM §.event_links')).toBe(200 * 2 + 40);
      } finally {
        await close();
      }
    });

    it('matches globs in SQL exactly as globToRegExp does', async () => {
      const client = await db.admin.connect();
      try {
        for (const pattern of GLOB_PATTERNS) {
          const re = globToPostgresRegex(pattern);
          for (const text of GLOB_TEXTS) {
            const want = globToRegExp(pattern).test(text);
            const got =
              re === false
                ? false
                : (await client.query<{ hit: boolean }>('SELECT $1::text ~ $2::text AS hit', [text, re]))
                    .rows[0]!.hit;
            expect(got, `${JSON.stringify(text)} ~ ${JSON.stringify(re)} (glob ${pattern})`).toBe(want);
          }
        }
      } finally {
        client.release();
      }
    });

    it('a connection killed while checked out fails its next query, without an uncaught error', async () => {
      const { events, close } = await freshStores(db);
      try {
        const outcome = await dbOf(events)
          .transaction()
          .execute(async (trx) => {
            const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
            await db.admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
            await new Promise((r) => setTimeout(r, 300)); // the client sees its socket end, idle
            return sql`SELECT 1`.execute(trx).then(
              () => 'answered',
              (e: Error) => e.message,
            );
          })
          .catch((e: Error) => e.message);
        expect(outcome).toMatch(/terminat|Connection/i);
        // The pool replaced the dead connection: the store still works.
        expect(await events.headPosition()).toBe(0);
      } finally {
        await close();
      }
    });

    it('openPostgresStores shares one pool: events commit or roll back with metadata writes', async () => {
      const { metadata, events, close } = await freshStores(db);
      try {
        const [e1, e2, e3] = [ev(1), ev(2), ev(3)];
        await expect(
          dbOf(events)
            .transaction()
            .execute(async (trx) => {
              await insertEventsPostgres(trx, [e1, e2]);
              throw new Error('the state write failed');
            }),
        ).rejects.toThrow('the state write failed');
        expect(await events.total({})).toBe(0);
        await metadata.write([{ op: 'events.append', events: [e1, e2, e1] }]);
        expect(await events.append([e2, e3])).toEqual({ inserted: 1 });
        await events.close(); // leaves the shared pool open
        expect(await metadata.listFlows()).toEqual([]);
        const read = await events.readAfter(0);
        expect(read.events.map((e) => e.id)).toEqual([e1.id, e2.id, e3.id]);
        expect(read.position).toBe(await events.headPosition());
        expect(events.location).toBe(metadata.location);
      } finally {
        await close();
      }
      // The pool is ended, once: closing again is harmless, and the stores refuse to work.
      await close();
      await expect(events.total({})).rejects.toThrow();
    });

    it('ends the pool on close even when no query ran', async () => {
      const schema = db.freshSchema();
      const countConnections = async () =>
        Number(
          (
            await db.admin.query<{ n: string }>(
              `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1`,
              [schema],
            )
          ).rows[0]!.n,
        );
      try {
        const url = new URL(db.url);
        url.searchParams.set('application_name', schema);
        const stores = await openPostgresStores(url.toString(), { schema });
        expect(await countConnections()).toBe(1); // the migration's connection, back in the pool
        await stores.close();
        for (let i = 0; i < 50 && (await countConnections()) > 0; i++) await sleep(20);
        expect(await countConnections()).toBe(0);
      } finally {
        await db.dropSchema(schema);
      }
    });

    describe('query plans (EXPLAIN of the statements the store sends)', () => {
      /**
       * Runs `fn` on a store over a 20,000-event corpus (analyzed), returning the plan of each
       * statement it sent.
       */
      async function plans(
        schema: string,
        caps: number | undefined,
        fn: (store: SqlEventStore) => Promise<unknown>,
      ): Promise<string[]> {
        const sent: CompiledQuery[] = [];
        const pool = new pg.Pool({ connectionString: db.url, options: `-c search_path=${schema}`, max: 2 });
        const kysely = new Kysely<Database>({
          dialect: new PostgresDialect({ pool }),
          log: (e) => {
            if (e.level === 'query') sent.push(e.query);
          },
        });
        try {
          const store = new SqlEventStore(kysely, postgresDialect, 'test');
          if (caps !== undefined) {
            store.planner.driveCap = caps;
            store.planner.countDriveCap = caps;
          }
          await fn(store);
          const out: string[] = [];
          for (const q of sent) {
            const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
              `EXPLAIN (COSTS OFF) ${q.sql}`,
              q.parameters as unknown[],
            );
            out.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
          }
          return out;
        } finally {
          await kysely.destroy();
        }
      }

      const teams = ['team.a', 'team.b', 'team.c', 'team.d'];
      const corpus = (): FlowtrailEvent[] =>
        Array.from({ length: 20_000 }, (_, i) =>
          validateEvent(
            {
              event: [
                'flowtrail.task.started',
                'flowtrail.task.completed',
                'flowtrail.run.started',
                'dataset.x',
              ][i % 4]!,
              occurred: new Date(T0 + i * 60_000),
              resource: { 'flowtrail.resource.id': `flowtrail.task.F/${i % 500}/s/${i}`, 'acme.env': 'prod' },
              related: [
                { 'flowtrail.resource.id': `flowtrail.tag.t${i % 20}`, 'flowtrail.resource.role': 'tag' },
                { 'flowtrail.resource.id': teams[i % 4]!, 'flowtrail.resource.role': 'owner' },
              ],
            },
            { allowReserved: true },
          ),
        );

      it('page queries use the indexes, in both plans', async () => {
        const { events, schema, close } = await freshStores(db);
        try {
          for (let i = 0, all = corpus(); i < all.length; i += 5000)
            await events.append(all.slice(i, i + 5000));
          // As autovacuum leaves an insert-only table: analyzed, and all-visible for index-only scans.
          await db.admin.query(`VACUUM ANALYZE "${schema}".events, "${schema}".event_links`);
          const since = new Date(T0 + 7000 * 60_000);
          // [label, filter, whether the filter is common enough for a time scan to be its plan]
          const filters: [string, EventFilter, boolean][] = [
            ['no filter', {}, true],
            [
              'prefix + related tag + since',
              {
                since,
                event: { prefix: ['flowtrail.task.'] },
                related: { role: ['tag'], id: ['flowtrail.tag.t3'] },
              },
              true,
            ],
            ['one resource', { resource: { id: ['flowtrail.task.F/7/s/7'] } }, false],
            ['anyResource', { anyResource: { id: ['team.b'] }, order: 'asc' }, true],
            ['event name', { event: { name: ['flowtrail.run.started'] } }, true],
          ];
          for (const [label, f, common] of filters) {
            // With the default thresholds, every statement (capped candidate counts, the page) uses indexes.
            for (const plan of await plans(schema, undefined, (s) => s.query(f)))
              expect(plan, label).not.toContain('Seq Scan');
            // Time scans: the page's seqs found by walking an index in page order (no sort),
            // links probed by key; then those rows read by primary key.
            if (common) {
              const [scan] = await plans(schema, 0, (s) => s.query(f));
              expect(scan, label).not.toContain('Seq Scan');
              expect(scan, label).toMatch(
                /InitPlan \d+ \(returns \$\d+\)\s+-> {2}Limit\s+-> {2}Index (Only )?Scan (Backward )?using events_(occurred|name) on events e/,
              );
              expect(scan, label).toMatch(
                /Index Scan using events_pkey on events e\s+Index Cond: \(seq = ANY/,
              );
              if (f.related || f.anyResource)
                expect(scan, label).toContain('Index Only Scan using event_links_pkey on event_links l');
            }
            // Driven (when the filter pins candidates): candidates from an index, events by primary key.
            if (label === 'no filter') continue;
            const driven = await plans(schema, Number.POSITIVE_INFINITY, (s) => s.query(f));
            const page = driven[driven.length - 1]!;
            expect(page, label).not.toContain('Seq Scan');
            expect(page, label).toMatch(/Index Scan using events_pkey on events e\s+Index Cond: \(seq = ANY/);
            expect(page, label).toMatch(
              /(Index (Only )?Scan using|Bitmap Index Scan on) (event_links_pkey|events_name)/,
            );
          }
        } finally {
          await close();
        }
      });
    });

    describe('tailing with several writers', () => {
      const uuid = (i: number): string => `0190a6f2-3c4d-7a1b-8e2f-${String(i).padStart(12, '0')}`;
      const tev = (i: number): FlowtrailEvent =>
        validateEvent({
          id: uuid(i),
          event: 'tail.test',
          occurred: new Date(T0 + i),
          resource: { 'flowtrail.resource.id': `r.${i}` },
        });

      it('a reader never moves past an event whose transaction is still open', async () => {
        const a = await freshStores(db);
        const b = await openPostgresStores(db.url, { schema: a.schema });
        const reader = await openPostgresStores(db.url, { schema: a.schema });
        let release!: () => void;
        const hold = new Promise<void>((r) => {
          release = r;
        });
        let inserted!: () => void;
        const didInsert = new Promise<void>((r) => {
          inserted = r;
        });
        // Writer A writes first (its xid is the older), then takes seq 1 and keeps its transaction open.
        const txA = dbOf(a.events)
          .transaction()
          .execute(async (trx) => {
            await sql`SELECT pg_current_xact_id()`.execute(trx);
            await insertEventsPostgres(trx, [tev(1)]);
            inserted();
            await hold;
          });
        try {
          await didInsert;
          // Writer B appends while A is open, and would commit first if nothing ordered them.
          const appendB = b.events.append([tev(2)]);
          await sleep(200);
          const early = await reader.events.readAfter(0);
          expect(early.events.map((e) => e.id)).toEqual([]);
          expect(await reader.events.headPosition()).toBe(0);
          release();
          await txA;
          await appendB;
          const later = await reader.events.readAfter(early.position);
          expect(later.events.map((e) => e.id)).toEqual([uuid(1), uuid(2)]);
        } finally {
          release();
          await txA.catch(() => {});
          await b.close();
          await reader.close();
          await a.close();
        }
      });

      it('delivers every event exactly once while two processes write interleaved long transactions', async () => {
        const a = await freshStores(db);
        const b = await openPostgresStores(db.url, { schema: a.schema });
        const reader = await openPostgresStores(db.url, { schema: a.schema });
        const perWriter = 40;
        try {
          // Each transaction writes first (taking its xid), waits, appends 1–2 events, waits, commits.
          const writer = async (store: SqlEventStore, base: number) => {
            let next = base;
            for (let t = 0; t < perWriter / 2; t++) {
              await dbOf(store)
                .transaction()
                .execute(async (trx) => {
                  await sql`SELECT pg_current_xact_id()`.execute(trx);
                  await sleep(Math.random() * 15);
                  const n = 1 + (t % 2);
                  await insertEventsPostgres(
                    trx,
                    Array.from({ length: n }, () => tev(next++)),
                  );
                  await sleep(Math.random() * 15);
                });
            }
            return next - base;
          };
          let done = false;
          const seen: string[] = [];
          const positions: number[] = [];
          const tail = (async () => {
            let position = 0;
            for (;;) {
              const finished = done;
              const batch = await reader.events.readAfter(position, 3);
              seen.push(...batch.events.map((e) => e.id));
              if (batch.events.length > 0) positions.push(batch.position);
              position = batch.position;
              if (finished && batch.events.length === 0) return;
              if (batch.events.length === 0) await sleep(1);
            }
          })();
          const [na, nb] = await Promise.all([writer(a.events, 1000), writer(b.events, 5000)]);
          done = true;
          await tail;
          const want = [
            ...Array.from({ length: na }, (_, i) => uuid(1000 + i)),
            ...Array.from({ length: nb }, (_, i) => uuid(5000 + i)),
          ];
          expect([...seen].sort()).toEqual(want.sort());
          expect(new Set(seen).size).toBe(seen.length);
          expect(positions).toEqual([...positions].sort((x, y) => x - y));
        } finally {
          await b.close();
          await reader.close();
          await a.close();
        }
      });
    });
  });
});
