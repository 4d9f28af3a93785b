/**
 * The PostgreSQL server the PostgreSQL adapter tests use: `FLOWTRAIL_TEST_POSTGRES_URL`, else the
 * local one. Each test works in a schema of its own (`freshSchema`, dropped after). When the server
 * does not answer, `postgresTests` makes the file fail under `CI=true` (CI must provide it) and
 * skip loudly otherwise.
 */
import pg from 'pg';
import { afterAll } from 'vitest';
import { declareMissingService } from '../support/missing-service.ts';

export const POSTGRES_URL =
  process.env.FLOWTRAIL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL cannot be used, or undefined when it answers. */
async function unreachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

const problem = await unreachable();

let schemas = 0;

/** What a PostgreSQL test file gets: the server's URL, an admin pool, and per-test schemas. */
export interface TestPostgres {
  url: string;
  /** A pool on the database (default search_path), ended after the file's tests. */
  admin: pg.Pool;
  /** A schema name no other test (or concurrent test process) uses. */
  freshSchema(): string;
  dropSchema(schema: string): Promise<void>;
}

/**
 * Declares a file's PostgreSQL tests: calls `body` (which declares them) when the server answers.
 *
 * @example
 * postgresTests('PostgreSQL event store', (db) => {
 *   runEventStoreSuite('postgres', async () => { const schema = db.freshSchema(); … });
 * });
 */
export function postgresTests(what: string, body: (db: TestPostgres) => void): void {
  if (problem !== undefined) {
    declareMissingService(what, {
      service: 'PostgreSQL',
      message: `PostgreSQL at ${POSTGRES_URL} is unreachable (${problem}).`,
      hint: 'start PostgreSQL or set FLOWTRAIL_TEST_POSTGRES_URL',
    });
    return;
  }
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  afterAll(async () => {
    await admin.end();
  });
  body({
    url: POSTGRES_URL,
    admin,
    freshSchema: () => `ft_test_${process.pid}_${Date.now().toString(36)}_${(schemas++).toString(36)}`,
    dropSchema: async (schema) => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  });
}
