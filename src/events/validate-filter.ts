/**
 * Checks an `EventFilter` from outside (JSON from the CLI or the HTTP API, or code). Every rule
 * broken is a `ValidationError` whose `field` is the path from `filter` (`filter.event.prefix`,
 * `filter.related[1].labels["team"]`…) and whose message names the rule.
 */
import { ValidationError } from '../core/errors.ts';
import { codePointLength, describeValue, isPlainObject, labelPath } from './describe-value.ts';
import { checkEventTime } from './event-time.ts';
import type { EventFilter, EventNameFilter, LabelSpec, RelatedFilter, ResourceFilter } from './filter.ts';

/** Longest text search query, in characters. */
const MAX_TEXT_QUERY_LENGTH = 200;

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key))
      throw new ValidationError(
        `${field}.${key}`,
        `Unknown filter field '${field}.${key}'. Allowed here: ${allowed.join(', ')}.`,
      );
}

function filterObject(value: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(value))
    throw new ValidationError(field, `'${field}' must be an object, got ${describeValue(value)}.`);
  return value;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new ValidationError(field, `'${field}' must be a list of strings, got ${describeValue(value)}.`);
  return [...(value as string[])];
}

function optionalList(obj: Record<string, unknown>, key: string, field: string): string[] | undefined {
  return obj[key] === undefined ? undefined : stringList(obj[key], `${field}.${key}`);
}

/** Checks a `LabelSpec` at `field`: label → glob, or a list of globs. */
export function labelSpec(value: unknown, field: string): LabelSpec {
  const obj = filterObject(value, field);
  const out: Record<string, string | string[]> = {};
  for (const [key, v] of Object.entries(obj)) {
    const path = labelPath(field, key);
    if (typeof v === 'string') out[key] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[key] = [...v];
    else
      throw new ValidationError(
        path,
        `Label pattern '${field}.${key}' must be a glob string or a list of them (a leading '!' negates), got ${describeValue(v)}.`,
      );
  }
  return out;
}

function nameFilter(value: unknown, field: string): EventNameFilter {
  const obj = filterObject(value, field);
  checkKeys(obj, ['name', 'prefix', 'excludeName', 'excludePrefix'], field);
  const out: EventNameFilter = {};
  for (const key of ['name', 'prefix', 'excludeName', 'excludePrefix'] as const) {
    const list = optionalList(obj, key, field);
    if (list !== undefined) out[key] = list;
  }
  return out;
}

function resourceFilter(value: unknown, field: string): ResourceFilter {
  const obj = filterObject(value, field);
  checkKeys(obj, ['id', 'idPrefix', 'labels'], field);
  const out: ResourceFilter = {};
  const id = optionalList(obj, 'id', field);
  if (id !== undefined) out.id = id;
  const idPrefix = optionalList(obj, 'idPrefix', field);
  if (idPrefix !== undefined) out.idPrefix = idPrefix;
  if (obj.labels !== undefined) out.labels = labelSpec(obj.labels, `${field}.labels`);
  return out;
}

function relatedFilter(value: unknown, field: string): RelatedFilter {
  const obj = filterObject(value, field);
  checkKeys(obj, ['id', 'role', 'resourcesInRoles', 'labels'], field);
  const out: RelatedFilter = {};
  const id = optionalList(obj, 'id', field);
  if (id !== undefined) out.id = id;
  const role = optionalList(obj, 'role', field);
  if (role !== undefined) out.role = role;
  if (obj.resourcesInRoles !== undefined) {
    const pairs = obj.resourcesInRoles;
    const path = `${field}.resourcesInRoles`;
    if (
      !Array.isArray(pairs) ||
      pairs.some(
        (p) => !Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || typeof p[1] !== 'string',
      )
    )
      throw new ValidationError(
        path,
        `'${path}' must be a list of [resourceId, role] pairs of strings, got ${describeValue(pairs)}.`,
      );
    out.resourcesInRoles = (pairs as [string, string][]).map(([a, b]) => [a, b] as const);
  }
  if (obj.labels !== undefined) out.labels = labelSpec(obj.labels, `${field}.labels`);
  return out;
}

function oneOrMany<T>(value: unknown, field: string, each: (v: unknown, f: string) => T): T | T[] {
  return Array.isArray(value) ? value.map((v, i) => each(v, `${field}[${i}]`)) : each(value, field);
}

const FILTER_KEYS = [
  'since',
  'until',
  'event',
  'resource',
  'related',
  'anyResource',
  'id',
  'follows',
  'text',
  'order',
];

/**
 * Checks a filter from outside (JSON from the CLI or the HTTP API, or code) and returns it
 * normalized: `since` and `until` as Dates (ISO strings accepted), lists copied.
 *
 * @throws ValidationError for an unknown key, a wrong type, a text query over 200 characters,
 * or `since` after `until`; `field` is the path, e.g. `filter.event.prefix`.
 *
 * @example
 * validateFilter({ event: { prefix: ['dataset.'] }, since: '2024-05-01T00:00:00Z' });
 */
export function validateFilter(filter: unknown): EventFilter {
  const root = 'filter';
  if (filter === undefined || filter === null) return {};
  const obj = filterObject(filter, root);
  checkKeys(obj, FILTER_KEYS, root);
  const out: EventFilter = {};
  if (obj.since !== undefined) out.since = checkEventTime(obj.since, `${root}.since`, "'filter.since'");
  if (obj.until !== undefined) out.until = checkEventTime(obj.until, `${root}.until`, "'filter.until'");
  if (out.since && out.until && out.since.getTime() > out.until.getTime())
    throw new ValidationError(
      `${root}.since`,
      `'filter.since' (${out.since.toISOString()}) is after 'filter.until' (${out.until.toISOString()}); swap them or widen the range.`,
    );
  if (obj.event !== undefined) out.event = nameFilter(obj.event, `${root}.event`);
  if (obj.resource !== undefined) out.resource = resourceFilter(obj.resource, `${root}.resource`);
  if (obj.related !== undefined) out.related = oneOrMany(obj.related, `${root}.related`, relatedFilter);
  if (obj.anyResource !== undefined)
    out.anyResource = oneOrMany(obj.anyResource, `${root}.anyResource`, resourceFilter);
  // Event ids are stored lower-cased.
  if (obj.id !== undefined) out.id = stringList(obj.id, `${root}.id`).map((id) => id.toLowerCase());
  if (obj.follows !== undefined)
    out.follows = stringList(obj.follows, `${root}.follows`).map((id) => id.toLowerCase());
  if (obj.text !== undefined) {
    if (typeof obj.text !== 'string')
      throw new ValidationError(
        `${root}.text`,
        `'filter.text' must be a string, got ${describeValue(obj.text)}.`,
      );
    const length = codePointLength(obj.text, MAX_TEXT_QUERY_LENGTH);
    if (length > MAX_TEXT_QUERY_LENGTH)
      throw new ValidationError(
        `${root}.text`,
        `'filter.text' is ${length} characters long; at most ${MAX_TEXT_QUERY_LENGTH} are allowed. Shorten the search.`,
        { length, limit: MAX_TEXT_QUERY_LENGTH },
      );
    out.text = obj.text;
  }
  if (obj.order !== undefined) {
    if (obj.order !== 'asc' && obj.order !== 'desc')
      throw new ValidationError(
        `${root}.order`,
        `'filter.order' must be 'asc' or 'desc', got ${describeValue(obj.order)}.`,
      );
    out.order = obj.order;
  }
  return out;
}
