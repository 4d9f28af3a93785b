/**
 * Opens the embedded SQLite stores: the file (WAL, pragmas, migrations), one Kysely connection with
 * a prepared-statement cache, and the shared stores over it in `sqliteDialect`.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, type SqliteDatabase, SqliteDialect } from 'kysely';
import { StoreError } from '../../../core/errors.ts';
import type { AppendWatch } from '../../append-watch.ts';
import { QueryCounter } from '../query-counter.ts';
import type { Database } from '../schema.ts';
import { SqlApiKeyStore } from '../sql-api-key-store.ts';
import { SqlAutomationStore } from '../sql-automation-store.ts';
import { SqlDeploymentStore } from '../sql-deployment-store.ts';
import type { SqlDialect } from '../sql-dialect.ts';
import { SqlEventStore } from '../sql-event-store.ts';
import { SqlMetadataStore } from '../sql-metadata-store.ts';
import { SqlSecretStore } from '../sql-secret-store.ts';
import { sqliteAppendWatch } from './sqlite-append-watch.ts';
import { sqliteDialect } from './sqlite-dialect.ts';
import { migrateSqlite } from './sqlite-migrate.ts';

const STATEMENT_CACHE_SIZE = 512;

/**
 * Kysely prepares every query anew; with better-sqlite3 a prepared statement can be reused, and
 * re-preparing dominated the orchestrator's write path. Kysely runs one query at a time on its
 * single connection, so sharing a statement between calls is safe.
 */
function withStatementCache(db: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => db.close(),
    prepare: (sqlText: string) => {
      let stmt = cache.get(sqlText);
      if (!stmt) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        stmt = db.prepare(sqlText);
        cache.set(sqlText, stmt);
      }
      return stmt as unknown as ReturnType<SqliteDatabase['prepare']>;
    },
  };
}

/** How a connection is opened. */
export interface SqliteOpenOptions {
  /**
   * The connection's page cache in MiB (default 16, allocated only as used). A run's orchestrator
   * takes less: in a 10,000-task run the default fills and is a tenth of its memory.
   */
  pageCacheMiB?: number;
}

/** Opens the SQLite file (creating and migrating it if needed) with the store's pragmas. */
function openSqliteFile(file: string, options: SqliteOpenOptions): BetterSqlite3.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let sqlite: BetterSqlite3.Database | undefined;
  try {
    sqlite = new BetterSqlite3(file);
    sqlite.pragma('busy_timeout = 10000');
    // Before the switch to WAL: a new file then goes to WAL without the fsyncs of a full sync.
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    // Event ingest rewrites the same index pages batch after batch: checkpointing every 160 MB of
    // WAL (40,000 pages) instead of 4 MB writes each of them back far less often (+25% events/s
    // at 40 MB, a few % more at 160 MB; see docs/BENCHMARKS.md), and a 16 MiB page cache
    // (allocated only as used) keeps hot index pages without bloating every process (64 MiB
    // pushed the orchestrator of a 10,000-task run past its 200 MB budget).
    sqlite.pragma('wal_autocheckpoint = 40000');
    sqlite.pragma(`cache_size = -${Math.round((options.pageCacheMiB ?? 16) * 1024)}`);
    migrateSqlite(sqlite);
  } catch (e) {
    sqlite?.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError(`Cannot open the SQLite store at ${file}: ${(e as Error).message}`, e);
  }
  return sqlite;
}

/**
 * Opens (creating and migrating if needed) the embedded SQLite metadata store. WAL mode lets a
 * run, the server and a notebook use one file at once.
 *
 * @example
 * const store = openSqliteMetadataStore('.flowtrail/flowtrail.db');
 */
export function openSqliteMetadataStore(file: string): SqlMetadataStore {
  return openSqliteStores(file).metadata;
}

/**
 * Opens the metadata and event stores of one SQLite file over a single connection, so the
 * metadata store can write lifecycle events in the same transaction as the state they report.
 * The connection belongs to the metadata store: `metadata.close()` closes it, `events.close()`
 * leaves it open.
 *
 * @example
 * const { metadata, events } = openSqliteStores('.flowtrail/flowtrail.db');
 */
export function openSqliteStores(
  file: string,
  options: SqliteOpenOptions = {},
): {
  metadata: SqlMetadataStore;
  events: SqlEventStore;
  apiKeys: SqlApiKeyStore;
  deployments: SqlDeploymentStore;
  appends: AppendWatch;
  automations: SqlAutomationStore;
  secrets: SqlSecretStore;
} {
  const sqlite = openSqliteFile(file, options);
  const queries = new QueryCounter();
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    log: queries.log,
  });
  const location = `sqlite:${file}`;
  const appends = sqliteAppendWatch(file);
  // Appends through this connection signal at once, without waiting for the WAL watch (which
  // still brings other processes' appends). A reader woken before the commit queues behind it
  // on the one connection, so it never reads too early.
  const dialect: SqlDialect = {
    ...sqliteDialect,
    insertEvents: async (trx, events) => {
      const inserted = await sqliteDialect.insertEvents(trx, events);
      if (inserted > 0) appends.notify();
      return inserted;
    },
  };
  return {
    metadata: new SqlMetadataStore(db, dialect, location, undefined, queries),
    events: new SqlEventStore(db, dialect, location, queries),
    apiKeys: new SqlApiKeyStore(db),
    deployments: new SqlDeploymentStore(db, location),
    appends,
    automations: new SqlAutomationStore(db, dialect, location),
    secrets: new SqlSecretStore(db),
  };
}

/**
 * Opens the event store of a SQLite file on its own connection (closed by `close()`).
 *
 * @example
 * const events = openSqliteEventStore('.flowtrail/flowtrail.db');
 */
export function openSqliteEventStore(file: string): SqlEventStore {
  const sqlite = openSqliteFile(file, {});
  const queries = new QueryCounter();
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    log: queries.log,
  });
  return new SqlEventStore(db, sqliteDialect, `sqlite:${file}`, queries, () => db.destroy());
}
