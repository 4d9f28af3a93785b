/**
 * The log lines of one attempt, loaded page by page ("lines after seq N") and kept growing while
 * the attempt runs. Log lines are not events (a task emits `started` and `completed`/`failed`/
 * `retrying`, and `artifact.stored`), so while the attempt is live the hook asks for lines after
 * the last one on each task event and on a short tick — one indexed query that usually answers
 * nothing; a finished attempt is read once.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { unwrap } from '../../api/api-error.ts';
import { api, type Schemas } from '../../api/client.ts';

export type LogLineRecord = Schemas['LogLine'];

const PAGE = 5_000;
/** Lines kept in the page; beyond it the viewer says so and the download has the rest. */
export const MAX_LINES_IN_PAGE = 500_000;
const LIVE_TICK_MS = 1_000;

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
          if (page.length > 0) {
            // A new array per page, so memos over it see the change (one copy per 5,000 lines).
            lines.current = lines.current.concat(page);
            setVersion((v) => v + 1);
          }
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
  }, [runId, taskId, attempt]);

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
    const tick = setInterval(() => void fetchNew(), LIVE_TICK_MS);
    return () => clearInterval(tick);
  }, [live, fetchNew]);

  return { lines: lines.current, loading, error, capped, poke: () => void fetchNew() };
}
