/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week) and their next fire
 * time in a timezone. The semantics are those of Vixie cron / cronie:
 *
 * - `*`, lists (`1,15`), ranges (`1-5`), steps (`*\/15`, `0-30/10`, `5/20` = `5-max/20`), month
 *   names `jan`–`dec` and weekday names `sun`–`sat` (case-insensitive, also inside ranges);
 *   day of week 0–7 with both 0 and 7 meaning Sunday.
 * - Macros: `@hourly`, `@daily` (= `@midnight`), `@weekly`, `@monthly`, `@yearly` (= `@annually`).
 * - Day of month and day of week: when both fields are restricted (neither starts with `*`), a day
 *   matches if *either* matches (`0 0 13 * fri` fires on every 13th and every Friday); when one
 *   of them starts with `*` (including `*\/2`), a day must match both.
 *
 * Timezones: `UTC`, a fixed offset (`+02:00`, `-0530`), or an IANA name (`Europe/Paris`, through
 * `Intl`). Times are wall-clock times of the zone. Around daylight-saving changes a wall time that
 * does not exist (spring forward) fires at the same moment as the wall time one gap later (02:30 →
 * 03:30), and a wall time that occurs twice (fall back) fires once, at its first occurrence — the
 * "compatible" disambiguation of RFC 5545 and Temporal.
 *
 * @example
 * const daily = parseCron('0 3 * * *');
 * nextCronTime(daily, new Date('2024-05-01T12:00:00Z'), 'UTC'); // 2024-05-02T03:00:00.000Z
 */
import { DAY_MS as DAY, HOUR_MS, MINUTE_MS as MINUTE } from './duration.ts';
import { ValidationError } from './errors.ts';

/** A parsed cron expression: the matching values of each field, sorted ascending. */
export interface ParsedCron {
  /** The expression as given (trimmed). */
  readonly expression: string;
  /** 0–59. */
  readonly minutes: readonly number[];
  /** 0–23. */
  readonly hours: readonly number[];
  /** 1–31. */
  readonly daysOfMonth: readonly number[];
  /** 1–12. */
  readonly months: readonly number[];
  /** 0–6, 0 = Sunday (7 in the expression is folded into 0). */
  readonly daysOfWeek: readonly number[];
  /** Whether the day-of-month field is restricted (does not start with `*`). */
  readonly dayOfMonthRestricted: boolean;
  /** Whether the day-of-week field is restricted (does not start with `*`). */
  readonly dayOfWeekRestricted: boolean;
}

interface FieldSpec {
  name: 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';
  min: number;
  max: number;
  /** Upper bound of `*` (day of week: 6, though 7 may be written). */
  starMax: number;
  names?: readonly string[];
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59, starMax: 59 },
  { name: 'hour', min: 0, max: 23, starMax: 23 },
  { name: 'day-of-month', min: 1, max: 31, starMax: 31 },
  { name: 'month', min: 1, max: 12, starMax: 12, names: MONTH_NAMES },
  { name: 'day-of-week', min: 0, max: 7, starMax: 6, names: DAY_NAMES },
];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Days in each month of a leap year: the most a month can have. */
const MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Parses a five-field cron expression or a macro. Every problem is a `ValidationError` whose field
 * is `cron.<field>` (`cron.minute`, `cron.day-of-week`…) or `cron` and whose message names the field.
 *
 * @example
 * parseCron('*\/15 9-17 * * mon-fri').hours; // [9, 10, …, 17]
 */
export function parseCron(expression: string): ParsedCron {
  if (typeof expression !== 'string')
    throw new ValidationError('cron', `A cron expression must be a string, got ${typeof expression}.`);
  const trimmed = expression.trim();
  let text = trimmed;
  if (text.startsWith('@')) {
    const macro = MACROS[text.toLowerCase()];
    if (!macro)
      throw new ValidationError(
        'cron',
        `Cron expression '${trimmed}': unknown macro; use one of ${Object.keys(MACROS).join(', ')}.`,
        { expression: trimmed },
      );
    text = macro;
  }
  const parts = text.length === 0 ? [] : text.split(/\s+/);
  if (parts.length !== 5)
    throw new ValidationError(
      'cron',
      `Cron expression '${trimmed}' has ${parts.length} field${parts.length === 1 ? '' : 's'}; expected 5 (minute hour day-of-month month day-of-week), e.g. '0 3 * * *', or a macro such as @daily.`,
      { expression: trimmed },
    );
  const values = parts.map((part, i) => parseField(trimmed, part, FIELDS[i]!));
  const [minutes, hours, daysOfMonth, months, rawDaysOfWeek] = values as [
    number[],
    number[],
    number[],
    number[],
    number[],
  ];
  const daysOfWeek = [...new Set(rawDaysOfWeek.map((d) => d % 7))].sort((a, b) => a - b);
  const dayOfMonthRestricted = !parts[2]!.startsWith('*');
  const dayOfWeekRestricted = !parts[4]!.startsWith('*');
  const cron: ParsedCron = {
    expression: trimmed,
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    dayOfMonthRestricted,
    dayOfWeekRestricted,
  };
  // With AND semantics (day of week starts with `*`), a day of month that no listed month has
  // (`0 0 30 feb *`) would never fire.
  if (dayOfMonthRestricted && !dayOfWeekRestricted) {
    const possible = months.some((m) => daysOfMonth.some((d) => d <= MAX_DAYS[m - 1]!));
    if (!possible)
      throw new ValidationError(
        'cron.day-of-month',
        `Cron expression '${trimmed}' never fires: no listed month has day ${daysOfMonth.join(', ')}.`,
        { expression: trimmed },
      );
  }
  return cron;
}

function parseField(expression: string, text: string, spec: FieldSpec): number[] {
  const fail = (message: string): never => {
    throw new ValidationError(
      `cron.${spec.name}`,
      `Cron expression '${expression}': ${spec.name} ${message}`,
      {
        expression,
        cronField: spec.name,
      },
    );
  };
  const out = new Set<number>();
  for (const item of text.split(',')) {
    if (item.length === 0) fail(`field '${text}' has an empty list item.`);
    const slash = item.indexOf('/');
    const base = slash === -1 ? item : item.slice(0, slash);
    let step = 1;
    if (slash !== -1) {
      const stepText = item.slice(slash + 1);
      const width = spec.max - spec.min + 1;
      if (!/^\d+$/.test(stepText)) fail(`step '${stepText}' in '${item}' is not a positive integer.`);
      step = Number(stepText);
      if (step < 1 || step > width) fail(`step ${step} in '${item}' must be from 1 to ${width}.`);
    }
    let from: number;
    let to: number;
    if (base === '*') {
      from = spec.min;
      to = spec.starMax;
    } else {
      const dash = base.indexOf('-');
      if (dash === -1) {
        from = value(base, item, spec, fail);
        // `5/15` is `5-max/15`; a bare value is just itself.
        to = slash === -1 ? from : spec.starMax;
      } else {
        from = value(base.slice(0, dash), item, spec, fail);
        to = value(base.slice(dash + 1), item, spec, fail);
        if (from > to) fail(`range '${base}' goes backwards; write the smaller value first.`);
      }
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function value(text: string, item: string, spec: FieldSpec, fail: (message: string) => never): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < spec.min || n > spec.max)
      fail(`value ${n} in '${item}' is out of range ${spec.min}–${spec.max}.`);
    return n;
  }
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index !== -1) return spec.name === 'month' ? index + 1 : index;
  const hint = spec.names
    ? ` (a number ${spec.min}–${spec.max} or ${spec.names[0]}–${spec.names.at(-1)})`
    : '';
  return fail(`value '${text}' in '${item}' is not a number${hint}.`);
}

// ---------------------------------------------------------------------------------------------
// Timezones

const FIXED_OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

/**
 * Checks a timezone and returns its normalized spelling: `UTC` (also for `utc`, `Z`), `±HH:MM`
 * for a fixed offset (`+0200` → `+02:00`, at most ±14:00), or the IANA name as given (checked with
 * `Intl`). Anything else is a `ValidationError` on field `timezone`.
 *
 * @example
 * normalizeTimezone('-0530'); // '-05:30'
 */
export function normalizeTimezone(timezone: string): string {
  if (typeof timezone !== 'string' || timezone.trim() === '')
    throw new ValidationError('timezone', 'A timezone must be a non-empty string such as UTC or +02:00.');
  const tz = timezone.trim();
  if (/^(utc|z)$/i.test(tz)) return 'UTC';
  const fixed = FIXED_OFFSET.exec(tz);
  if (fixed) {
    const hours = Number(fixed[2]);
    const minutes = Number(fixed[3]);
    if (minutes > 59 || hours * 60 + minutes > 14 * 60)
      throw new ValidationError(
        'timezone',
        `Timezone offset '${tz}' is out of range; offsets run from -14:00 to +14:00.`,
      );
    const sign = hours === 0 && minutes === 0 ? '+' : fixed[1];
    return `${sign}${fixed[2]}:${fixed[3]}`;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ValidationError(
      'timezone',
      `Unknown timezone '${tz}'; use UTC, a fixed offset such as +02:00, or an IANA name such as Europe/Paris.`,
    );
  }
  return tz;
}

/** Wall-clock ↔ instant conversion of one zone. Wall times are encoded as if they were UTC ms. */
interface Zone {
  /** Offset (wall − UTC) in ms at an instant. */
  offsetAt(instant: number): number;
  /** The instant a wall time fires at (see the module comment for DST gaps and overlaps). */
  fromWall(wall: number): number;
}

const zones = new Map<string, Zone>();

function zoneOf(timezone: string): Zone {
  const tz = normalizeTimezone(timezone);
  let zone = zones.get(tz);
  if (zone) return zone;
  const fixed = FIXED_OFFSET.exec(tz);
  if (tz === 'UTC' || fixed) {
    const offset = fixed
      ? (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * MINUTE
      : 0;
    zone = { offsetAt: () => offset, fromWall: (wall) => wall - offset };
  } else {
    zone = intlZone(tz);
  }
  zones.set(tz, zone);
  return zone;
}

function intlZone(timeZone: string): Zone {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    era: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const offsetAt = (instant: number): number => {
    const seconds = Math.floor(instant / 1000) * 1000;
    const f: Record<string, number> = {};
    let bc = false;
    for (const part of format.formatToParts(seconds)) {
      if (part.type === 'era') bc = part.value.startsWith('B');
      else if (part.type !== 'literal') f[part.type] = Number(part.value);
    }
    const year = bc ? 1 - f.year! : f.year!;
    const wall = Date.UTC(year, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!);
    // Date.UTC maps years 0–99 to 1900–1999.
    const fixedWall = year >= 0 && year < 100 ? new Date(wall).setUTCFullYear(year) : wall;
    return fixedWall - seconds;
  };
  const fromWall = (wall: number): number => {
    const before = offsetAt(wall - DAY);
    const after = offsetAt(wall + DAY);
    if (before === after) return wall - before;
    const early = wall - before;
    const late = wall - after;
    const earlyValid = offsetAt(early) === before;
    const lateValid = offsetAt(late) === after;
    if (earlyValid && lateValid) return Math.min(early, late); // occurs twice: the first time
    if (earlyValid) return early;
    if (lateValid) return late;
    return wall - before; // does not exist: read with the offset before the change (moves forward)
  };
  return { offsetAt, fromWall };
}

// ---------------------------------------------------------------------------------------------
// Next fire time

/** How far ahead to look: a full 400-year Gregorian cycle, so any possible day is found. */
const SEARCH_YEARS = 401;

/**
 * The first time strictly after `after` at which `cron` fires, in `timezone` (default UTC).
 * Fire times are whole minutes of the zone's wall clock.
 *
 * @example
 * nextCronTime(parseCron('30 9 * * mon'), new Date('2024-01-01T09:30:00Z'), '+01:00');
 * // 2024-01-08T08:30:00.000Z (Monday 09:30 at +01:00)
 */
export function nextCronTime(cron: ParsedCron, after: Date, timezone = 'UTC'): Date {
  const afterMs = after.getTime();
  if (Number.isNaN(afterMs)) throw new ValidationError('after', 'nextCronTime needs a valid Date.');
  const zone = zoneOf(timezone);
  const minuteOk = lookup(cron.minutes, 60);
  const monthOk = lookup(cron.months, 13);
  const domOk = lookup(cron.daysOfMonth, 32);
  const dowOk = lookup(cron.daysOfWeek, 7);
  const both = cron.dayOfMonthRestricted && cron.dayOfWeekRestricted;
  const dayMatches = (date: Date): boolean => {
    const dom = domOk[date.getUTCDate()]!;
    const dow = dowOk[date.getUTCDay()]!;
    return both ? dom || dow : dom && dow;
  };

  // Start at the wall minute of `after`. Just after a spring-forward change, wall times in the
  // skipped gap fire after `after` although they read earlier: start that much earlier.
  const offset = zone.offsetAt(afterMs);
  const gap = Math.max(0, offset - zone.offsetAt(afterMs - DAY));
  const startWall = Math.floor((afterMs + offset) / MINUTE) * MINUTE - gap;
  const day = new Date(startWall);
  day.setUTCHours(0, 0, 0, 0);
  const firstDay = day.getTime();
  const endYear = day.getUTCFullYear() + SEARCH_YEARS;

  while (day.getUTCFullYear() <= endYear) {
    if (!monthOk[day.getUTCMonth() + 1]) {
      day.setUTCMonth(day.getUTCMonth() + 1, 1);
      continue;
    }
    if (dayMatches(day)) {
      const dayStart = day.getTime();
      for (const hour of cron.hours) {
        const hourStart = dayStart + hour * HOUR_MS;
        if (hourStart + 59 * MINUTE < startWall) continue;
        for (let minute = 0; minute < 60; minute++) {
          if (!minuteOk[minute]) continue;
          const wall = hourStart + minute * MINUTE;
          if (wall < startWall) continue;
          const instant = zone.fromWall(wall);
          if (instant > afterMs) return new Date(instant);
        }
      }
    }
    day.setUTCDate(day.getUTCDate() + 1);
    if (day.getTime() < firstDay) break; // overflow guard
  }
  throw new ValidationError(
    'cron',
    `Cron expression '${cron.expression}' does not fire within ${SEARCH_YEARS} years of ${after.toISOString()}.`,
  );
}

function lookup(values: readonly number[], size: number): boolean[] {
  const table = new Array<boolean>(size).fill(false);
  for (const v of values) table[v] = true;
  return table;
}
