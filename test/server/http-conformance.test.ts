/** The port conformance suites through the HTTP adapters, against a real server on SQLite and on PostgreSQL. */
import { runArtifactStoreSuite } from '../conformance/artifact-store.ts';
import { runEventStoreSuite } from '../conformance/event-store.ts';
import { runMetadataStoreSuite } from '../conformance/metadata-store.ts';
import { postgresTests } from '../store/postgres-test-db.ts';
import { postgresDatabases, startTestServer } from './server-fixture.ts';

runMetadataStoreSuite('http → sqlite', async () => {
  const t = await startTestServer();
  return { store: t.client().metadata, cleanup: t.stop };
});

runEventStoreSuite('http → sqlite', async () => {
  const t = await startTestServer();
  return { store: t.client().events, cleanup: t.stop };
});

runArtifactStoreSuite('http → sqlite', async () => {
  const t = await startTestServer();
  return { store: t.client().artifacts, cleanup: t.stop };
});

// The same suites through a server on PostgreSQL.
postgresTests('HTTP conformance on PostgreSQL', (db) => {
  const freshDatabase = postgresDatabases(db);
  const onPostgres = () => startTestServer({ database: freshDatabase() });
  runMetadataStoreSuite('http → postgres', async () => {
    const t = await onPostgres();
    return { store: t.client().metadata, cleanup: t.stop };
  });
  runEventStoreSuite('http → postgres', async () => {
    const t = await onPostgres();
    return { store: t.client().events, cleanup: t.stop };
  });
});
