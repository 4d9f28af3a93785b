/**
 * An event time from outside (`occurred`, `filter.since`, `filter.until`): a Date or an ISO 8601
 * text under the one rule of `core/date-time.ts` (no offset means UTC).
 */
import { parseIsoDateTime } from '../core/date-time.ts';
import { ValidationError } from '../core/errors.ts';
import { describeValue, preview } from './describe-value.ts';

/**
 * A copy of the Date, or the instant the ISO text names.
 *
 * @throws ValidationError naming `field` for an invalid Date, a text that is no ISO date-time, or
 * any other type.
 *
 * @example
 * checkEventTime('2024-05-01T12:00', 'occurred', "'occurred'"); // 2024-05-01T12:00:00.000Z
 */
export function checkEventTime(value: unknown, field: string, what: string): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new ValidationError(
        field,
        `${what} is an invalid Date. Pass a valid Date or an ISO 8601 string.`,
      );
    return new Date(value.getTime());
  }
  if (typeof value === 'string') {
    const instant = parseIsoDateTime(value);
    if (instant) return instant;
    throw new ValidationError(
      field,
      `${what} ${JSON.stringify(preview(value))} is not an ISO 8601 date-time. Use e.g. '2024-05-01T12:00:00Z' (no offset means UTC).`,
    );
  }
  throw new ValidationError(
    field,
    `${what} must be a Date or an ISO 8601 string, got ${describeValue(value)}.`,
  );
}
