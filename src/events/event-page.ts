/**
 * How many events one page of a query holds (`listEvents`, `EventStore.query`, `GET /events`):
 * 50 unless `limit` says otherwise, at most 500. Follow `nextCursor` (or use `allEvents`) for
 * more; the cap keeps one answer small enough to hold in memory and send in one response.
 */
import { ValidationError } from '../core/errors.ts';

export const EVENT_PAGE_LIMIT = { default: 50, max: 500 } as const;

/**
 * The page size a query asked for (`undefined` → the default).
 *
 * @throws ValidationError on field `limit` for anything but a whole number from 1 to 500.
 *
 * @example
 * checkPageLimit(undefined); // 50
 * checkPageLimit(0);         // throws: `limit` must be a whole number from 1 to 500, got 0. …
 */
export function checkPageLimit(limit: unknown): number {
  if (limit === undefined) return EVENT_PAGE_LIMIT.default;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > EVENT_PAGE_LIMIT.max)
    throw new ValidationError(
      'limit',
      `\`limit\` (events per page) must be a whole number from 1 to ${EVENT_PAGE_LIMIT.max}, got ${String(limit)}. Follow \`nextCursor\` for more, or read every page with allEvents().`,
      { limit: EVENT_PAGE_LIMIT.max },
    );
  return limit;
}
