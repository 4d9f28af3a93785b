/**
 * Counts the statements Kysely sends, for every dialect: tests and benchmarks read a store's
 * `queryCount` to see how many round trips an operation costs.
 */
import type { LogEvent } from 'kysely';

/**
 * Pass `counter.log` as Kysely's `log` option. Every statement is counted once, whether it
 * succeeded or failed, including `begin` and `commit`.
 */
export class QueryCounter {
  count = 0;
  readonly log = (_event: LogEvent): void => {
    this.count++;
  };
}
