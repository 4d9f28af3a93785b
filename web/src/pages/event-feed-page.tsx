/**
 * The event feed (`/events`): every stored event, newest first, narrowed by the filters in the URL
 * (all run in the store), a histogram of the range (drag to narrow it), and a live tail of new
 * matching events.
 */
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { EventHistogram } from '../components/events/event-histogram.tsx';
import { EventList } from '../components/events/event-list.tsx';
import type { AddFilter } from '../components/events/event-row.tsx';
import { FeedFilters } from '../components/events/feed-filters.tsx';
import { useEventPages } from '../components/events/use-event-pages.ts';
import {
  type EventFeedSearch,
  filterOf,
  isFiltered,
  liveFilterOf,
  rangeOf,
  withRange,
} from '../routes/event-feed-search.ts';
import '../components/events/events.css';

const route = getRouteApi('/events');
/** The histogram follows arrivals at most this often. */
const HISTOGRAM_REFRESH_MS = 1_000;
const MINUTE = 60_000;

/** Refreshes the histogram after arrivals, at most once per HISTOGRAM_REFRESH_MS. */
function useHistogramRefresh(): () => void {
  const client = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    timer.current ??= setTimeout(() => {
      timer.current = undefined;
      void client.invalidateQueries({ queryKey: ['events', 'histogram'] });
    }, HISTOGRAM_REFRESH_MS);
  }, [client]);
}

export function EventFeedPage() {
  const search: EventFeedSearch = route.useSearch();
  const navigate = route.useNavigate();
  const onChange = useCallback((next: EventFeedSearch) => void navigate({ search: next }), [navigate]);
  const searchKey = JSON.stringify(search);
  // A relative span is resolved once per search, to the minute, so the queries' keys hold still.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new search is a new "now"
  const now = useMemo(() => Math.floor(Date.now() / MINUTE) * MINUTE, [searchKey]);
  const range = useMemo(() => rangeOf(search, now), [search, now]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `searchKey` is the search's value
  const filter = useMemo(() => filterOf(search), [searchKey]);
  const listFilter = useMemo(() => withRange(filter, range), [filter, range]);
  const liveFilter = useMemo(() => liveFilterOf(filter, range, Date.now()), [filter, range]);
  const feed = useEventPages(listFilter);
  const refreshHistogram = useHistogramRefresh();
  const addFilter: AddFilter = (kind, value) => {
    const before = search[kind] ?? [];
    if (!before.includes(value)) onChange({ ...search, [kind]: [...before, value] });
  };
  const filtered = isFiltered(search);
  return (
    <section className="event-feed">
      <h1>Events</h1>
      <FeedFilters key={search.q ?? ''} search={search} range={range} onChange={onChange} />
      <EventHistogram
        filter={filter}
        range={range}
        enabled={feed.pages.isFetched}
        onSelect={(since, until) => {
          const { span: _span, ...rest } = search;
          onChange({ ...rest, since: new Date(since).toISOString(), until: new Date(until).toISOString() });
        }}
      />
      <EventList
        feed={feed}
        liveFilter={liveFilter}
        onFilter={addFilter}
        onArrivals={refreshHistogram}
        empty={
          filtered ? (
            <>
              No event matches these filters.{' '}
              <button type="button" onClick={() => onChange({})}>
                Clear filters
              </button>
            </>
          ) : (
            <>
              No events are stored yet. Runs emit them as they go, or emit one:{' '}
              <code>npx flowtrail events emit dataset.refreshed --resource-id dataset.sales</code>
            </>
          )
        }
      />
    </section>
  );
}
