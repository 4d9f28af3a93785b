import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { StoreError } from '../../core/errors.ts';
import { type SqlMigration, sqliteMigrations } from './migrations/sqlite.ts';
import type { Database } from './schema.ts';
import { QueryCounter, SqlMetadataStore } from './sql-metadata-store.ts';

/** Applies pending migrations under an immediate write lock, so concurrent processes migrate once. */
export function migrateSqlite(
  db: BetterSqlite3.Database,
  migrations: readonly SqlMigration[] = sqliteMigrations,
): number {
  db.exec(
    'CREATE TABLE IF NOT EXISTS flowtrail_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const latest = migrations[migrations.length - 1]?.id ?? 0;
  const current = () =>
    (db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM flowtrail_migrations').get() as { id: number }).id;
  if (current() >= latest) return 0;
  let applied = 0;
  db.exec('BEGIN IMMEDIATE');
  try {
    const done = current();
    for (const m of migrations) {
      if (m.id <= done) continue;
      for (const sql of m.statements) db.exec(sql);
      db.prepare('INSERT INTO flowtrail_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(
        m.id,
        m.name,
        Date.now(),
      );
      applied++;
    }
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw new StoreError(`Migrating the SQLite store failed: ${(e as Error).message}`, e);
  }
  return applied;
}

/**
 * Opens (creating and migrating if needed) the embedded SQLite metadata store. WAL mode lets a
 * run, the server and a notebook use one file at once.
 *
 * @example
 * const store = openSqliteMetadataStore('.flowtrail/flowtrail.db');
 */
export function openSqliteMetadataStore(file: string): SqlMetadataStore {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let sqlite: BetterSqlite3.Database | undefined;
  try {
    sqlite = new BetterSqlite3(file);
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    migrateSqlite(sqlite);
  } catch (e) {
    sqlite?.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError(`Cannot open the SQLite store at ${file}: ${(e as Error).message}`, e);
  }
  const queries = new QueryCounter();
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), log: queries.log });
  return new SqlMetadataStore(db, `sqlite:${file}`, undefined, queries);
}
