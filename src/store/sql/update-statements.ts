/**
 * Single-row UPDATEs of the write path (a task's or an attempt's new state), compiled once per
 * shape. Kysely builds and compiles every query anew, which for the thousands of per-task updates
 * of a large fan-out costs about as much as SQLite's own work; an update of a shape already seen
 * reuses that shape's SQL text with its own values. A shape is kept only if its compiled
 * parameters are exactly the given values in order, so a reuse binds what Kysely would have bound.
 */
import { type Compilable, CompiledQuery, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

export class UpdateStatements {
  private readonly texts = new Map<string, string>();

  /**
   * Runs the update `build` makes, whose shape is `shape` (the table and the columns it sets) and
   * whose parameters are `params`: the set values in order, then the key values of its `where`.
   */
  async execute(
    trx: Transaction<Database>,
    shape: string,
    params: readonly unknown[],
    build: () => Compilable,
  ): Promise<void> {
    const text = this.texts.get(shape);
    if (text !== undefined) {
      await trx.executeQuery(CompiledQuery.raw(text, [...params]));
      return;
    }
    const compiled = build().compile();
    const same =
      compiled.parameters.length === params.length &&
      compiled.parameters.every((p, i) => Object.is(p, params[i]));
    if (same) this.texts.set(shape, compiled.sql);
    await trx.executeQuery(compiled);
  }
}
