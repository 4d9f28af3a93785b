/**
 * Flag parsing for `flowtrail events …`: the filter flags shared by `list`, `tail` and `count`
 * (turned into one `EventFilter` by {@link eventFilterFromFlags}), times (ISO or a span ago such
 * as `15m`), `key=value` labels and `role:id` related resources.
 */
import type { Command } from 'commander';
import { parseIsoDateTime } from '../core/date-time.ts';
import { parseSpan as parseSpanText } from '../core/duration.ts';
import { UsageError } from '../core/errors.ts';
import type { EventFilter, LabelSpec, RelatedFilter } from '../events/filter.ts';

/** The filter flags as commander hands them over. */
export interface EventFilterFlags {
  since?: string;
  until?: string;
  event?: string[];
  prefix?: string[];
  exclude?: string[];
  excludePrefix?: string[];
  resourceId?: string[];
  resourcePrefix?: string[];
  resourceLabel?: string[];
  related?: string[];
  relatedRole?: string[];
  anyResource?: string[];
  id?: string[];
  text?: string;
  order?: string;
}

/**
 * Adds the filter flags to a command; `order` only where an order means something (`list`).
 * Each `…` flag takes several values (`--event a b`) and may be repeated (`--event a --event b`).
 */
export function withEventFilterOptions(cmd: Command, options: { order?: boolean } = {}): Command {
  cmd
    .option('--since <time>', 'occurred at or after: ISO time, or a span ago (30s, 15m, 2h, 7d, 1w)')
    .option('--until <time>', 'occurred at or before: ISO time, or a span ago')
    .option('--event <names...>', 'event names (exact; any of them)')
    .option('--prefix <prefixes...>', 'event name prefixes, e.g. flowtrail.run. (any of them)')
    .option('--exclude <names...>', 'leave out these event names')
    .option('--exclude-prefix <prefixes...>', 'leave out event names with these prefixes')
    .option('--resource-id <ids...>', 'primary resource ids (any of them)')
    .option('--resource-prefix <prefixes...>', 'primary resource id prefixes (any of them)')
    .option(
      '--resource-label <key=glob...>',
      'primary resource labels: globs (* ? […]), ! negates; keys ANDed, a repeated key ORs its values',
    )
    .option(
      '--related <role:id...>',
      'a related resource with this role and id; each one given must be present (AND)',
    )
    .option('--related-role <roles...>', 'some related resource has one of these roles')
    .option('--any-resource <ids...>', 'the primary or a related resource has one of these ids')
    .option('--id <ids...>', 'event ids')
    .option(
      '--text <query>',
      'text search over name, labels and payload: terms ORed, +term required, -term excluded, "a phrase"',
    );
  if (options.order) cmd.option('--order <order>', 'asc (oldest first) or desc (newest first, the default)');
  return cmd;
}

/** A duration such as `90s`, `15m`, `2h`, `7d`, `1w`, in milliseconds. */
export function parseSpan(name: string, value: string): number {
  const ms = parseSpanText(value);
  if (ms === undefined)
    throw new UsageError(`--${name} must be a duration such as 30s, 15m, 2h, 7d or 1w; got '${value}'.`);
  return ms;
}

/**
 * `2025-01-31T12:00:00Z` (any ISO date or date-time), `now`, or a span ago: `90s`, `15m`, `2h`,
 * `7d`, `1w` (a number and a unit) — `now` minus that span.
 */
export function parseTimeFlag(name: string, value: string, now: number = Date.now()): Date {
  const text = value.trim();
  if (text === 'now') return new Date(now);
  const span = parseSpanText(text);
  if (span !== undefined) return new Date(now - span);
  // The event API's rule: a date-time without an offset is UTC.
  const iso = parseIsoDateTime(text);
  if (iso) return iso;
  throw new UsageError(
    `--${name} must be an ISO time (2025-01-31T12:00:00Z) or a span ago such as 30s, 15m, 2h, 7d or 1w; got '${value}'.`,
  );
}

/** Splits `key=value` at the first `=`; the key must be non-empty. */
export function parseKeyValue(flag: string, word: string): [string, string] {
  const eq = word.indexOf('=');
  if (eq <= 0)
    throw new UsageError(
      `--${flag} expects key=value, got '${word}'. (A flag that takes several values takes every word up to the next flag.)`,
    );
  return [word.slice(0, eq), word.slice(eq + 1)];
}

/** Splits `role:id` at the first `:`; both parts must be non-empty. */
export function parseRoleId(flag: string, word: string): { role: string; id: string } {
  const colon = word.indexOf(':');
  if (colon <= 0 || colon === word.length - 1)
    throw new UsageError(
      `--${flag} expects role:id (e.g. owner:team.forecasting), got '${word}'.` +
        (colon < 0 && flag === 'related' ? ' To match an id in any role, use --any-resource ID.' : ''),
    );
  return { role: word.slice(0, colon), id: word.slice(colon + 1) };
}

/**
 * `role:id:key=value` → a label on the related resource `role:id`. The id may itself contain `:`;
 * the label key is what lies between the last `:` before the `=` and the `=`.
 */
export function parseRelatedLabel(word: string): { role: string; id: string; key: string; value: string } {
  const eq = word.indexOf('=');
  const head = eq < 0 ? word : word.slice(0, eq);
  const lastColon = head.lastIndexOf(':');
  const firstColon = head.indexOf(':');
  if (eq < 0 || firstColon <= 0 || lastColon === firstColon || lastColon === head.length - 1)
    throw new UsageError(
      `--related-label expects role:id:key=value (e.g. owner:team.forecasting:region=eu), got '${word}'.`,
    );
  return {
    role: head.slice(0, firstColon),
    id: head.slice(firstColon + 1, lastColon),
    key: head.slice(lastColon + 1),
    value: word.slice(eq + 1),
  };
}

/** `key=glob` words → a label spec; a key given more than once ORs its values. */
function parseLabelSpec(flag: string, words: readonly string[]): LabelSpec {
  const spec: Record<string, string[]> = {};
  for (const w of words) {
    const [k, v] = parseKeyValue(flag, w);
    const values = spec[k] ?? [];
    values.push(v);
    spec[k] = values;
  }
  return Object.fromEntries(Object.entries(spec).map(([k, vs]) => [k, vs.length === 1 ? vs[0]! : vs]));
}

const nonEmpty = <T>(list: readonly T[] | undefined): list is readonly T[] =>
  list !== undefined && list.length > 0;

/** The one place the filter flags become an `EventFilter` (validated again by the client). */
export function eventFilterFromFlags(flags: EventFilterFlags, now: number = Date.now()): EventFilter {
  const filter: EventFilter = {};
  if (flags.since !== undefined) filter.since = parseTimeFlag('since', flags.since, now);
  if (flags.until !== undefined) filter.until = parseTimeFlag('until', flags.until, now);
  if (filter.since && filter.until && filter.since > filter.until)
    throw new UsageError(
      `--since (${filter.since.toISOString()}) is after --until (${filter.until.toISOString()}).`,
    );

  const event = {
    ...(nonEmpty(flags.event) ? { name: flags.event } : {}),
    ...(nonEmpty(flags.prefix) ? { prefix: flags.prefix } : {}),
    ...(nonEmpty(flags.exclude) ? { excludeName: flags.exclude } : {}),
    ...(nonEmpty(flags.excludePrefix) ? { excludePrefix: flags.excludePrefix } : {}),
  };
  if (Object.keys(event).length > 0) filter.event = event;

  const resource = {
    ...(nonEmpty(flags.resourceId) ? { id: flags.resourceId } : {}),
    ...(nonEmpty(flags.resourcePrefix) ? { idPrefix: flags.resourcePrefix } : {}),
    ...(nonEmpty(flags.resourceLabel)
      ? { labels: parseLabelSpec('resource-label', flags.resourceLabel) }
      : {}),
  };
  if (Object.keys(resource).length > 0) filter.resource = resource;

  // Each --related role:id is its own related filter (all must be met); --related-role adds one more.
  const related: RelatedFilter[] = (flags.related ?? []).map((w) => {
    const { role, id } = parseRoleId('related', w);
    return { id: [id], role: [role] };
  });
  if (nonEmpty(flags.relatedRole)) related.push({ role: flags.relatedRole });
  if (related.length > 0) filter.related = related;

  if (nonEmpty(flags.anyResource)) filter.anyResource = { id: flags.anyResource };
  if (nonEmpty(flags.id)) filter.id = flags.id;
  if (flags.text !== undefined) filter.text = flags.text;
  if (flags.order !== undefined) {
    if (flags.order !== 'asc' && flags.order !== 'desc')
      throw new UsageError(`--order must be asc or desc, got '${flags.order}'.`);
    filter.order = flags.order;
  }
  return filter;
}
