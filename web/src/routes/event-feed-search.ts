/**
 * The event feed's filters as URL search params, and the `EventFilter` they stand for. Plain pairs,
 * a list as the key repeated (`?prefix=flowtrail.run.&related=tag:flowtrail.tag.nightly`), so a
 * feed's URL reopens the same view. Bad values are dropped, not errors: a hand-edited URL still
 * opens the page. Every field maps onto one `EventFilter` field; the store does the filtering.
 */
import type { EventFilterInput } from '../live/event-stream.ts';
import { searchInstant, searchList, searchText } from './search-values.ts';

/** Relative ranges, ending now. */
export const SPANS = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
} as const;
export type Span = keyof typeof SPANS;

/** The list-valued filters, each one URL key (repeated), in the order the toolbar offers them. */
export const LIST_FILTERS = [
  'event',
  'prefix',
  'exclude',
  'excludePrefix',
  'resource',
  'resourcePrefix',
  'label',
  'related',
  'relatedLabel',
  'any',
  'anyPrefix',
  'follows',
] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];

export interface EventFeedSearch {
  /** Exact event names (ORed) → `event.name`. */
  event?: string[];
  /** Name prefixes (ORed) → `event.prefix`. */
  prefix?: string[];
  /** Names left out → `event.excludeName`. */
  exclude?: string[];
  /** Name prefixes left out → `event.excludePrefix`. */
  excludePrefix?: string[];
  /** Primary resource ids (ORed) → `resource.id`. */
  resource?: string[];
  /** Primary resource id prefixes (ORed) → `resource.idPrefix`. */
  resourcePrefix?: string[];
  /** `key=glob` on the primary resource → `resource.labels` (one key repeated: a list). */
  label?: string[];
  /** `role:id`, `role:` or `:id`: each one related resource (ANDed) → `related[]`. */
  related?: string[];
  /** `key=glob`, all on one related resource → a `related` filter with `labels`. */
  relatedLabel?: string[];
  /** Resource ids, primary or related (ORed) → `anyResource.id`. */
  any?: string[];
  /** Resource id prefixes, primary or related (ORed) → `anyResource.idPrefix`. */
  anyPrefix?: string[];
  /** Leader event ids → `follows`. */
  follows?: string[];
  /** Text search → `text`. */
  q?: string;
  /** A relative range ending now; ignored when `since` or `until` is set. */
  span?: Span;
  /** ISO 8601 instants (inclusive) → `since` / `until`. */
  since?: string;
  until?: string;
}

/** `key=value` split at the first `=`, or undefined without a key. */
export function splitPair(value: string, separator: string): [string, string] | undefined {
  const at = value.indexOf(separator);
  if (at < 0) return undefined;
  return [value.slice(0, at), value.slice(at + separator.length)];
}

/** Whether a value is well-formed for its filter (labels need `key=`, related a `role:id` colon). */
export function validFilterValue(kind: ListFilter, value: string): boolean {
  if (kind === 'label' || kind === 'relatedLabel') return (splitPair(value, '=')?.[0] ?? '') !== '';
  if (kind === 'related') {
    const pair = splitPair(value, ':');
    return pair !== undefined && (pair[0] !== '' || pair[1] !== '');
  }
  return value !== '';
}

export function validateEventFeedSearch(search: Record<string, unknown>): EventFeedSearch {
  const out: EventFeedSearch = {};
  for (const key of LIST_FILTERS) {
    const values = searchList(search[key]).filter((v) => validFilterValue(key, v));
    if (values.length > 0) out[key] = values;
  }
  const q = searchText(search.q);
  if (q !== undefined) out.q = q;
  const since = searchInstant(search.since);
  const until = searchInstant(search.until);
  if (since !== undefined) out.since = since;
  if (until !== undefined) out.until = until;
  const span = Object.keys(SPANS).find((s) => s === search.span) as Span | undefined;
  if (span && since === undefined && until === undefined) out.span = span;
  return out;
}

/** Labels given as `key=glob` values: one key repeated makes a list (positives ORed). */
function labelSpec(values: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const pair = splitPair(v, '=');
    if (!pair) continue;
    const [key, glob] = pair;
    out[key] = [...(out[key] ?? []), glob];
  }
  return out;
}

/** The time range of a search: explicit bounds, or `span` back from `now`; open-ended bounds undefined. */
export function rangeOf(search: EventFeedSearch, now: number): { since?: number; until?: number } {
  if (search.since !== undefined || search.until !== undefined)
    return {
      ...(search.since !== undefined ? { since: new Date(search.since).getTime() } : {}),
      ...(search.until !== undefined ? { until: new Date(search.until).getTime() } : {}),
    };
  return search.span ? { since: now - SPANS[search.span] } : {};
}

/**
 * The `EventFilter` of a search (without its time range, which `rangeOf` gives: the list, the
 * histogram and the live stream each bound it their own way).
 */
export function filterOf(search: EventFeedSearch): EventFilterInput {
  const f: EventFilterInput = {};
  const event: NonNullable<EventFilterInput['event']> = {};
  if (search.event) event.name = search.event;
  if (search.prefix) event.prefix = search.prefix;
  if (search.exclude) event.excludeName = search.exclude;
  if (search.excludePrefix) event.excludePrefix = search.excludePrefix;
  if (Object.keys(event).length > 0) f.event = event;
  const resource: NonNullable<EventFilterInput['resource']> = {};
  if (search.resource) resource.id = search.resource;
  if (search.resourcePrefix) resource.idPrefix = search.resourcePrefix;
  if (search.label) resource.labels = labelSpec(search.label);
  if (Object.keys(resource).length > 0) f.resource = resource;
  const related: { id?: string[]; role?: string[]; labels?: Record<string, string[]> }[] = [];
  for (const r of search.related ?? []) {
    const [role, id] = splitPair(r, ':') ?? ['', ''];
    related.push({ ...(role !== '' ? { role: [role] } : {}), ...(id !== '' ? { id: [id] } : {}) });
  }
  if (search.relatedLabel) related.push({ labels: labelSpec(search.relatedLabel) });
  if (related.length > 0) f.related = related;
  const any: { id?: string[]; idPrefix?: string[] }[] = [];
  if (search.any) any.push({ id: search.any });
  if (search.anyPrefix) any.push({ idPrefix: search.anyPrefix });
  if (any.length > 0) f.anyResource = any;
  if (search.follows) f.follows = search.follows;
  if (search.q) f.text = search.q;
  return f;
}

/** The filter with a time range added (ISO strings, as the API takes them). */
export function withRange(
  filter: EventFilterInput,
  range: { since?: number; until?: number },
): EventFilterInput {
  return {
    ...filter,
    ...(range.since !== undefined ? { since: new Date(range.since).toISOString() } : {}),
    ...(range.until !== undefined ? { until: new Date(range.until).toISOString() } : {}),
  };
}

/** Whether the search narrows the feed at all (time range included). */
export function isFiltered(search: EventFeedSearch): boolean {
  return Object.keys(search).length > 0;
}

/** What the live tail follows: the filter and its range, or null once the range has ended. */
export function liveFilterOf(
  filter: EventFilterInput,
  range: { since?: number; until?: number },
  now: number,
): EventFilterInput | null {
  if (range.until !== undefined && range.until < now) return null;
  return withRange(filter, range);
}
