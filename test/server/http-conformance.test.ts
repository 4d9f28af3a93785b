/**
 * The port conformance suites through the HTTP adapters, against a real server on SQLite and on
 * PostgreSQL, and the artifact suite through a server whose artifacts are in S3 (s3rver).
 */
import { runArtifactStoreSuite } from '../conformance/artifact-store.ts';
import { runEventStoreSuite } from '../conformance/event-store.ts';
import { runMetadataStoreSuite } from '../conformance/metadata-store.ts';
import { withEnv } from '../helpers.ts';
import { postgresTests } from '../store/postgres-test-db.ts';
import { s3Tests } from '../support/s3-tests.ts';
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

// A server reading and writing artifacts in S3 (its S3 settings from its environment).
s3Tests('HTTP artifact conformance on S3', (s3) => {
  runArtifactStoreSuite('http → s3', async () => {
    const t = await withEnv(s3.s3.env, () => startTestServer({ artifacts: s3.freshUrl() }));
    return { store: t.client().artifacts, cleanup: t.stop };
  });
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
