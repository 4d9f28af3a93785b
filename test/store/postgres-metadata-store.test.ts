import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.ts';
import type { FlowtrailEvent } from '../../src/events/model.ts';
import { validateEvent } from '../../src/events/validate-event.ts';
import { postgresMigrations } from '../../src/store/sql/postgres/postgres-migrations.ts';
import { openPostgresMetadataStore } from '../../src/store/sql/postgres/postgres-stores.ts';
import { runMetadataStoreSuite } from '../conformance/metadata-store.ts';
import { newRunRecord } from '../helpers.ts';
import { postgresTests } from './postgres-test-db.ts';

postgresTests('PostgreSQL metadata store', ({ url: URL, admin, freshSchema, dropSchema }) => {
  runMetadataStoreSuite('postgres', async () => {
    const schema = freshSchema();
    const store = await openPostgresMetadataStore(URL, { schema });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  });

  it("walks the (flow, run number) index for a flow's runs list, filters or not, over 10,000 runs", async () => {
    const schema = freshSchema();
    const store = await openPostgresMetadataStore(URL, { schema });
    try {
      await store.createRun(newRunRecord('Big'));
      await admin.query(
        `INSERT INTO "${schema}".runs (flow_name, run_number, status, user_name, created_at)
         SELECT 'Big', n, CASE WHEN n % 100 = 7 THEN 'failed' ELSE 'completed' END, 'u' || (n % 3), n * 1000
         FROM generate_series(2, 10000) AS n`,
      );
      // Another flow, half of whose runs failed: the status alone is a poor way in.
      await store.createRun(newRunRecord('Other'));
      await admin.query(
        `INSERT INTO "${schema}".runs (flow_name, run_number, status, user_name, created_at)
         SELECT 'Other', n, CASE WHEN n % 2 = 0 THEN 'failed' ELSE 'completed' END, 'u', n * 1000
         FROM generate_series(2, 10000) AS n`,
      );
      await admin.query(`ANALYZE "${schema}".runs`);
      const plan = async (where: string) =>
        (
          await admin.query<{ 'QUERY PLAN': string }>(
            `EXPLAIN SELECT * FROM "${schema}".runs WHERE flow_name = 'Big' ${where} ORDER BY run_number DESC LIMIT 51`,
          )
        ).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n');
      for (const where of ['', "AND user_name = 'u1'", 'AND created_at >= 5000000', 'AND run_number < 9000'])
        expect(await plan(where), where).toMatch(/Index Scan Backward using runs_flow_name_run_number_key/);
      // 1 % failed: the (flow, status, run number) index finds them; no scan of the table.
      const failed = await plan("AND status = 'failed'");
      expect(failed).toMatch(/runs_flow_status/);
      expect(failed).not.toMatch(/Seq Scan/);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });

  describe('openPostgresMetadataStore', () => {
    const newRun = (flow: string) => newRunRecord(flow, { tags: ['t'], systemTags: ['user:tester'] });

    it('migrates a fresh schema once when several stores open it at once', async () => {
      const schema = freshSchema();
      try {
        const stores = await Promise.all(
          Array.from({ length: 4 }, () => openPostgresMetadataStore(URL, { schema })),
        );
        try {
          const { rows } = await admin.query<{ id: number; name: string }>(
            `SELECT id, name FROM "${schema}".flowtrail_migrations ORDER BY id`,
          );
          expect(rows).toEqual(postgresMigrations.map((m) => ({ id: m.id, name: m.name })));
          // Every store works on the same tables.
          const runs = await Promise.all(stores.map((s) => s.createRun(newRun('Shared'))));
          expect(runs.map((r) => r.runNumber).sort()).toEqual([1, 2, 3, 4]);
          expect((await stores[0]!.listRuns('Shared', { tags: ['t'] })).length).toBe(4);
        } finally {
          await Promise.all(stores.map((s) => s.close()));
        }
        // Reopening finds nothing to apply.
        const again = await openPostgresMetadataStore(URL, { schema });
        await again.close();
        const { rows } = await admin.query(`SELECT id FROM "${schema}".flowtrail_migrations`);
        expect(rows).toHaveLength(postgresMigrations.length);
      } finally {
        await dropSchema(schema);
      }
    });

    it('reads BIGINT columns back as numbers', async () => {
      const schema = freshSchema();
      const store = await openPostgresMetadataStore(URL, { schema });
      try {
        const run = await store.createRun(newRun('Types'));
        const read = await store.getRunById(run.id);
        expect(typeof read!.id).toBe('number');
        expect(typeof read!.createdAt).toBe('number');
        expect(read).toEqual(run);
        expect(store.location).toContain(schema);
      } finally {
        await store.close();
        await dropSchema(schema);
      }
    });

    it('writes lifecycle events with the state they report, skipping ids already stored', async () => {
      const schema = freshSchema();
      const store = await openPostgresMetadataStore(URL, { schema });
      const uuid = (i: number): string => `0190a6f2-3c4d-7a1b-8e2f-${String(i).padStart(12, '0')}`;
      const ev = (i: number): FlowtrailEvent =>
        validateEvent({
          id: uuid(i),
          event: 'dataset.changed',
          occurred: new Date(Date.UTC(2025, 0, 6) + i * 1000),
          resource: { 'flowtrail.resource.id': `dataset.${i}` },
          related: [{ 'flowtrail.resource.id': `flowtrail.tag.t${i}`, 'flowtrail.resource.role': 'tag' }],
          payload: { i },
        });
      try {
        const run = await store.createRun(newRun('Events'));
        await store.write([
          { op: 'events.append', events: [ev(0), ev(1), ev(2), ev(1)] },
          { op: 'run.update', runId: run.id, patch: { heartbeatAt: run.createdAt + 1 } },
          { op: 'events.append', events: [ev(0), ev(3)] },
        ]);
        expect(
          await store.markRunCrashed(
            run.id,
            run.createdAt + 2,
            { type: 'Crash', message: 'gone', stack: '' },
            [ev(4), ev(3)],
          ),
        ).toBe(true);
        const events = await admin.query<{ seq: number; id: string; payload: string }>(
          `SELECT seq, id, payload FROM "${schema}".events ORDER BY seq`,
        );
        expect(events.rows.map((r) => r.id)).toEqual([0, 1, 2, 3, 4].map(uuid));
        expect(JSON.parse(events.rows[2]!.payload)).toEqual({ i: 2 });
        const links = await admin.query<{ event_seq: string; resource_id: string; role: string }>(
          `SELECT event_seq, resource_id, role FROM "${schema}".event_links ORDER BY event_seq, role, resource_id`,
        );
        expect(links.rows).toHaveLength(10);
        expect(links.rows.slice(0, 2).map((r) => [Number(r.event_seq), r.resource_id, r.role])).toEqual([
          [Number(events.rows[0]!.seq), 'dataset.0', ''],
          [Number(events.rows[0]!.seq), 'flowtrail.tag.t0', 'tag'],
        ]);
        // A failing batch takes its events with it.
        await expect(
          store.write([
            { op: 'events.append', events: [ev(5)] },
            { op: 'task.create', task: null as never },
          ]),
        ).rejects.toThrow();
        const after = await admin.query(`SELECT id FROM "${schema}".events`);
        expect(after.rows).toHaveLength(5);
      } finally {
        await store.close();
        await dropSchema(schema);
      }
    });

    it('refuses a schema name that is not a plain identifier', async () => {
      await expect(openPostgresMetadataStore(URL, { schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(
        StoreError,
      );
    });

    it('reports an unreachable server as a StoreError', async () => {
      await expect(openPostgresMetadataStore('postgres://postgres@127.0.0.1:1/none')).rejects.toThrow(
        StoreError,
      );
    });
  });
});
