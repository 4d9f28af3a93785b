/**
 * The feed's live tail: new events matching the feed's filter, from the server's event stream
 * (`followEventStream`, no backfill: the pages already hold what was stored). While the view is
 * held — paused, or scrolled away from the top — arrivals wait as `pending` (the "N new" marker)
 * instead of moving the rows under the reader; when the hold ends they join the top. Arrivals are
 * applied at most every {@link APPLY_MS}, so a burst is one render.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FlowtrailEventRecord } from '../../api/client.ts';
import { type EventFilterInput, followEventStream, type StreamState } from '../../live/event-stream.ts';

const APPLY_MS = 100;
/** More pending events than this are not merged one by one: the feed reloads its first page. */
export const MAX_MERGED = 500;
/** Arrived events kept above the pages; beyond, the feed reloads (a tab left open on a busy feed). */
const MAX_ARRIVED = 5_000;

export interface LiveTail {
  state: StreamState | 'off';
  /** Arrived events shown above the stored pages, newest first. */
  arrived: FlowtrailEventRecord[];
  /** How many arrived while the view was held. */
  pending: number;
}

export interface LiveTailOptions {
  /** The feed's filter as the stream takes it; null: no live tail (a range that has ended). */
  filter: EventFilterInput | null;
  /** Paused or scrolled away: keep arrivals pending. */
  hold: boolean;
  /** Events arrived (after coalescing): e.g. refresh the histogram. */
  onArrivals?(): void;
  /** Too many pending events to merge when the hold ended, or the stream came back after a drop. */
  onReload(): void;
}

const NONE: { events: FlowtrailEventRecord[]; count: number } = { events: [], count: 0 };

const byNewest = (a: FlowtrailEventRecord, b: FlowtrailEventRecord) =>
  b.occurred < a.occurred ? -1 : b.occurred > a.occurred ? 1 : 0;

export function useLiveTail(options: LiveTailOptions): LiveTail {
  const [state, setState] = useState<StreamState | 'off'>('off');
  const [arrived, setArrived] = useState<FlowtrailEventRecord[]>([]);
  // Beyond MAX_MERGED only the count is kept: those are read from the store again.
  const [pending, setPending] = useState<{ events: FlowtrailEventRecord[]; count: number }>(NONE);
  const latest = useRef(options);
  latest.current = options;
  const filterKey = options.filter ? JSON.stringify(options.filter) : null;

  const arrivedCount = useRef(0);
  const clearArrived = useCallback(() => {
    arrivedCount.current = 0;
    setArrived([]);
  }, []);
  const merge = useCallback(
    (incoming: FlowtrailEventRecord[]) => {
      if (incoming.length === 0) return;
      arrivedCount.current += incoming.length;
      if (arrivedCount.current > MAX_ARRIVED) {
        clearArrived();
        latest.current.onReload();
      } else setArrived((before) => [...incoming, ...before].sort(byNewest));
    },
    [clearArrived],
  );

  useEffect(() => {
    clearArrived();
    setPending(NONE);
    if (filterKey === null) {
      setState('off');
      return;
    }
    const abort = new AbortController();
    let buffer: FlowtrailEventRecord[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wasDown = false;
    const apply = () => {
      timer = undefined;
      const batch = buffer;
      buffer = [];
      if (latest.current.hold)
        setPending((before) => {
          const count = before.count + batch.length;
          return { events: count > MAX_MERGED ? [] : [...batch, ...before.events], count };
        });
      else merge(batch);
      latest.current.onArrivals?.();
    };
    void followEventStream({
      filter: JSON.parse(filterKey) as EventFilterInput,
      signal: abort.signal,
      onEvent: (event) => {
        buffer.push(event);
        timer ??= setTimeout(apply, APPLY_MS);
      },
      onState: (next) => {
        setState(next);
        if (next === 'down') wasDown = true;
        // What came while the stream was down is in the store: read the first page again.
        if (next === 'live' && wasDown) {
          wasDown = false;
          clearArrived();
          setPending(NONE);
          latest.current.onReload();
        }
      },
    });
    return () => {
      abort.abort();
      if (timer) clearTimeout(timer);
    };
  }, [filterKey, merge, clearArrived]);

  // The hold ended (resumed, or back at the top): the pending events join the top.
  useEffect(() => {
    if (options.hold || pending.count === 0) return;
    if (pending.count > MAX_MERGED) {
      clearArrived();
      latest.current.onReload();
    } else merge(pending.events);
    setPending(NONE);
  }, [options.hold, pending, merge, clearArrived]);

  return { state, arrived, pending: pending.count };
}
