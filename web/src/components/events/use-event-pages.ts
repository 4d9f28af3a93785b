/**
 * The feed's stored events: keyset pages of the filter, newest first (`POST /events/filter`,
 * following `nextCursor`), read as the list scrolls down. Every page is one index walk in the
 * store, however deep, so page 100 costs what page 1 does.
 */
import { type InfiniteData, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { unwrap } from '../../api/api-error.ts';
import { api, type FlowtrailEventRecord } from '../../api/client.ts';
import type { EventFilterInput } from '../../live/event-stream.ts';

export const EVENTS_PER_PAGE = 100;

type Page = { events: FlowtrailEventRecord[]; nextCursor: string | null };

export type EventPages = ReturnType<typeof useEventPages>;

export function useEventPages(filter: EventFilterInput) {
  const key = useMemo(() => ['events', 'feed', JSON.stringify(filter)] as const, [filter]);
  const pages = useInfiniteQuery<Page, Error, InfiniteData<Page>, typeof key, string | undefined>({
    queryKey: key,
    initialPageParam: undefined,
    queryFn: async ({ pageParam, signal }) =>
      unwrap(
        await api.POST('/api/v1/events/filter', {
          body: { filter, limit: EVENTS_PER_PAGE, ...(pageParam ? { cursor: pageParam } : {}) },
          signal,
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Live events join through the tail; a refetch would reload every page read so far.
    staleTime: Number.POSITIVE_INFINITY,
  });
  const client = useQueryClient();
  /** Back to the first page, read again (after a stream drop, or too many arrivals to merge). */
  const reload = useCallback(() => void client.resetQueries({ queryKey: key, exact: true }), [client, key]);
  const events = useMemo(() => pages.data?.pages.flatMap((p) => p.events) ?? [], [pages.data]);
  return { pages, events, reload };
}
