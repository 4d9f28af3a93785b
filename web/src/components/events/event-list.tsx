/**
 * The feed's list: stored pages (newest first) with the live tail's arrivals above them, in a
 * virtualized scroller — only the rows in view exist in the DOM, and the next page is read when
 * the last loaded row comes near. Live: a pause button, and an "N new" marker while the reader is
 * paused or scrolled away from the top (clicking it goes back to the top, where they join).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import type { FlowtrailEventRecord } from '../../api/client.ts';
import type { EventFilterInput, StreamState } from '../../live/event-stream.ts';
import { QueryState } from '../query-state.tsx';
import { type AddFilter, EventRow } from './event-row.tsx';
import type { EventPages } from './use-event-pages.ts';
import { useLiveTail } from './use-live-tail.ts';

const ROW = 58;
/** Read the next page when the last loaded row is this close to the view. */
const PREFETCH_ROWS = 30;

const LIVE_TEXT: Record<StreamState | 'off', string> = {
  live: 'live',
  connecting: 'connecting…',
  down: 'reconnecting…',
  off: 'not live: the range has ended',
};

/** Arrivals (newest first) over the stored rows, each event once. */
function mergeNewest(arrived: readonly FlowtrailEventRecord[], stored: readonly FlowtrailEventRecord[]) {
  if (arrived.length === 0) return stored;
  const seen = new Set(arrived.map((e) => e.id));
  return [...arrived, ...stored.filter((e) => !seen.has(e.id))];
}

export function EventList({
  feed,
  liveFilter,
  onFilter,
  onArrivals,
  empty,
}: {
  /** The stored events' pages (the page reads them: the histogram waits for the first). */
  feed: EventPages;
  /** What the live tail follows; null when the range has ended. */
  liveFilter: EventFilterInput | null;
  onFilter: AddFilter;
  onArrivals: () => void;
  /** What to say when nothing matches. */
  empty: ReactNode;
}) {
  const { pages, events, reload } = feed;
  const scroller = useRef<HTMLDivElement>(null);
  const [paused, setPaused] = useState(false);
  const [atTop, setAtTop] = useState(true);
  const tail = useLiveTail({ filter: liveFilter, hold: paused || !atTop, onArrivals, onReload: reload });
  const rows = useMemo(() => mergeNewest(tail.arrived, events), [tail.arrived, events]);
  const more = pages.hasNextPage;

  const virtual = useVirtualizer({
    count: rows.length + (more ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 10,
    getItemKey: (i) => rows[i]?.id ?? 'more',
  });
  const items = virtual.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? 0;
  useEffect(() => {
    const failed = pages.isFetchNextPageError;
    if (more && !failed && !pages.isFetchingNextPage && lastShown >= rows.length - PREFETCH_ROWS)
      void pages.fetchNextPage();
  }, [
    more,
    pages.isFetchNextPageError,
    pages.isFetchingNextPage,
    pages.fetchNextPage,
    lastShown,
    rows.length,
  ]);

  const toTop = () => {
    scroller.current?.scrollTo({ top: 0 });
    setAtTop(true);
  };

  return (
    <div className="event-list">
      <div className="event-list-bar">
        <span className={`live live-${paused && tail.state === 'live' ? 'paused' : tail.state}`}>
          {paused && tail.state === 'live' ? 'paused' : LIVE_TEXT[tail.state]}
        </span>
        {liveFilter && (
          <button type="button" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
            {paused ? 'Resume' : 'Pause'}
          </button>
        )}
        {tail.pending > 0 && (
          <button
            type="button"
            className="primary event-list-new"
            onClick={() => {
              setPaused(false);
              toTop();
            }}
          >
            ↑ {tail.pending.toLocaleString()} new
          </button>
        )}
      </div>
      {/* A page after the first that failed is said in its row, with the rows read so far kept. */}
      <QueryState isPending={pages.isPending} error={pages.data ? null : pages.error}>
        {() =>
          rows.length === 0 ? (
            <div className="empty">{empty}</div>
          ) : (
            <div
              ref={scroller}
              className="event-list-scroll"
              data-testid="event-scroll"
              onScroll={(e) => setAtTop(e.currentTarget.scrollTop < ROW / 2)}
            >
              <ul
                className="event-list-rows"
                aria-label="Events"
                data-count={rows.length}
                style={{ height: virtual.getTotalSize() }}
              >
                {items.map((item) => {
                  const event = rows[item.index];
                  return (
                    <li
                      key={item.key}
                      className="event-list-item"
                      style={{ transform: `translateY(${item.start}px)`, height: ROW }}
                    >
                      {event ? (
                        <EventRow event={event} onFilter={onFilter} />
                      ) : pages.isFetchNextPageError ? (
                        <div className="event-row event-row-loading" role="alert">
                          Could not read older events: {pages.error?.message}{' '}
                          <button type="button" onClick={() => void pages.fetchNextPage()}>
                            Retry
                          </button>
                        </div>
                      ) : (
                        <div className="event-row event-row-loading">Loading older events…</div>
                      )}
                    </li>
                  );
                })}
              </ul>
            </div>
          )
        }
      </QueryState>
    </div>
  );
}
