/**
 * Counts of the feed's events over its time range, one bar per bucket (`POST /events/count` by
 * time, zero-filled and summed in the store), with the total beside it — the sum of the bars,
 * which is the number of events the list holds. Drag across the bars to narrow the range to them.
 * Without a start, the range begins at the first matching event (one more small request), or an
 * hour back when that is later.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type PointerEvent, useRef, useState } from 'react';
import { unwrap } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { formatTime } from '../../format/time.ts';
import type { EventFilterInput } from '../../live/event-stream.ts';
import { withRange } from '../../routes/event-feed-search.ts';
import { QueryState } from '../query-state.tsx';
import { bucketSizeFor } from './histogram-buckets.ts';

interface Bar {
  start: number;
  end: number;
  count: number;
}

interface Histogram {
  bars: Bar[];
  total: number;
}

const HEIGHT = 100;
/** The least span of an "all time" chart. */
const MIN_OPEN_SPAN_MS = 3_600_000;

async function readHistogram(
  filter: EventFilterInput,
  range: { since?: number; until?: number },
): Promise<Histogram> {
  const until = range.until ?? Date.now();
  let since = range.since;
  if (since === undefined) {
    const first = unwrap(
      await api.POST('/api/v1/events/filter', {
        body: { filter: { ...withRange(filter, { until }), order: 'asc' }, limit: 1 },
      }),
    ).events[0];
    if (!first) return { bars: [], total: 0 };
    // At least an hour: a lone event is a bar, not the whole chart.
    since = Math.min(new Date(first.occurred).getTime(), until - MIN_OPEN_SPAN_MS);
  }
  if (since > until) return { bars: [], total: 0 };
  const size = bucketSizeFor(until - since);
  const { counts } = unwrap(
    await api.POST('/api/v1/events/count', {
      body: {
        filter: withRange(filter, { since, until }),
        by: 'time',
        timeUnit: size.timeUnit,
        timeInterval: size.timeInterval,
      },
    }),
  );
  const bars = counts.map((c) => ({
    start: new Date(c.startTime).getTime(),
    end: new Date(c.endTime).getTime(),
    count: c.count,
  }));
  return { bars, total: bars.reduce((sum, b) => sum + b.count, 0) };
}

export function EventHistogram({
  filter,
  range,
  enabled,
  onSelect,
}: {
  /**
   * Whether to read yet: the page holds it until the list's first page has come, since a count
   * over a million events would otherwise delay the rows (the embedded store answers one at a time).
   */
  enabled: boolean;
  /** The feed's filter without its range. */
  filter: EventFilterInput;
  range: { since?: number; until?: number };
  /** A dragged sub-range (inclusive instants). */
  onSelect: (since: number, until: number) => void;
}) {
  const histogram = useQuery({
    queryKey: ['events', 'histogram', JSON.stringify(filter), range.since ?? null, range.until ?? null],
    queryFn: () => readHistogram(filter, range),
    placeholderData: keepPreviousData,
    enabled,
  });
  return (
    <div className="histogram panel">
      <QueryState isPending={histogram.isPending} error={histogram.error}>
        {() => <Bars histogram={histogram.data!} range={range} onSelect={onSelect} />}
      </QueryState>
    </div>
  );
}

function Bars({
  histogram,
  range,
  onSelect,
}: {
  histogram: Histogram;
  range: { since?: number; until?: number };
  onSelect: (since: number, until: number) => void;
}) {
  const { bars, total } = histogram;
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const max = Math.max(1, ...bars.map((b) => b.count));
  const barAt = (e: PointerEvent<SVGSVGElement>): number => {
    const box = svg.current!.getBoundingClientRect();
    const x = (e.clientX - box.left) / Math.max(1, box.width);
    return Math.min(bars.length - 1, Math.max(0, Math.floor(x * bars.length)));
  };
  const finish = () => {
    if (!drag) return;
    setDrag(null);
    const lo = bars[Math.min(drag.from, drag.to)]!;
    const hi = bars[Math.max(drag.from, drag.to)]!;
    // The first and last buckets may reach past the range: keep inside it.
    onSelect(Math.max(lo.start, range.since ?? lo.start), Math.min(hi.end, range.until ?? hi.end));
  };
  const selected = drag && { lo: Math.min(drag.from, drag.to), hi: Math.max(drag.from, drag.to) };
  return (
    <>
      <div className="histogram-head">
        <span className="histogram-total" data-total={total}>
          {total.toLocaleString()} event{total === 1 ? '' : 's'}
        </span>
        {bars.length > 1 && <span className="muted">drag across the bars to narrow the range</span>}
      </div>
      {bars.length > 0 && (
        <>
          <svg
            ref={svg}
            className="histogram-bars"
            viewBox={`0 0 ${bars.length} ${HEIGHT}`}
            preserveAspectRatio="none"
            role="img"
            aria-label={`Events over time: ${total} in ${bars.length} buckets`}
            onPointerDown={(e) => {
              e.currentTarget.setPointerCapture(e.pointerId);
              const i = barAt(e);
              setDrag({ from: i, to: i });
            }}
            onPointerMove={(e) => drag && setDrag({ ...drag, to: barAt(e) })}
            onPointerUp={finish}
            onPointerCancel={() => setDrag(null)}
          >
            {selected && (
              <rect
                className="histogram-selection"
                x={selected.lo}
                width={selected.hi - selected.lo + 1}
                y={0}
                height={HEIGHT}
              />
            )}
            {bars.map((b, i) => {
              const h = b.count === 0 ? 0 : Math.max(2, (b.count / max) * HEIGHT);
              return (
                <rect
                  key={b.start}
                  className="histogram-bar"
                  x={i + 0.1}
                  width={0.8}
                  y={HEIGHT - h}
                  height={h}
                >
                  <title>{`${formatTime(b.start)} – ${formatTime(b.end)}: ${b.count.toLocaleString()}`}</title>
                </rect>
              );
            })}
          </svg>
          <div className="histogram-axis">
            <span>{formatTime(bars[0]!.start)}</span>
            <span>{formatTime(bars.at(-1)!.end)}</span>
          </div>
        </>
      )}
    </>
  );
}
