/**
 * Event and filter validation. Every rule broken is a `ValidationError` whose `field` is the path of
 * the offending field (`resource["flowtrail.resource.id"]`, `related[2]["flowtrail.resource.role"]`,
 * `filter.event.prefix`…) and whose message says what the rule is and how to fix it. Nothing is
 * dropped silently: an event either validates or throws.
 */
import { randomFillSync } from 'node:crypto';
import { ValidationError } from '../core/errors.ts';
import type { EventFilter, EventNameFilter, LabelSpec, RelatedFilter, ResourceFilter } from './filter.ts';
import {
  EVENT_LIMITS,
  type EventInput,
  type FlowtrailEvent,
  RESERVED_PREFIX,
  RESOURCE_ID,
  RESOURCE_NAME,
  RESOURCE_ROLE,
  type RelatedResource,
  type Resource,
} from './model.ts';

/** Longest text search query, in characters. */
export const MAX_TEXT_QUERY_LENGTH = 200;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// ISO 8601 date or date-time; a date-time without an offset is read as UTC.
const ISO_RE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;
const ALLOWED_RESERVED_LABELS = new Set([RESOURCE_ID, RESOURCE_ROLE, RESOURCE_NAME]);
const INPUT_KEYS = new Set([
  'event',
  'resource',
  'related',
  'payload',
  'occurred',
  'id',
  'follows',
  'received',
]);

// ---------------------------------------------------------------------------------------------
// UUIDv7

const random = Buffer.alloc(4096);
let randomOffset = random.length;
let lastMs = -1;
let counter = 0;

function randomBytes(n: number): Buffer {
  if (randomOffset + n > random.length) {
    randomFillSync(random);
    randomOffset = 0;
  }
  const out = random.subarray(randomOffset, randomOffset + n);
  randomOffset += n;
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A new UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter seeded at random
 * each millisecond, then 62 random bits. Ids made by one process are strictly increasing, so they
 * sort by creation time.
 *
 * @example
 * newEventId(); // '0190a6f2-3c4d-7a1b-8e2f-0123456789ab'
 */
export function newEventId(): string {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    // Start low in the 12-bit space so a burst within one millisecond rarely overflows it.
    counter = randomBytes(2).readUInt16BE(0) & 0x7ff;
  } else {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      // The counter is spent: borrow the next millisecond, keeping ids increasing.
      lastMs = ++ms;
      counter = randomBytes(2).readUInt16BE(0) & 0x7ff;
    }
  }
  const b = Buffer.allocUnsafe(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  randomBytes(8).copy(b, 8);
  b[8] = 0x80 | (b[8]! & 0x3f);
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += HEX[b[i]!];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Quotes a label key for a field path: `resource["flowtrail.resource.id"]`. */
const labelPath = (base: string, key: string): string => `${base}[${JSON.stringify(key)}]`;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a Date';
  if (typeof value === 'string') return `the string ${JSON.stringify(preview(value))}`;
  if (typeof value === 'object') return `an object of class ${value.constructor?.name ?? 'unknown'}`;
  return `${typeof value} ${String(value)}`;
}

function preview(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Length in Unicode code points. */
function charLength(text: string, limit: number): number {
  // Code points never outnumber UTF-16 units, so short strings need no counting.
  if (text.length <= limit) return text.length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function parseTime(value: unknown, field: string, what: string): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new ValidationError(
        field,
        `${what} is an invalid Date. Pass a valid Date or an ISO 8601 string.`,
      );
    return new Date(value.getTime());
  }
  if (typeof value === 'string') {
    const m = ISO_RE.exec(value.trim());
    if (m) {
      const text =
        m[2] !== undefined && m[3] === undefined ? `${m[1]}T${m[2]}Z` : value.trim().replace(' ', 'T');
      const ms = Date.parse(text);
      if (!Number.isNaN(ms)) return new Date(ms);
    }
    throw new ValidationError(
      field,
      `${what} ${JSON.stringify(preview(value))} is not an ISO 8601 date-time. Use e.g. '2024-05-01T12:00:00Z' (no offset means UTC).`,
    );
  }
  throw new ValidationError(field, `${what} must be a Date or an ISO 8601 string, got ${describe(value)}.`);
}

// ---------------------------------------------------------------------------------------------
// Events

/** PostgreSQL text cannot hold U+0000, so no store could keep it the same everywhere: refused at intake. */
const NUL_MESSAGE = 'contains the NUL character (U+0000), which the stores cannot keep; remove it';

function checkLabels(
  value: unknown,
  field: string,
  what: string,
  allowReserved: boolean,
): Record<string, string> {
  if (!isPlainObject(value))
    throw new ValidationError(
      field,
      `${what} must be an object of string labels with a '${RESOURCE_ID}', got ${describe(value)}.`,
    );
  const keys = Object.keys(value);
  if (keys.length > EVENT_LIMITS.maxLabelsPerResource)
    throw new ValidationError(
      field,
      `${what} has ${keys.length} labels; at most ${EVENT_LIMITS.maxLabelsPerResource} are allowed. Move bulk data to the payload.`,
      { count: keys.length, limit: EVENT_LIMITS.maxLabelsPerResource },
    );
  const out: Record<string, string> = {};
  for (const key of keys) {
    const v = value[key];
    if (typeof v !== 'string')
      throw new ValidationError(
        labelPath(field, key),
        `Label '${key}' of ${what} must be a string, got ${describe(v)}. Convert it with String(…), or put structured data in the payload.`,
      );
    if (key.includes('\u0000') || v.includes('\u0000'))
      throw new ValidationError(labelPath(field, key), `Label '${preview(key)}' of ${what} ${NUL_MESSAGE}.`);
    if (!allowReserved && key.startsWith(RESERVED_PREFIX) && !ALLOWED_RESERVED_LABELS.has(key))
      throw new ValidationError(
        labelPath(field, key),
        `Label '${key}' of ${what} uses the reserved prefix '${RESERVED_PREFIX}' (only ${[...ALLOWED_RESERVED_LABELS].join(', ')} may be set). Use your own namespace, e.g. 'acme.${key.slice(RESERVED_PREFIX.length)}'.`,
      );
    out[key] = v;
  }
  const id = out[RESOURCE_ID];
  if (id === undefined || id.trim() === '')
    throw new ValidationError(
      labelPath(field, RESOURCE_ID),
      id === undefined
        ? `${what} has no '${RESOURCE_ID}' label; every resource needs one, e.g. { '${RESOURCE_ID}': 'dataset.sales' }.`
        : `${what} has an empty '${RESOURCE_ID}'; give a non-empty, dot-delimited id such as 'dataset.sales'.`,
    );
  return out;
}

/** Checks a payload is JSON: plain objects, arrays, strings, finite numbers, booleans, null; no cycles. */
function checkJson(value: unknown, where: string, seen: Set<object>): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000'))
      throw new ValidationError('payload', `payload${where} ${NUL_MESSAGE}.`, { at: where });
    return;
  }
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw new ValidationError(
      'payload',
      `payload${where} is ${value}, which JSON cannot hold. Use null or a string.`,
      {
        at: where,
      },
    );
  }
  if (typeof value === 'object') {
    if (seen.has(value))
      throw new ValidationError(
        'payload',
        `payload${where} refers back to itself; the payload must be a tree.`,
        {
          at: where,
        },
      );
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) checkJson(value[i], `${where}[${i}]`, seen);
    } else if (isPlainObject(value))
      for (const [k, v] of Object.entries(value)) {
        if (k.includes('\u0000'))
          throw new ValidationError('payload', `A key in payload${where} ${NUL_MESSAGE}.`, { at: where });
        checkJson(v, `${where}[${JSON.stringify(k)}]`, seen);
      }
    else
      throw new ValidationError(
        'payload',
        `payload${where} is ${describe(value)}; the payload must hold plain JSON only (objects, arrays, strings, numbers, booleans, null). Convert it, e.g. a Date with toISOString().`,
        { at: where },
      );
    seen.delete(value);
    return;
  }
  throw new ValidationError(
    'payload',
    `payload${where} is ${describe(value)}; the payload must hold plain JSON only (objects, arrays, strings, numbers, booleans, null).`,
    { at: where },
  );
}

function checkUuid(value: unknown, field: string, what: string): string {
  if (typeof value !== 'string' || !UUID_RE.test(value))
    throw new ValidationError(
      field,
      `${what} must be a UUID such as '0190a6f2-3c4d-7a1b-8e2f-0123456789ab', got ${describe(value)}. Omit it to get a new one.`,
    );
  return value.toLowerCase();
}

/** How far in the future an event's `occurred` may be (clock skew between machines). */
export const MAX_FUTURE_SKEW_MS = 15 * 60_000;

/**
 * Validates and normalizes an event: `id` defaults to a new UUIDv7, `occurred` to now (an ISO
 * string without an offset is UTC), `related` to [], `payload` to {}, `follows` to null; `received`
 * is stamped now (a caller's `received` is ignored). The result shares nothing with the input.
 *
 * Unless `allowReserved` (Flowtrail's own events), names and label keys starting `flowtrail.` are
 * refused, except the labels `flowtrail.resource.id`, `.role` and `.name`.
 *
 * @throws ValidationError naming the field for each rule broken (see the module comment).
 *
 * @example
 * const e = validateEvent({ event: 'dataset.refreshed', resource: { 'flowtrail.resource.id': 'dataset.sales' } });
 */
export function validateEvent(
  input: EventInput,
  options: { allowReserved?: boolean; now?: Date; maxFutureSkewMs?: number } = {},
): FlowtrailEvent {
  const allowReserved = options.allowReserved ?? false;
  const now = options.now ?? new Date();
  if (!isPlainObject(input))
    throw new ValidationError(
      'event',
      `An event must be an object with at least 'event' and 'resource', got ${describe(input)}.`,
    );
  for (const key of Object.keys(input))
    if (!INPUT_KEYS.has(key))
      throw new ValidationError(
        key,
        `Unknown event field '${key}'. An event has: ${[...INPUT_KEYS].filter((k) => k !== 'received').join(', ')}; put other data in the payload.`,
      );

  const name: unknown = input.event;
  if (typeof name !== 'string' || name.trim() === '')
    throw new ValidationError(
      'event',
      name === undefined
        ? "The event name ('event') is missing; give a dot-delimited name such as 'dataset.refreshed'."
        : `The event name ('event') must be a non-empty string such as 'dataset.refreshed', got ${describe(name)}.`,
    );
  const nameLength = charLength(name, EVENT_LIMITS.maxNameLength);
  if (nameLength > EVENT_LIMITS.maxNameLength)
    throw new ValidationError(
      'event',
      `The event name is ${nameLength} characters long; at most ${EVENT_LIMITS.maxNameLength} are allowed. Use a short name and put details in the payload.`,
      { length: nameLength, limit: EVENT_LIMITS.maxNameLength },
    );
  if (name.includes('\u0000')) throw new ValidationError('event', `The event name ${NUL_MESSAGE}.`);
  if (!allowReserved && name.startsWith(RESERVED_PREFIX))
    throw new ValidationError(
      'event',
      `Event name '${preview(name)}' uses the reserved prefix '${RESERVED_PREFIX}', kept for events Flowtrail emits itself. Use your own namespace, e.g. '${name.slice(RESERVED_PREFIX.length)}'.`,
    );

  const resource = checkLabels(input.resource, 'resource', 'The resource', allowReserved) as Resource;

  const relatedInput: unknown = input.related === undefined ? [] : input.related;
  if (!Array.isArray(relatedInput))
    throw new ValidationError(
      'related',
      `'related' must be a list of resources, got ${describe(relatedInput)}.`,
    );
  if (relatedInput.length > EVENT_LIMITS.maxRelated)
    throw new ValidationError(
      'related',
      `The event has ${relatedInput.length} related resources; at most ${EVENT_LIMITS.maxRelated} are allowed. Relate the most important ones and put the rest in the payload.`,
      { count: relatedInput.length, limit: EVENT_LIMITS.maxRelated },
    );
  const related = relatedInput.map((r: unknown, i) => {
    const field = `related[${i}]`;
    const labels = checkLabels(r, field, `Related resource ${i}`, allowReserved);
    const role = labels[RESOURCE_ROLE];
    if (role === undefined || role.trim() === '')
      throw new ValidationError(
        labelPath(field, RESOURCE_ROLE),
        `Related resource ${i} ('${preview(labels[RESOURCE_ID]!)}') needs a non-empty '${RESOURCE_ROLE}' saying how it takes part, e.g. 'owner' or 'tag'.`,
      );
    return labels as RelatedResource;
  });

  const payloadInput: unknown = input.payload === undefined ? {} : input.payload;
  if (!isPlainObject(payloadInput))
    throw new ValidationError(
      'payload',
      `The payload must be a plain JSON object such as { rows: 10 }, got ${describe(payloadInput)}.`,
    );
  checkJson(payloadInput, '', new Set());
  const payloadJson = JSON.stringify(payloadInput);
  const payload = JSON.parse(payloadJson) as Record<string, unknown>;

  const id = input.id === undefined ? newEventId() : checkUuid(input.id, 'id', "The event 'id'");
  const follows =
    input.follows === undefined || input.follows === null
      ? null
      : checkUuid(input.follows, 'follows', "'follows' (the id of an earlier event)");
  const occurred =
    input.occurred === undefined
      ? new Date(now.getTime())
      : parseTime(input.occurred, 'occurred', "'occurred'");
  // Prefect stores future-dated events as given, which misorders the feed and fools triggers.
  const ahead = occurred.getTime() - now.getTime();
  const maxSkew = options.maxFutureSkewMs ?? MAX_FUTURE_SKEW_MS;
  if (ahead > maxSkew) {
    throw new ValidationError(
      'occurred',
      `'occurred' is ${Math.round(ahead / 1000)} s in the future (${occurred.toISOString()}); at most ${Math.round(maxSkew / 60_000)} minutes of clock skew is accepted. Check the emitting machine's clock, or leave 'occurred' out to use the time of emission.`,
    );
  }

  const event: FlowtrailEvent = {
    id,
    occurred,
    event: name,
    resource,
    related,
    payload,
    follows,
    received: new Date(now.getTime()),
  };
  const size = eventSize(event);
  if (size > EVENT_LIMITS.maxSizeBytes)
    throw new ValidationError(
      'event',
      `The event is ${size} bytes as JSON; at most ${EVENT_LIMITS.maxSizeBytes} are allowed. Store large data elsewhere (an artifact, a file) and put a reference in the payload.`,
      { size, limit: EVENT_LIMITS.maxSizeBytes },
    );
  return event;
}

/** The size of an event as UTF-8 JSON, in bytes (what the size limit measures). */
export function eventSize(event: FlowtrailEvent): number {
  return Buffer.byteLength(JSON.stringify(event), 'utf8');
}

// ---------------------------------------------------------------------------------------------
// Filters

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
    throw new ValidationError(field, `'${field}' must be an object, got ${describe(value)}.`);
  return value;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new ValidationError(field, `'${field}' must be a list of strings, got ${describe(value)}.`);
  return [...(value as string[])];
}

function optionalList(obj: Record<string, unknown>, key: string, field: string): string[] | undefined {
  return obj[key] === undefined ? undefined : stringList(obj[key], `${field}.${key}`);
}

function labelSpec(value: unknown, field: string): LabelSpec {
  const obj = filterObject(value, field);
  const out: Record<string, string | string[]> = {};
  for (const [key, v] of Object.entries(obj)) {
    const path = labelPath(field, key);
    if (typeof v === 'string') out[key] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[key] = [...v];
    else
      throw new ValidationError(
        path,
        `Label pattern '${field}.${key}' must be a glob string or a list of them (a leading '!' negates), got ${describe(v)}.`,
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
        `'${path}' must be a list of [resourceId, role] pairs of strings, got ${describe(pairs)}.`,
      );
    out.resourcesInRoles = (pairs as [string, string][]).map(([a, b]) => [a, b] as const);
  }
  if (obj.labels !== undefined) out.labels = labelSpec(obj.labels, `${field}.labels`);
  return out;
}

function oneOrMany<T>(value: unknown, field: string, each: (v: unknown, f: string) => T): T | T[] {
  return Array.isArray(value) ? value.map((v, i) => each(v, `${field}[${i}]`)) : each(value, field);
}

const FILTER_KEYS = ['since', 'until', 'event', 'resource', 'related', 'anyResource', 'id', 'text', 'order'];

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
  if (obj.since !== undefined) out.since = parseTime(obj.since, `${root}.since`, "'filter.since'");
  if (obj.until !== undefined) out.until = parseTime(obj.until, `${root}.until`, "'filter.until'");
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
  if (obj.text !== undefined) {
    if (typeof obj.text !== 'string')
      throw new ValidationError(`${root}.text`, `'filter.text' must be a string, got ${describe(obj.text)}.`);
    const length = charLength(obj.text, MAX_TEXT_QUERY_LENGTH);
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
        `'filter.order' must be 'asc' or 'desc', got ${describe(obj.order)}.`,
      );
    out.order = obj.order;
  }
  return out;
}
