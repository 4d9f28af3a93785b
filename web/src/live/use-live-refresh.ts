/**
 * Keeps the open view current from the event stream: events matching `filter` mark the view's
 * queries stale, at most once per `coalesceMs` (one render for a burst of task completions). While
 * the stream is down the queries are refetched every few seconds instead — polling only as a fallback.
 */
import { type QueryKey, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { FlowtrailEventRecord } from '../api/client.ts';
import { type EventFilterInput, followEventStream, type StreamState } from './event-stream.ts';

const FALLBACK_POLL_MS = 5_000;

export interface LiveRefreshOptions {
  /** Which events concern the view (null: the view is not live, e.g. a finished run). */
  filter: EventFilterInput | null;
  /** Query keys (prefixes) to refresh when such an event arrives. */
  queryKeys: readonly QueryKey[];
  coalesceMs?: number;
  onEvent?(event: FlowtrailEventRecord): void;
}

export function useLiveRefresh(options: LiveRefreshOptions): StreamState | 'off' {
  const client = useQueryClient();
  const [state, setState] = useState<StreamState | 'off'>('off');
  const latest = useRef(options);
  latest.current = options;
  const filterKey = options.filter ? JSON.stringify(options.filter) : null;

  useEffect(() => {
    if (filterKey === null) {
      setState('off');
      return;
    }
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      timer = undefined;
      for (const key of latest.current.queryKeys) void client.invalidateQueries({ queryKey: key });
    };
    const schedule = () => {
      timer ??= setTimeout(refresh, latest.current.coalesceMs ?? 150);
    };
    let poll: ReturnType<typeof setInterval> | undefined;
    void followEventStream({
      filter: JSON.parse(filterKey) as EventFilterInput,
      signal: abort.signal,
      onEvent: (event) => {
        latest.current.onEvent?.(event);
        schedule();
      },
      onState: (next) => {
        setState(next);
        if (next === 'down' && !poll) poll = setInterval(refresh, FALLBACK_POLL_MS);
        if (next === 'live' && poll) {
          clearInterval(poll);
          poll = undefined;
          // What happened while the stream was down (the first connect needs no refresh: the
          // view has just loaded its data).
          schedule();
        }
      },
    });
    return () => {
      abort.abort();
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
    };
  }, [filterKey, client]);
  return state;
}
