/**
 * The bucket size of the feed's histogram: the smallest "round" size (5 min, 1 h, 1 d…) that cuts
 * the range into at most {@link MAX_BARS} bars, as the count API's unit × interval. The API aligns
 * buckets to a fixed origin, so the same range always gives the same bars.
 */

type TimeUnit = 'second' | 'minute' | 'hour' | 'day' | 'week';

export const MAX_BARS = 120;

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Round sizes, smallest first, each as the unit and interval the API takes. */
const STEPS: readonly [TimeUnit, number, number][] = [
  ['second', 1, SECOND],
  ['second', 5, 5 * SECOND],
  ['second', 15, 15 * SECOND],
  ['second', 30, 30 * SECOND],
  ['minute', 1, MINUTE],
  ['minute', 5, 5 * MINUTE],
  ['minute', 15, 15 * MINUTE],
  ['minute', 30, 30 * MINUTE],
  ['hour', 1, HOUR],
  ['hour', 3, 3 * HOUR],
  ['hour', 6, 6 * HOUR],
  ['hour', 12, 12 * HOUR],
  ['day', 1, DAY],
  ['day', 2, 2 * DAY],
  ['week', 1, WEEK],
];

export interface BucketSize {
  timeUnit: TimeUnit;
  timeInterval: number;
  ms: number;
}

/**
 * The bucket size for a range of `spanMs`: aligned buckets cover it in at most `span / size + 2`
 * bars, kept within MAX_BARS (weeks × N beyond the table).
 */
export function bucketSizeFor(spanMs: number): BucketSize {
  const bars = MAX_BARS - 2;
  for (const [timeUnit, timeInterval, ms] of STEPS)
    if (spanMs / ms <= bars) return { timeUnit, timeInterval, ms };
  const weeks = Math.ceil(spanMs / (bars * WEEK));
  return { timeUnit: 'week', timeInterval: weeks, ms: weeks * WEEK };
}
