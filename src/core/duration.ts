/**
 * Durations: the one table of time units and the readers and writers of duration text.
 *
 * Two written forms exist because they serve different readers:
 * - a *declared* duration (`resetWindow: '1h30m'`): whole numbers of units, any combination,
 *   written back exactly by {@link formatDuration};
 * - a *span* on the command line (`--since 1.5h`, `--older-than 2d`): one number, which may have
 *   a fraction, and one unit, read by {@link parseSpan}.
 * Elapsed times in tables (`850ms`, `3.2s`, `2m05s`) are rounded for reading, by {@link formatElapsed}.
 */
import { ValidationError } from './errors.ts';
import { quoteValue } from './quote-value.ts';

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/** The duration units, largest first: the letter written after a number, and its length in ms. */
export const DURATION_UNITS = [
  ['w', WEEK_MS],
  ['d', DAY_MS],
  ['h', HOUR_MS],
  ['m', MINUTE_MS],
  ['s', SECOND_MS],
] as const;

const UNIT_MS: Readonly<Record<string, number>> = Object.fromEntries(DURATION_UNITS);

/** The longest declared duration: 365 days (a longer one is almost always a unit mistake). */
const MAX_DURATION_MS = 365 * DAY_MS;

const DECLARED = /^(?:\d+[smhdw])+$/;
const DECLARED_TERM = /(\d+)([smhdw])/g;
const SPAN = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i;

/**
 * A declared duration in ms from `'30m'`, `'6h'`, `'1d'`, `'1h30m'` (units s, m, h, d, w) or
 * seconds as a number, from 1 s to 365 days. Anything else is a `ValidationError` on field `what`.
 *
 * @example
 * parseDuration('1h30m'); // 5_400_000
 */
export function parseDuration(value: unknown, what = 'duration'): number {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw durationError(what, value);
    ms = Math.round(value * SECOND_MS);
  } else if (typeof value === 'string' && DECLARED.test(value.trim())) {
    ms = 0;
    for (const [, n, unit] of value.trim().matchAll(DECLARED_TERM)) ms += Number(n) * UNIT_MS[unit!]!;
  } else {
    throw durationError(what, value);
  }
  if (ms < SECOND_MS || ms > MAX_DURATION_MS)
    throw new ValidationError(
      what,
      `${what} ${quoteValue(value)} is out of range; it must be from 1 second to 365 days.`,
    );
  return ms;
}

function durationError(what: string, value: unknown): ValidationError {
  return new ValidationError(
    what,
    `${what} ${quoteValue(value)} is not a duration; give '30m', '6h', '1d', '1h30m' (units s, m, h, d, w) or seconds as a number.`,
  );
}

/**
 * A declared duration in ms as text in the largest units, as {@link parseDuration} reads it
 * (rounded to the second).
 *
 * @example
 * formatDuration(5_400_000); // '1h30m'
 */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms / SECOND_MS) * SECOND_MS;
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size] of DURATION_UNITS) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/**
 * A span in ms from one number (a fraction allowed) and a unit: `90s`, `15m`, `1.5h`, `7d`, `1w`
 * (the unit in either case); `undefined` when the text is not a span, so the caller can say
 * what else it accepts.
 *
 * @example
 * parseSpan('1.5h'); // 5_400_000
 */
export function parseSpan(text: string): number | undefined {
  const span = SPAN.exec(text.trim());
  return span ? Number(span[1]) * UNIT_MS[span[2]!.toLowerCase()]! : undefined;
}

/**
 * An elapsed time for reading in a table, rounded to what matters at its size: `850ms`, `3.2s`,
 * `2m05s`, `1h02m`; `-` for none.
 *
 * @example
 * formatElapsed(125_000); // '2m05s'
 */
export function formatElapsed(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  if (ms < 0) ms = 0;
  if (ms < SECOND_MS) return `${Math.round(ms)}ms`;
  if (ms < MINUTE_MS) return `${(ms / SECOND_MS).toFixed(1)}s`;
  const totalSeconds = Math.floor(ms / SECOND_MS);
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60);
    return `${m}m${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const h = Math.floor(totalSeconds / 3600);
  return `${h}h${String(Math.floor((totalSeconds % 3600) / 60)).padStart(2, '0')}m`;
}
