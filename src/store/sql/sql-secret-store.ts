import type { Kysely } from 'kysely';
import type { SecretStore } from '../automation-store.ts';
import type { Database } from './schema.ts';

/**
 * Named secrets in the `secrets` table (every SQL dialect), as JSON objects of strings. Stored as
 * given: whoever can read the database can read them, as with its other contents.
 */
export class SqlSecretStore implements SecretStore {
  constructor(private readonly db: Kysely<Database>) {}

  async set(name: string, value: Record<string, string>, now: number): Promise<void> {
    const row = { name, value: JSON.stringify(value), updated_at: now };
    await this.db
      .insertInto('secrets')
      .values(row)
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: row.value, updated_at: now }))
      .execute();
  }

  async get(name: string): Promise<Record<string, string> | undefined> {
    const row = await this.db
      .selectFrom('secrets')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? (JSON.parse(row.value) as Record<string, string>) : undefined;
  }

  async list(): Promise<{ name: string; updatedAt: number }[]> {
    const rows = await this.db.selectFrom('secrets').select(['name', 'updated_at']).orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, updatedAt: Number(r.updated_at) }));
  }

  async delete(name: string): Promise<boolean> {
    const r = await this.db.deleteFrom('secrets').where('name', '=', name).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
