import { describe, expect, it } from 'vitest';
import { nextCronTime, normalizeTimezone, type ParsedCron, parseCron } from '../../src/core/cron.ts';
import { ValidationError } from '../../src/core/errors.ts';

const at = (iso: string) => new Date(iso);
const next = (expr: string, after: string, tz = 'UTC') =>
  nextCronTime(parseCron(expr), at(after), tz).toISOString();

/** The next `n` fire times after `after`, chaining nextCronTime. */
function sequence(expr: string, after: string, n: number, tz = 'UTC'): string[] {
  const cron = parseCron(expr);
  const out: string[] = [];
  let t = at(after);
  for (let i = 0; i < n; i++) {
    t = nextCronTime(cron, t, tz);
    out.push(t.toISOString());
  }
  return out;
}

function expectCronError(expr: string, field: string, message: RegExp): void {
  let caught: unknown;
  try {
    parseCron(expr);
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected '${expr}' to be refused`).toBeInstanceOf(ValidationError);
  const error = caught as ValidationError;
  expect(error.code).toBe('VALIDATION');
  expect(error.field).toBe(field);
  expect(error.message).toMatch(message);
}

describe('parseCron', () => {
  it('expands *, lists, ranges and steps into sorted values', () => {
    const c = parseCron('*/15 9-17 1,15,10-20/5 * mon-fri');
    expect(c.minutes).toEqual([0, 15, 30, 45]);
    expect(c.hours).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(c.daysOfMonth).toEqual([1, 10, 15, 20]);
    expect(c.months).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(c.daysOfWeek).toEqual([1, 2, 3, 4, 5]);
    expect(c.dayOfMonthRestricted).toBe(true);
    expect(c.dayOfWeekRestricted).toBe(true);
    expect(parseCron('5/20 * * * *').minutes).toEqual([5, 25, 45]);
    expect(parseCron('0 0-23/6 * * *').hours).toEqual([0, 6, 12, 18]);
    expect(parseCron('59,0,30,0 * * * *').minutes).toEqual([0, 30, 59]);
    expect(parseCron('  0   3 * *   *  ').expression).toBe('0   3 * *   *');
  });

  it('reads month and weekday names in any case, and 7 as Sunday', () => {
    expect(parseCron('0 0 1 JAN-mar,Dec *').months).toEqual([1, 2, 3, 12]);
    expect(parseCron('0 0 * * sun,7').daysOfWeek).toEqual([0]);
    expect(parseCron('0 0 * * 5-7').daysOfWeek).toEqual([0, 5, 6]);
    expect(parseCron('0 0 * * Sat').daysOfWeek).toEqual([6]);
    expect(parseCron('0 0 * * *').daysOfWeek).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(parseCron('0 0 * * */2').daysOfWeek).toEqual([0, 2, 4, 6]);
  });

  it('marks a day field restricted unless it starts with *', () => {
    const star = parseCron('0 0 */2 * *');
    expect(star.dayOfMonthRestricted).toBe(false);
    expect(star.dayOfWeekRestricted).toBe(false);
    expect(star.daysOfMonth).toEqual(Array.from({ length: 16 }, (_, i) => 1 + 2 * i));
    expect(parseCron('0 0 1 * *').dayOfMonthRestricted).toBe(true);
    expect(parseCron('0 0 * * 1').dayOfWeekRestricted).toBe(true);
  });

  it('expands the macros', () => {
    const same = (macro: string, expr: string) => {
      const { expression: _a, ...a } = parseCron(macro);
      const { expression: _b, ...b } = parseCron(expr);
      expect(a, macro).toEqual(b);
    };
    same('@hourly', '0 * * * *');
    same('@daily', '0 0 * * *');
    same('@midnight', '0 0 * * *');
    same('@weekly', '0 0 * * 0');
    same('@monthly', '0 0 1 * *');
    same('@yearly', '0 0 1 1 *');
    same('@ANNUALLY', '0 0 1 1 *');
    expect(parseCron('@daily').expression).toBe('@daily');
  });

  it('refuses out-of-range values, naming the field', () => {
    expectCronError('60 * * * *', 'cron.minute', /minute value 60 .*out of range 0–59/);
    expectCronError('0 24 * * *', 'cron.hour', /hour value 24 .*out of range 0–23/);
    expectCronError('0 0 0 * *', 'cron.day-of-month', /day-of-month value 0 .*out of range 1–31/);
    expectCronError('0 0 32 * *', 'cron.day-of-month', /day-of-month value 32 .*out of range 1–31/);
    expectCronError('0 0 * 13 *', 'cron.month', /month value 13 .*out of range 1–12/);
    expectCronError('0 0 * 0 *', 'cron.month', /month value 0 .*out of range 1–12/);
    expectCronError('0 0 * * 8', 'cron.day-of-week', /day-of-week value 8 .*out of range 0–7/);
    expectCronError('0 10-25 * * *', 'cron.hour', /hour value 25 in '10-25'/);
  });

  it('refuses malformed fields, naming the field', () => {
    expectCronError('*/0 * * * *', 'cron.minute', /minute step 0 .*from 1 to 60/);
    expectCronError('*/61 * * * *', 'cron.minute', /minute step 61/);
    expectCronError('0 */x * * *', 'cron.hour', /hour step 'x'/);
    expectCronError('0 5-1 * * *', 'cron.hour', /hour range '5-1' goes backwards/);
    expectCronError('1,,2 * * * *', 'cron.minute', /minute field '1,,2' has an empty list item/);
    expectCronError('0 0 * foo *', 'cron.month', /month value 'foo' .*jan–dec/);
    expectCronError('0 0 * mon *', 'cron.month', /month value 'mon'/);
    expectCronError('0 0 * * jan', 'cron.day-of-week', /day-of-week value 'jan' .*sun–sat/);
    expectCronError('0 jan * * *', 'cron.hour', /hour value 'jan' in 'jan' is not a number\.$/);
    expectCronError('-1 * * * *', 'cron.minute', /minute value '' in '-1'/);
    expectCronError('1.5 * * * *', 'cron.minute', /minute value '1.5'/);
  });

  it('refuses the wrong number of fields, unknown macros and days that never come', () => {
    expectCronError(
      '0 3 * *',
      'cron',
      /has 4 fields; expected 5 \(minute hour day-of-month month day-of-week\)/,
    );
    expectCronError('0 0 3 * * *', 'cron', /has 6 fields/);
    expectCronError('', 'cron', /has 0 fields/);
    expectCronError('@reboot', 'cron', /unknown macro; use one of @yearly, .*@hourly/);
    expectCronError('0 0 30 2 *', 'cron.day-of-month', /never fires: no listed month has day 30/);
    expectCronError('0 0 31 4,6,9,11 *', 'cron.day-of-month', /never fires/);
    // With a restricted day of week the two are ORed, so it fires on Mondays.
    expect(() => parseCron('0 0 31 2 mon')).not.toThrow();
    expect(() => parseCron('0 0 29 2 *')).not.toThrow();
    expect(() => parseCron(42 as unknown as string)).toThrow(ValidationError);
  });
});

describe('nextCronTime', () => {
  it('returns the next time strictly after the given one', () => {
    expect(next('0 3 * * *', '2024-05-01T12:00:00Z')).toBe('2024-05-02T03:00:00.000Z');
    expect(next('0 3 * * *', '2024-05-01T02:59:59.999Z')).toBe('2024-05-01T03:00:00.000Z');
    expect(next('0 3 * * *', '2024-05-01T03:00:00.000Z')).toBe('2024-05-02T03:00:00.000Z');
    expect(next('* * * * *', '2024-05-01T03:00:30Z')).toBe('2024-05-01T03:01:00.000Z');
    expect(next('* * * * *', '2024-05-01T03:00:00Z')).toBe('2024-05-01T03:01:00.000Z');
    expect(next('@hourly', '2024-05-01T23:30:00Z')).toBe('2024-05-02T00:00:00.000Z');
  });

  it('walks steps, lists and ranges across hour, day and year boundaries', () => {
    expect(sequence('*/20 * * * *', '2024-05-01T10:41:00Z', 3)).toEqual([
      '2024-05-01T11:00:00.000Z',
      '2024-05-01T11:20:00.000Z',
      '2024-05-01T11:40:00.000Z',
    ]);
    expect(sequence('15,45 22-23 * * *', '2024-12-31T23:20:00Z', 3)).toEqual([
      '2024-12-31T23:45:00.000Z',
      '2025-01-01T22:15:00.000Z',
      '2025-01-01T22:45:00.000Z',
    ]);
    expect(next('@yearly', '2024-06-01T00:00:00Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(next('@monthly', '2024-12-31T23:59:00Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(next('0 9 * jun-aug mon-fri', '2024-08-30T10:00:00Z')).toBe('2025-06-02T09:00:00.000Z');
  });

  it('skips months without the day (month ends)', () => {
    expect(sequence('0 0 31 * *', '2024-01-31T00:00:00Z', 4)).toEqual([
      '2024-03-31T00:00:00.000Z',
      '2024-05-31T00:00:00.000Z',
      '2024-07-31T00:00:00.000Z',
      '2024-08-31T00:00:00.000Z',
    ]);
    expect(sequence('0 0 30 * *', '2024-01-30T12:00:00Z', 2)).toEqual([
      '2024-03-30T00:00:00.000Z',
      '2024-04-30T00:00:00.000Z',
    ]);
    expect(next('59 23 28-31 2 *', '2023-02-28T23:59:00Z')).toBe('2024-02-28T23:59:00.000Z');
  });

  it('finds 29 February only in leap years (not 2100)', () => {
    expect(next('0 12 29 2 *', '2024-03-01T00:00:00Z')).toBe('2028-02-29T12:00:00.000Z');
    expect(next('0 12 29 2 *', '2023-06-01T00:00:00Z')).toBe('2024-02-29T12:00:00.000Z');
    expect(next('0 12 29 2 *', '2096-03-01T00:00:00Z')).toBe('2104-02-29T12:00:00.000Z');
    expect(next('0 0 29 2 *', '1999-03-01T00:00:00Z')).toBe('2000-02-29T00:00:00.000Z');
    // The last day of February: 29 in a leap year, else 28 (the 29 alone would wait for a leap year).
    expect(next('0 0 28,29 2 *', '2025-02-28T00:00:00Z')).toBe('2026-02-28T00:00:00.000Z');
  });

  it('ORs a restricted day of month with a restricted day of week', () => {
    // 13 September 2024 is a Friday; 13 October a Sunday.
    expect(sequence('0 0 13 * fri', '2024-09-01T00:00:00Z', 3)).toEqual([
      '2024-09-06T00:00:00.000Z',
      '2024-09-13T00:00:00.000Z',
      '2024-09-20T00:00:00.000Z',
    ]);
    expect(sequence('0 0 13 * fri', '2024-10-01T00:00:00Z', 6)).toEqual([
      '2024-10-04T00:00:00.000Z',
      '2024-10-11T00:00:00.000Z',
      '2024-10-13T00:00:00.000Z',
      '2024-10-18T00:00:00.000Z',
      '2024-10-25T00:00:00.000Z',
      '2024-11-01T00:00:00.000Z',
    ]);
    expect(next('0 0 1 * mon', '2024-09-01T00:00:00Z')).toBe('2024-09-02T00:00:00.000Z');
    // 31 February never comes, so only Mondays fire.
    expect(next('0 0 31 2 mon', '2024-02-01T00:00:00Z')).toBe('2024-02-05T00:00:00.000Z');
  });

  it('ANDs the day fields when one of them starts with *', () => {
    // 1-7 with */7 (Sunday): the first Sunday of the month. 1 September 2024 is a Sunday.
    expect(sequence('0 0 1-7 * */7', '2024-09-02T00:00:00Z', 2)).toEqual([
      '2024-10-06T00:00:00.000Z',
      '2024-11-03T00:00:00.000Z',
    ]);
    // Odd days that are Mondays.
    expect(next('0 0 */2 * 1', '2024-09-01T00:00:00Z')).toBe('2024-09-09T00:00:00.000Z');
    // Day of week alone: 7 is Sunday.
    expect(next('0 0 * * 7', '2024-09-02T00:00:00Z')).toBe('2024-09-08T00:00:00.000Z');
    expect(next('0 0 * * 0', '2024-09-02T00:00:00Z')).toBe('2024-09-08T00:00:00.000Z');
  });

  it('reads times in a fixed-offset timezone', () => {
    expect(next('0 9 * * *', '2024-05-01T00:00:00Z', '+02:00')).toBe('2024-05-01T07:00:00.000Z');
    expect(next('0 9 * * *', '2024-05-01T08:00:00Z', '+02:00')).toBe('2024-05-02T07:00:00.000Z');
    expect(next('0 9 * * *', '2024-05-01T00:00:00Z', '-05:30')).toBe('2024-05-01T14:30:00.000Z');
    // At +14:00 it is already 14:00 on 1 May; 01:00 on 2 May is 11:00 UTC on 1 May.
    expect(next('0 1 * * *', '2024-05-01T00:00:00Z', '+14:00')).toBe('2024-05-01T11:00:00.000Z');
    // 1 September 2024 00:00 UTC is Sunday 09:00 at +09:00; the next Monday 00:00 there is Sunday 15:00 UTC.
    expect(next('0 0 * * mon', '2024-09-01T00:00:00Z', '+09:00')).toBe('2024-09-01T15:00:00.000Z');
    // At -10:00 the 1st of the month begins at 10:00 UTC.
    expect(next('@monthly', '2024-12-31T12:00:00Z', '-10:00')).toBe('2025-01-01T10:00:00.000Z');
    // 29 February at +05:45, around midnight UTC.
    expect(next('30 3 29 2 *', '2024-01-01T00:00:00Z', '+0545')).toBe('2024-02-28T21:45:00.000Z');
    expect(next('0 3 * * *', '2024-05-01T12:00:00Z', '+00:00')).toBe(
      next('0 3 * * *', '2024-05-01T12:00:00Z'),
    );
  });

  it('reads times in an IANA timezone, across daylight-saving changes', () => {
    const ny = 'America/New_York';
    expect(next('0 9 * * *', '2024-07-01T00:00:00Z', ny)).toBe('2024-07-01T13:00:00.000Z');
    expect(next('0 9 * * *', '2024-01-15T00:00:00Z', ny)).toBe('2024-01-15T14:00:00.000Z');
    // Spring forward (10 March 2024, 02:00 → 03:00): 02:30 does not exist and fires at 03:30 EDT.
    expect(sequence('30 2 * * *', '2024-03-09T12:00:00Z', 3, ny)).toEqual([
      '2024-03-10T07:30:00.000Z',
      '2024-03-11T06:30:00.000Z',
      '2024-03-12T06:30:00.000Z',
    ]);
    // …also when asked from inside the hour after the change (03:10 EDT).
    expect(next('30 2 * * *', '2024-03-10T07:10:00Z', ny)).toBe('2024-03-10T07:30:00.000Z');
    expect(sequence('0 * * * *', '2024-03-10T06:30:00Z', 2, ny)).toEqual([
      '2024-03-10T07:00:00.000Z',
      '2024-03-10T08:00:00.000Z',
    ]);
    // Fall back (3 November 2024, 02:00 → 01:00): 01:30 occurs twice and fires once, the first time.
    expect(sequence('30 1 * * *', '2024-11-03T00:00:00Z', 2, ny)).toEqual([
      '2024-11-03T05:30:00.000Z',
      '2024-11-04T06:30:00.000Z',
    ]);
    expect(sequence('0 * * * *', '2024-11-03T04:30:00Z', 3, ny)).toEqual([
      '2024-11-03T05:00:00.000Z', // 01:00 EDT
      '2024-11-03T07:00:00.000Z', // 02:00 EST (01:00 EST is the second 01:00)
      '2024-11-03T08:00:00.000Z',
    ]);
    // Asked from inside the repeated hour (01:10 EST).
    expect(next('*/30 * * * *', '2024-11-03T06:10:00Z', ny)).toBe('2024-11-03T07:00:00.000Z');
    // A zone without daylight saving, at a half-hour offset.
    expect(next('0 0 * * *', '2024-05-01T00:00:00Z', 'Asia/Kolkata')).toBe('2024-05-01T18:30:00.000Z');
    // Half-hour daylight saving (Lord Howe: +10:30 → +11:00 on 6 October 2024 at 02:00).
    // 02:15 on 6 October does not exist and fires at 02:45 (+11:00), 15:45 UTC on the 5th.
    expect(sequence('15 2 * * *', '2024-10-04T00:00:00Z', 3, 'Australia/Lord_Howe')).toEqual([
      '2024-10-04T15:45:00.000Z',
      '2024-10-05T15:45:00.000Z',
      '2024-10-06T15:15:00.000Z',
    ]);
    expect(next('15 2 * * *', '2024-10-05T15:35:00Z', 'Australia/Lord_Howe')).toBe(
      '2024-10-05T15:45:00.000Z',
    );
  });

  it('agrees with a minute-by-minute scan on many random expressions', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = (min: number, max: number, names?: string[]) => {
      const r = rand(6);
      const v = () => min + rand(max - min + 1);
      if (r === 0) return '*';
      if (r === 1) return `*/${1 + rand(Math.min(8, max - min + 1))}`;
      if (r === 2) {
        const a = v();
        const b = v();
        return `${Math.min(a, b)}-${Math.max(a, b)}`;
      }
      if (r === 3) return `${v()},${v()},${v()}`;
      if (r === 4 && names) return names[rand(names.length)]!;
      return String(v());
    };
    const matches = (c: ParsedCron, t: Date, offsetMinutes: number) => {
      const w = new Date(t.getTime() + offsetMinutes * 60_000);
      const dom = c.daysOfMonth.includes(w.getUTCDate());
      const dow = c.daysOfWeek.includes(w.getUTCDay());
      const day = c.dayOfMonthRestricted && c.dayOfWeekRestricted ? dom || dow : dom && dow;
      return (
        c.minutes.includes(w.getUTCMinutes()) &&
        c.hours.includes(w.getUTCHours()) &&
        c.months.includes(w.getUTCMonth() + 1) &&
        day
      );
    };
    let checked = 0;
    for (let i = 0; i < 60; i++) {
      const expr = [
        pick(0, 59),
        pick(0, 23),
        pick(1, 28),
        rand(3) === 0 ? pick(1, 12, ['jan', 'apr', 'jul', 'oct']) : '*',
        pick(0, 6, ['mon', 'wed', 'sat']),
      ].join(' ');
      const cron = parseCron(expr);
      const offsetMinutes = [0, 120, -330, 585][rand(4)]!;
      const tz =
        offsetMinutes === 0
          ? 'UTC'
          : `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMinutes) % 60).padStart(2, '0')}`;
      const after = new Date(Date.UTC(2023, rand(12), 1 + rand(28), rand(24), rand(60), rand(60)));
      const got = nextCronTime(cron, after, tz);
      // Scan minute by minute (up to 400 days) for the expected answer.
      let t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
      const limit = after.getTime() + 400 * 86_400_000;
      while (t.getTime() < limit && !matches(cron, t, offsetMinutes)) t = new Date(t.getTime() + 60_000);
      if (t.getTime() >= limit) continue;
      expect(got.toISOString(), `${expr} (${tz}) after ${after.toISOString()}`).toBe(t.toISOString());
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('refuses an invalid date or timezone', () => {
    expect(() => nextCronTime(parseCron('@daily'), new Date(Number.NaN))).toThrow(ValidationError);
    expect(() => nextCronTime(parseCron('@daily'), new Date(), 'Mars/Olympus_Mons')).toThrow(
      /Unknown timezone 'Mars\/Olympus_Mons'/,
    );
  });
});

describe('normalizeTimezone', () => {
  it('normalizes UTC and fixed offsets and accepts IANA names', () => {
    expect(normalizeTimezone('UTC')).toBe('UTC');
    expect(normalizeTimezone('utc')).toBe('UTC');
    expect(normalizeTimezone('Z')).toBe('UTC');
    expect(normalizeTimezone('+02:00')).toBe('+02:00');
    expect(normalizeTimezone('+0200')).toBe('+02:00');
    expect(normalizeTimezone('-05:30')).toBe('-05:30');
    expect(normalizeTimezone('-00:00')).toBe('+00:00');
    expect(normalizeTimezone('+14:00')).toBe('+14:00');
    expect(normalizeTimezone('Europe/Paris')).toBe('Europe/Paris');
  });

  it('refuses anything else with a ValidationError on timezone', () => {
    for (const bad of ['', '+14:30', '-15:00', '+02:60', '+2:00', 'GMT+2:00:00', 'Mars/Olympus_Mons']) {
      let caught: unknown;
      try {
        normalizeTimezone(bad);
      } catch (e) {
        caught = e;
      }
      expect(caught, bad).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).field).toBe('timezone');
    }
  });
});
