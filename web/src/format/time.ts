/** How times and durations read in the UI. */

const UNITS: readonly [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'm'],
  [1_000, 's'],
];

/** `850ms`, `4.2s`, `3m 05s`, `2h 10m`, `1d 4h`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  for (let i = 0; i < UNITS.length - 1; i++) {
    const [size, unit] = UNITS[i]!;
    if (ms >= size) {
      const [nextSize, nextUnit] = UNITS[i + 1]!;
      const whole = Math.floor(ms / size);
      const rest = Math.floor((ms % size) / nextSize);
      return `${whole}${unit} ${String(rest).padStart(2, '0')}${nextUnit}`;
    }
  }
  return `${ms}ms`;
}

/** A run's or task's duration: finished − started, or so far when still going. */
export function elapsed(
  startedAt: number | null,
  finishedAt: number | null,
  now = Date.now(),
): number | null {
  if (startedAt === null) return null;
  return (finishedAt ?? now) - startedAt;
}

/** Local date and time, to the second (ISO-like, sortable). */
export function formatTime(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `3 s ago`, `5 min ago`, `2 h ago`, else the date. */
export function formatAgo(ms: number, now = Date.now()): string {
  const diff = now - ms;
  if (diff < 60_000) return `${Math.max(0, Math.round(diff / 1_000))} s ago`;
  if (diff < 3_600_000) return `${Math.round(diff / 60_000)} min ago`;
  if (diff < 86_400_000) return `${Math.round(diff / 3_600_000)} h ago`;
  return formatTime(ms);
}
