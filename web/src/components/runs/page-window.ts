/**
 * Keyset pages of a flow's runs. A page asks the store for one run more than it shows: the extra
 * one tells whether there is a further page in the direction of travel, without a count query.
 */
import type { RunListSearch } from '../../routes/run-list-search.ts';

export const RUNS_PER_PAGE = 50;

export interface PageWindow<T> {
  rows: T[];
  /** Newer runs exist (a previous page). */
  hasNewer: boolean;
  /** Older runs exist (a next page). */
  hasOlder: boolean;
}

/** Rows as fetched with `limit + 1` for `search`'s cursor, newest first, cut to one page. */
export function pageWindow<T>(
  fetched: readonly T[],
  search: RunListSearch,
  limit = RUNS_PER_PAGE,
): PageWindow<T> {
  const more = fetched.length > limit;
  if (search.after !== undefined)
    // Read upwards from the cursor: the extra run is the newest one, beyond the page.
    return { rows: more ? fetched.slice(1) : [...fetched], hasNewer: more, hasOlder: true };
  return { rows: fetched.slice(0, limit), hasNewer: search.before !== undefined, hasOlder: more };
}
