/**
 * Runs SQLite's migration history (`sqlite-migrations.ts`) on a connection.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { StoreError } from '../../../core/errors.ts';
import type { SqlMigration } from '../sql-migration.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';

/**
 * Applies pending migrations under an immediate write lock, so concurrent processes migrate once.
 * Returns how many migrations were applied.
 */
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
