/**
 * The log lines of one attempt, loaded page by page ("lines after seq N") and kept growing while
 * the attempt runs: a live attempt's new lines arrive on the server's log stream
 * (`…/logs/stream`, server-sent events from the last seq seen), which ends when the attempt has
 * finished; after a drop it reconnects from the last line. A finished attempt is read once.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { unwrap } from '../../api/api-error.ts';
import { api, authHeaders, type Schemas } from '../../api/client.ts';
import { readServerSentEvents } from '../../live/server-sent-events.ts';

export type LogLineRecord = Schemas['LogLine'];

const PAGE = 5_000;
/** Lines kept in the page; beyond it the viewer says so and the download has the rest. */
export const MAX_LINES_IN_PAGE = 500_000;
const MAX_BACKOFF_MS = 5_000;

export interface LogLines {
  lines: readonly LogLineRecord[];
  loading: boolean;
  error: unknown;
  /** More lines exist than the page keeps. */
  capped: boolean;
  /** Ask for new lines now (an event said the task moved). */
  poke(): void;
}

export function useLogLines(runId: number, taskId: number, attempt: number, live: boolean): LogLines {
  const lines = useRef<LogLineRecord[]>([]);
  // Bumped when a page arrived, to render the new `lines.current`.
  const [, setVersion] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [capped, setCapped] = useState(false);
  const busy = useRef(false);
  const again = useRef(false);
  const generation = useRef(0);

  /**
   * Adds the lines after the last one held. Pages and the stream may both deliver a line (a page
   * read in flight while the stream starts), so anything not newer is dropped: each line once.
   */
  const append = useCallback((page: readonly LogLineRecord[]) => {
    const lastSeq = lines.current[lines.current.length - 1]?.seq ?? -1;
    const fresh = page.filter((l) => l.seq > lastSeq);
    if (fresh.length === 0) return;
    // A new array per page, so memos over it see the change (one copy per page).
    lines.current = lines.current.concat(fresh);
    setVersion((v) => v + 1);
  }, []);

  const fetchNew = useCallback(async () => {
    if (busy.current) {
      again.current = true;
      return;
    }
    busy.current = true;
    const gen = generation.current;
    try {
      do {
        again.current = false;
        for (;;) {
          const last = lines.current[lines.current.length - 1];
          if (lines.current.length >= MAX_LINES_IN_PAGE) {
            setCapped(true);
            break;
          }
          const page = unwrap(
            await api.GET('/api/v1/runs/{runId}/tasks/{taskId}/logs', {
              params: {
                path: { runId, taskId },
                query: { attempt, limit: PAGE, ...(last ? { afterSeq: last.seq } : {}) },
              },
            }),
          ).lines;
          if (gen !== generation.current) return;
          append(page);
          if (page.length < PAGE) break;
        }
      } while (again.current);
      setError(null);
    } catch (e) {
      if (gen === generation.current) setError(e);
    } finally {
      if (gen === generation.current) setLoading(false);
      busy.current = false;
    }
  }, [runId, taskId, attempt, append]);

  useEffect(() => {
    generation.current++;
    lines.current = [];
    busy.current = false;
    setVersion(0);
    setLoading(true);
    setCapped(false);
    setError(null);
    void fetchNew();
  }, [fetchNew]);

  useEffect(() => {
    if (!live) {
      // The attempt just finished: pick up its last lines.
      void fetchNew();
      return;
    }
    const abort = new AbortController();
    const gen = generation.current;
    void (async () => {
      let backoff = 250;
      while (!abort.signal.aborted) {
        // Catch up by pages first, so the stream starts after the last line held.
        await fetchNew();
        const last = lines.current[lines.current.length - 1];
        try {
          const query = new URLSearchParams({
            attempt: String(attempt),
            ...(last ? { afterSeq: String(last.seq) } : {}),
          });
          const response = await fetch(`/api/v1/runs/${runId}/tasks/${taskId}/logs/stream?${query}`, {
            headers: { accept: 'text/event-stream', ...authHeaders() },
            signal: abort.signal,
          });
          if (!response.ok || !response.body) throw new Error(`log stream answered ${response.status}`);
          backoff = 250;
          for await (const message of readServerSentEvents(response.body, abort.signal)) {
            if (gen !== generation.current) return;
            if (message.event === 'end') return;
            if (message.event !== 'lines') continue;
            append(JSON.parse(message.data) as LogLineRecord[]);
            if (lines.current.length >= MAX_LINES_IN_PAGE) setCapped(true);
          }
        } catch {
          if (abort.signal.aborted) return;
        }
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    })();
    return () => abort.abort();
  }, [live, fetchNew, append, runId, taskId, attempt]);

  return { lines: lines.current, loading, error, capped, poke: () => void fetchNew() };
}
