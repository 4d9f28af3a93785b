import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  formatDuration,
  formatElapsed,
  HOUR_MS,
  MINUTE_MS,
  parseDuration,
  parseSpan,
  WEEK_MS,
} from '../../src/core/duration.ts';

describe('durations', () => {
  it('has one unit table', () => {
    expect([MINUTE_MS, HOUR_MS, DAY_MS, WEEK_MS]).toEqual([60_000, 3_600_000, 86_400_000, 604_800_000]);
  });

  it('reads a span: one number, a fraction allowed, one unit in either case', () => {
    expect(parseSpan('90s')).toBe(90_000);
    expect(parseSpan(' 1.5h ')).toBe(1.5 * HOUR_MS);
    expect(parseSpan('7D')).toBe(7 * DAY_MS);
    expect(parseSpan('1w')).toBe(WEEK_MS);
    for (const bad of ['1h30m', 'soon', '', '5x', '-1h']) expect(parseSpan(bad), bad).toBeUndefined();
  });

  it('writes a declared duration exactly, so it reads back the same', () => {
    for (const ms of [1000, 90_000, 5_400_000, DAY_MS, 8 * DAY_MS + 61_000])
      expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it('writes elapsed times for tables, rounded to what matters at their size', () => {
    expect(formatElapsed(null)).toBe('-');
    expect(formatElapsed(-5)).toBe('0ms');
    expect(formatElapsed(850)).toBe('850ms');
    expect(formatElapsed(3_240)).toBe('3.2s');
    expect(formatElapsed(125_000)).toBe('2m05s');
    expect(formatElapsed(HOUR_MS + 2 * MINUTE_MS + 10_000)).toBe('1h02m');
  });
});
