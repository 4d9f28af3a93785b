/**
 * Runs PostgreSQL's migration history (`postgres-migrations.ts`) on a connection.
 */
import type pg from 'pg';
import { StoreError } from '../../../core/errors.ts';
import type { SqlMigration } from '../sql-migration.ts';
import { postgresMigrations } from './postgres-migrations.ts';

/**
 * Applies pending migrations on `client` in one transaction under a transaction-scoped advisory
 * lock (per schema), so concurrent processes migrate once: the others wait, then find nothing to
 * do. Creates `schema` first when given (the connection's search_path must name it). Returns how
 * many migrations were applied.
 */
export async function migratePostgres(
  client: pg.ClientBase,
  options: { schema?: string; migrations?: readonly SqlMigration[] } = {},
): Promise<number> {
  const migrations = options.migrations ?? postgresMigrations;
  let applied = 0;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `flowtrail.migrate:${options.schema ?? ''}`,
    ]);
    if (options.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS flowtrail_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const { rows } = await client.query<{ id: number }>(
      'SELECT COALESCE(MAX(id), 0)::integer AS id FROM flowtrail_migrations',
    );
    const done = rows[0]?.id ?? 0;
    for (const m of migrations) {
      if (m.id <= done) continue;
      for (const statement of m.statements) await client.query(statement);
      await client.query('INSERT INTO flowtrail_migrations (id, name, applied_at) VALUES ($1, $2, $3)', [
        m.id,
        m.name,
        Date.now(),
      ]);
      applied++;
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw new StoreError(`Migrating the PostgreSQL store failed: ${(e as Error).message}`, e);
  }
  return applied;
}
