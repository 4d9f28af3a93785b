/**
 * Event ids. New ids are UUIDv7 (RFC 9562) from the `uuid` package: 48 bits of Unix milliseconds,
 * then a counter seeded at random each millisecond, then random bits, so the ids one process makes
 * are strictly increasing and sort by creation time. A given id is checked here by hand, because
 * the rule is ours: any UUID is accepted (an importer may keep its own ids, of any version),
 * stored lower-cased.
 */
import { v7 } from 'uuid';
import { ValidationError } from '../core/errors.ts';
import { describeValue } from './describe-value.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A new UUIDv7, strictly greater than the previous one made by this process.
 *
 * @example
 * newEventId(); // '0190a6f2-3c4d-7a1b-8e2f-0123456789ab'
 */
export function newEventId(): string {
  return v7();
}

/**
 * A given event id (or `follows`) checked as a UUID and lower-cased.
 *
 * @throws ValidationError naming `field` for anything else.
 *
 * @example
 * checkEventId('0190A6F2-3C4D-7A1B-8E2F-0123456789AB', 'id', "The event 'id'"); // lower-cased
 */
export function checkEventId(value: unknown, field: string, what: string): string {
  if (typeof value !== 'string' || !UUID.test(value))
    throw new ValidationError(
      field,
      `${what} must be a UUID such as '0190a6f2-3c4d-7a1b-8e2f-0123456789ab', got ${describeValue(value)}. Omit it to get a new one.`,
    );
  return value.toLowerCase();
}
