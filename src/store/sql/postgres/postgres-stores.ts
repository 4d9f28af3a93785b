/**
 * Opens the PostgreSQL stores: a connection pool (BIGINT read as numbers, optional schema, no JIT),
 * migrations, and the shared stores over one Kysely instance in `postgresDialect`.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { StoreError } from '../../../core/errors.ts';
import type { AppendWatch } from '../../append-watch.ts';
import { QueryCounter } from '../query-counter.ts';
import type { Database } from '../schema.ts';
import { SqlApiKeyStore } from '../sql-api-key-store.ts';
import { SqlAutomationStore } from '../sql-automation-store.ts';
import { SqlDeploymentStore } from '../sql-deployment-store.ts';
import { SqlEventStore } from '../sql-event-store.ts';
import { SqlMetadataStore } from '../sql-metadata-store.ts';
import { SqlSecretStore } from '../sql-secret-store.ts';
import { postgresAppendWatch } from './postgres-append-watch.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { migratePostgres } from './postgres-migrate.ts';

const INT8_OID = 20;

/**
 * BIGINT (int8) values come back as numbers, as SQLite's integers do, so records read from either
 * store are equal. A value beyond 2^53 cannot be a number without losing digits: it is an error.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID && format !== 'binary')
      return (text: string) => {
        const n = Number(text);
        if (!Number.isSafeInteger(n))
          throw new StoreError(`PostgreSQL returned ${text}, beyond the integers a number holds exactly.`);
        return n;
      };
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** `postgres://user@host:port/db`, without the password. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'postgres:(unparsable url)';
  }
}

/**
 * Opens (migrating if needed) the PostgreSQL metadata store at `url`, on a pool of its own (closed
 * by `close()`). See {@link openPostgresStores} for the options.
 *
 * @example
 * const store = await openPostgresMetadataStore('postgres://flowtrail@db:5432/flowtrail');
 */
export async function openPostgresMetadataStore(
  url: string,
  options: { schema?: string } = {},
): Promise<SqlMetadataStore> {
  return (await openPostgresStores(url, options)).metadata;
}

/**
 * Opens (migrating if needed) the metadata, event and API-key stores of a PostgreSQL database over
 * one connection pool, so the metadata store writes lifecycle events in the same transaction as the
 * state they report. With `schema`, every table lives in that schema (created if missing, and set
 * as the connections' search_path): several stores can share one database. The pool belongs to
 * the metadata store: `metadata.close()` (or `close()`) ends it, once; `events.close()` leaves it
 * open.
 *
 * @example
 * const { metadata, events, close } = await openPostgresStores('postgres://flowtrail@db:5432/flowtrail');
 * const page = await events.query({ event: { prefix: ['flowtrail.run.'] } });
 * await close();
 */
export async function openPostgresStores(
  url: string,
  options: { schema?: string } = {},
): Promise<{
  metadata: SqlMetadataStore;
  events: SqlEventStore;
  apiKeys: SqlApiKeyStore;
  deployments: SqlDeploymentStore;
  appends: AppendWatch;
  automations: SqlAutomationStore;
  secrets: SqlSecretStore;
  close: () => Promise<void>;
}> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema))
    throw new StoreError(
      `The PostgreSQL schema name '${schema}' is not a lower-case identifier (letters, digits, underscores).`,
    );
  const pool = new pg.Pool({
    connectionString: url,
    types,
    // No JIT: the store's statements are short, and compiling one (when the planner's cost estimate
    // crosses jit_above_cost, e.g. a count over a million events) costs more than it saves.
    options: `${schema === undefined ? '' : `-c search_path=${schema} `}-c jit=off`,
  });
  // A connection that dies (database restart, network cut) must not crash the process. Idle ones
  // report to the pool; one checked out between two queries reports to its client, which would
  // otherwise throw an uncaught 'error'. The query that needs it fails (→ 503, retried) and the pool
  // discards the broken client on release.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, schema === undefined ? {} : { schema });
    } finally {
      client.release();
    }
  } catch (e) {
    await pool.end().catch(() => {});
    if (e instanceof StoreError) throw e;
    throw new StoreError(
      `Cannot open the PostgreSQL store at ${describeUrl(url)}: ${(e as Error).message}`,
      e,
    );
  }
  const queries = new QueryCounter();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: queries.log });
  const location = `${describeUrl(url)}${schema === undefined ? '' : `#${schema}`}`;
  // Kysely ends the pool only if it ever used it: end it here otherwise, and never twice.
  let ended: Promise<void> | undefined;
  const endPool = (): Promise<void> => {
    ended ??= pool.ending ? Promise.resolve() : pool.end();
    return ended;
  };
  const metadata = new SqlMetadataStore(db, postgresDialect, location, endPool, queries);
  const events = new SqlEventStore(db, postgresDialect, location, queries);
  return {
    metadata,
    events,
    apiKeys: new SqlApiKeyStore(db),
    deployments: new SqlDeploymentStore(db, location),
    appends: postgresAppendWatch(url, schema),
    automations: new SqlAutomationStore(db, postgresDialect, location),
    secrets: new SqlSecretStore(db),
    close: () => metadata.close(),
  };
}
