/** The AutomationStore conformance suite on SQLite and on PostgreSQL. */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStores } from '../../src/store/sql/postgres/postgres-stores.ts';
import { openSqliteStores } from '../../src/store/sql/sqlite/sqlite-stores.ts';
import { runAutomationStoreSuite } from '../conformance/automation-store.ts';
import { postgresTests } from './postgres-test-db.ts';

runAutomationStoreSuite('sqlite', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-automations-'));
  const file = path.join(dir, 'flowtrail.db');
  const stores = openSqliteStores(file);
  return {
    ...stores,
    exec: async (statement) => {
      const raw = new BetterSqlite3(file);
      try {
        raw.exec(statement);
      } finally {
        raw.close();
      }
    },
    cleanup: async () => {
      await stores.metadata.close();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
});

postgresTests('PostgreSQL automation store', (db) => {
  runAutomationStoreSuite('postgres', async () => {
    const schema = db.freshSchema();
    const stores = await openPostgresStores(db.url, { schema });
    return {
      ...stores,
      exec: async (statement) => {
        const client = new pg.Client({ connectionString: db.url, options: `-c search_path=${schema}` });
        await client.connect();
        try {
          await client.query(statement);
        } finally {
          await client.end();
        }
      },
      cleanup: async () => {
        await stores.close();
        await db.dropSchema(schema);
      },
    };
  });
});
