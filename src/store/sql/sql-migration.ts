/**
 * One step of a dialect's migration history (`sqlite/sqlite-migrations.ts`,
 * `postgres/postgres-migrations.ts`). Histories are append only: a shipped migration never
 * changes; a new one gets the next id of its dialect.
 */
export interface SqlMigration {
  id: number;
  name: string;
  statements: string[];
}
