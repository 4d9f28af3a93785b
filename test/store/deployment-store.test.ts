/** The DeploymentStore conformance suite on SQLite and on PostgreSQL. */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openPostgresStores } from '../../src/store/sql/postgres/postgres-stores.ts';
import { openSqliteStores } from '../../src/store/sql/sqlite/sqlite-stores.ts';
import { runDeploymentStoreSuite } from '../conformance/deployment-store.ts';
import { postgresTests } from './postgres-test-db.ts';

runDeploymentStoreSuite('sqlite', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-deployments-'));
  const stores = openSqliteStores(path.join(dir, 'flowtrail.db'));
  return {
    store: stores.deployments,
    cleanup: async () => {
      await stores.metadata.close();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
});

postgresTests('PostgreSQL deployment store', (db) => {
  runDeploymentStoreSuite('postgres', async () => {
    const schema = db.freshSchema();
    const stores = await openPostgresStores(db.url, { schema });
    return {
      store: stores.deployments,
      cleanup: async () => {
        await stores.close();
        await db.dropSchema(schema);
      },
    };
  });
});
