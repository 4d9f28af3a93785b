/**
 * One attempt's stdout and stderr: stream tabs, a virtualized view (only the rows on screen are in
 * the DOM, so 100k lines scroll like 100), follow mode for a live attempt (auto-scroll to the end;
 * scrolling up stops it), server-side search with the matches listed and marked, and the full
 * log as a download streamed by the server. Lines render as text in `pre-wrap` rows.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { unwrap } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import type { LogStreamTab } from '../../routes/task-route.tsx';
import { apiPath, downloadFile } from './download.ts';
import { Highlight } from './highlight.tsx';
import { type LogLineRecord, type LogLines, MAX_LINES_IN_PAGE } from './use-log-lines.ts';

const SEARCH_PAGE = 200;
const LOG_BOX_PX = 460;

export interface LogViewerProps {
  runId: number;
  taskId: number;
  attempt: number;
  logs: LogLines;
  live: boolean;
  stream: LogStreamTab;
  query: string;
  onStream(stream: LogStreamTab): void;
  onQuery(query: string): void;
}

/** Index of the first line with seq ≥ `seq` (lines are in seq order). */
function indexOfSeq(lines: readonly LogLineRecord[], seq: number): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function LogViewer(props: LogViewerProps) {
  const { runId, taskId, attempt, logs, live, stream } = props;
  const shown = useMemo(
    () => (stream === 'all' ? logs.lines : logs.lines.filter((l) => l.stream === stream)),
    [logs.lines, stream],
  );
  const counts = useMemo(() => {
    let stderr = 0;
    for (const l of logs.lines) if (l.stream === 'stderr') stderr++;
    return { all: logs.lines.length, stdout: logs.lines.length - stderr, stderr };
  }, [logs.lines]);

  const scroller = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(live);
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);
  const lastTop = useRef(0);
  useEffect(() => setFollowing(live), [live]);

  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 19,
    overscan: 30,
    getItemKey: (i) => shown[i]!.seq,
  });

  useEffect(() => {
    if (following && shown.length > 0) virtualizer.scrollToIndex(shown.length - 1, { align: 'end' });
  }, [following, shown.length, virtualizer]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    // Only a move up is the user's: following scrolls down.
    if (el.scrollTop < lastTop.current - 4 && following) setFollowing(false);
    lastTop.current = el.scrollTop;
  };

  const [draft, setDraft] = useState(props.query);
  useEffect(() => setDraft(props.query), [props.query]);
  useEffect(() => {
    if (draft === props.query) return;
    const t = setTimeout(() => props.onQuery(draft), 300);
    return () => clearTimeout(t);
  }, [draft, props.query, props.onQuery]);

  const term = props.query;
  const search = useInfiniteQuery({
    queryKey: ['task', runId, taskId, 'log-search', attempt, stream, term],
    enabled: term !== '',
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/api/v1/runs/{runId}/tasks/{taskId}/logs/search', {
          params: {
            path: { runId, taskId },
            query: {
              text: term,
              attempt,
              limit: SEARCH_PAGE,
              ...(stream !== 'all' ? { stream } : {}),
              ...(pageParam !== undefined ? { afterSeq: pageParam } : {}),
            },
          },
        }),
      ).lines,
    getNextPageParam: (page) => (page.length === SEARCH_PAGE ? page[page.length - 1]!.seq : undefined),
  });
  const matches = search.data?.pages.flat() ?? [];

  const jumpTo = (seq: number) => {
    setFollowing(false);
    setSelectedSeq(seq);
    virtualizer.scrollToIndex(indexOfSeq(shown, seq), { align: 'center' });
  };

  const [downloadError, setDownloadError] = useState<string | null>(null);
  const download = () =>
    downloadFile(
      apiPath(`/api/v1/runs/${runId}/tasks/${taskId}/logs/download`, {
        attempt,
        stream: stream === 'all' ? undefined : stream,
      }),
      `task-${taskId}-attempt${attempt}.log`,
    ).then(
      () => setDownloadError(null),
      (e: unknown) => setDownloadError(e instanceof Error ? e.message : String(e)),
    );

  return (
    <div className="task-logs">
      <div className="tabs" role="tablist" aria-label="Log stream">
        {(['all', 'stdout', 'stderr'] as const).map((s) => (
          <button
            key={s}
            type="button"
            role="tab"
            aria-selected={stream === s}
            className={stream === s ? 'active' : ''}
            onClick={() => props.onStream(s)}
          >
            {s === 'all' ? 'All' : s} <span className="task-count">{counts[s]}</span>
          </button>
        ))}
      </div>
      <div className="toolbar">
        <label>
          Search
          <input
            type="search"
            aria-label="Search the log"
            placeholder="text in this attempt's log"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') props.onQuery(draft);
            }}
          />
        </label>
        <button
          type="button"
          aria-pressed={following}
          className={following ? 'task-toggle on' : 'task-toggle'}
          onClick={() => setFollowing((f) => !f)}
          title="Keep the view at the newest line"
        >
          {following ? 'Following' : 'Follow'}
        </button>
        <button type="button" onClick={download}>
          Download {stream === 'all' ? 'log' : stream}
        </button>
        {live && <span className="task-live">live</span>}
        {downloadError && (
          <span className="error-box" role="alert">
            {downloadError}
          </span>
        )}
        {logs.loading && <span className="task-muted">loading…</span>}
      </div>
      {term !== '' && (
        <section className="task-matches" aria-label="Search results">
          {search.isPending ? (
            <span className="task-muted">searching…</span>
          ) : search.error ? (
            <span className="error-box">{String((search.error as Error).message)}</span>
          ) : matches.length === 0 ? (
            <span className="task-muted">No line contains “{term}”.</span>
          ) : (
            <>
              <div className="task-muted">
                {matches.length}
                {search.hasNextPage ? '+' : ''} matching line{matches.length === 1 ? '' : 's'}
              </div>
              <ol>
                {matches.map((m) => (
                  <li key={m.seq}>
                    <button type="button" className="task-match" onClick={() => jumpTo(m.seq)}>
                      <span className="task-seq">{m.seq}</span>
                      <span className={`task-line-text ${m.stream}`}>
                        <Highlight text={m.line} term={term} />
                      </span>
                    </button>
                  </li>
                ))}
              </ol>
              {search.hasNextPage && (
                <button type="button" onClick={() => void search.fetchNextPage()}>
                  More matches
                </button>
              )}
            </>
          )}
        </section>
      )}
      {logs.error ? (
        <div className="error-box" role="alert">
          Could not load the log: {String((logs.error as Error).message)}
        </div>
      ) : !logs.loading && shown.length === 0 ? (
        <div className="empty">
          {logs.lines.length === 0
            ? live
              ? 'No output yet; new lines show here as the task writes them.'
              : 'This attempt wrote nothing.'
            : `Nothing on ${stream}.`}
        </div>
      ) : (
        <div
          className="task-log-scroll"
          ref={scroller}
          onScroll={onScroll}
          data-testid="log-lines"
          // Short logs take the room they need; long ones scroll inside a fixed box.
          style={{ height: Math.min(LOG_BOX_PX, virtualizer.getTotalSize() + 8) }}
        >
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((row) => {
              const line = shown[row.index]!;
              return (
                <div
                  key={row.key}
                  data-index={row.index}
                  ref={virtualizer.measureElement}
                  className={`task-log-row ${line.stream}${line.seq === selectedSeq ? ' selected' : ''}`}
                  style={{ transform: `translateY(${row.start}px)` }}
                >
                  <span className="task-seq">{line.seq}</span>
                  <span className="task-line-text">
                    <Highlight text={line.line} term={term} />
                  </span>
                </div>
              );
            })}
          </div>
        </div>
      )}
      {logs.capped && (
        <div className="task-muted">
          Showing the first {MAX_LINES_IN_PAGE.toLocaleString()} lines; the download has them all.
        </div>
      )}
    </div>
  );
}
