/**
 * The state of a runs list (the Runs and History tabs): its URL and its keyset page. A page asks
 * the store for one run more than it shows: the extra one tells whether there is a further page in
 * the direction of travel, without a count query.
 */
import { getRouteApi } from '@tanstack/react-router';
import { useCallback, useEffect } from 'react';
import { filtersOf, type RunListSearch } from '../../routes/run-list-search.ts';

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

/**
 * The page of `fetched` (undefined while loading). Paging up that reaches the newest runs shows
 * the first page as itself: `onChange` replaces the URL with the plain one (a full page, a canonical URL).
 */
export function useRunsPage<T>(
  fetched: readonly T[] | undefined,
  isPlaceholder: boolean,
  search: RunListSearch,
  onChange: (next: RunListSearch, replace: boolean) => void,
): PageWindow<T> | undefined {
  const page = fetched ? pageWindow(fetched, search) : undefined;
  const atTop = search.after !== undefined && page !== undefined && !page.hasNewer && !isPlaceholder;
  useEffect(() => {
    if (atTop) onChange(filtersOf(search), true);
  }, [atTop, onChange, search]);
  return page;
}

/** The flow, its list's search params, and a way to change them, on the Runs or History tab. */
export function useRunListUrl(routeId: '/flows/$flow' | '/flows/$flow/history') {
  const route = getRouteApi(routeId);
  const { flow } = route.useParams();
  const search: RunListSearch = route.useSearch();
  const navigate = route.useNavigate();
  const onChange = useCallback(
    (next: RunListSearch, replace = false) => void navigate({ search: next, replace }),
    [navigate],
  );
  return { flow, search, onChange };
}
