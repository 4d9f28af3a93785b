/**
 * The filters and cursor of a flow's runs list, as URL search params (`?status=failed&tag=a&tag=b`),
 * shared by the Runs and History tabs so switching tabs keeps the filters. Bad values are dropped,
 * not errors: a hand-edited URL still opens the page.
 */

import { searchInstant, searchList, searchText } from './search-values.ts';

export const RUN_STATUSES = ['running', 'completed', 'failed', 'crashed', 'cancelled'] as const;
export type RunStatusFilter = (typeof RUN_STATUSES)[number];

export interface RunListSearch {
  status?: RunStatusFilter;
  /** Every one of these tags (user or system) must be on the run. */
  tag?: string[];
  user?: string;
  /** ISO 8601 date-times (UTC), creation time inclusive. */
  since?: string;
  until?: string;
  /** Keyset cursors: runs numbered below `before` (next page) or above `after` (previous page). */
  before?: number;
  after?: number;
}

const cursor = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

export function validateRunListSearch(search: Record<string, unknown>): RunListSearch {
  const status = RUN_STATUSES.find((s) => s === search.status);
  const tag = searchList(search.tag);
  const out: RunListSearch = {};
  if (status) out.status = status;
  if (tag.length > 0) out.tag = tag;
  const user = searchText(search.user);
  if (user !== undefined) out.user = user;
  const since = searchInstant(search.since);
  if (since !== undefined) out.since = since;
  const until = searchInstant(search.until);
  if (until !== undefined) out.until = until;
  const before = cursor(search.before);
  const after = cursor(search.after);
  if (before !== undefined) out.before = before;
  else if (after !== undefined) out.after = after;
  return out;
}

/** The search without its cursor: what a filter change starts from (page one). */
export function filtersOf(search: RunListSearch): RunListSearch {
  const { before: _before, after: _after, ...filters } = search;
  return filters;
}

/** The API query of these filters and cursor, asking for `limit` runs. */
export function runListQuery(search: RunListSearch, limit: number) {
  return {
    limit,
    ...(search.status ? { status: search.status } : {}),
    ...(search.tag ? { tag: search.tag } : {}),
    ...(search.user ? { user: search.user } : {}),
    ...(search.since ? { since: search.since } : {}),
    ...(search.until ? { until: search.until } : {}),
    ...(search.before !== undefined ? { before: search.before } : {}),
    ...(search.after !== undefined ? { after: search.after } : {}),
  };
}
