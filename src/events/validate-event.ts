/**
 * Event validation at intake. Every rule broken is a `ValidationError` whose `field` is the path of
 * the offending field (`resource["flowtrail.resource.id"]`, `related[2]["flowtrail.resource.role"]`…)
 * and whose message says what the rule is and how to fix it. Nothing is dropped silently: an event
 * either validates or throws.
 */

import { MINUTE_MS } from '../core/duration.ts';
import { ValidationError } from '../core/errors.ts';
import { describeValue, isPlainObject, labelPath, preview } from './describe-value.ts';
import { checkEventId, newEventId } from './event-id.ts';
import { checkEventName, NUL_MESSAGE } from './event-name.ts';
import { checkEventTime } from './event-time.ts';
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

function checkLabels(
  value: unknown,
  field: string,
  what: string,
  allowReserved: boolean,
): Record<string, string> {
  if (!isPlainObject(value))
    throw new ValidationError(
      field,
      `${what} must be an object of string labels with a '${RESOURCE_ID}', got ${describeValue(value)}.`,
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
        `Label '${key}' of ${what} must be a string, got ${describeValue(v)}. Convert it with String(…), or put structured data in the payload.`,
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
        `payload${where} is ${describeValue(value)}; the payload must hold plain JSON only (objects, arrays, strings, numbers, booleans, null). Convert it, e.g. a Date with toISOString().`,
        { at: where },
      );
    seen.delete(value);
    return;
  }
  throw new ValidationError(
    'payload',
    `payload${where} is ${describeValue(value)}; the payload must hold plain JSON only (objects, arrays, strings, numbers, booleans, null).`,
    { at: where },
  );
}

/** How far in the future an event's `occurred` may be (clock skew between machines). */
export const MAX_FUTURE_SKEW_MS = 15 * MINUTE_MS;

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
      `An event must be an object with at least 'event' and 'resource', got ${describeValue(input)}.`,
    );
  for (const key of Object.keys(input))
    if (!INPUT_KEYS.has(key))
      throw new ValidationError(
        key,
        `Unknown event field '${key}'. An event has: ${[...INPUT_KEYS].filter((k) => k !== 'received').join(', ')}; put other data in the payload.`,
      );

  const name = checkEventName(input.event, allowReserved);

  const resource = checkLabels(input.resource, 'resource', 'The resource', allowReserved) as Resource;

  const relatedInput: unknown = input.related === undefined ? [] : input.related;
  if (!Array.isArray(relatedInput))
    throw new ValidationError(
      'related',
      `'related' must be a list of resources, got ${describeValue(relatedInput)}.`,
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
      `The payload must be a plain JSON object such as { rows: 10 }, got ${describeValue(payloadInput)}.`,
    );
  checkJson(payloadInput, '', new Set());
  const payloadJson = JSON.stringify(payloadInput);
  const payload = JSON.parse(payloadJson) as Record<string, unknown>;

  const id = input.id === undefined ? newEventId() : checkEventId(input.id, 'id', "The event 'id'");
  const follows =
    input.follows === undefined || input.follows === null
      ? null
      : checkEventId(input.follows, 'follows', "'follows' (the id of an earlier event)");
  const occurred =
    input.occurred === undefined
      ? new Date(now.getTime())
      : checkEventTime(input.occurred, 'occurred', "'occurred'");
  // Prefect stores future-dated events as given, which misorders the feed and fools triggers.
  const ahead = occurred.getTime() - now.getTime();
  const maxSkew = options.maxFutureSkewMs ?? MAX_FUTURE_SKEW_MS;
  if (ahead > maxSkew) {
    throw new ValidationError(
      'occurred',
      `'occurred' is ${Math.round(ahead / 1000)} s in the future (${occurred.toISOString()}); at most ${Math.round(maxSkew / MINUTE_MS)} minutes of clock skew is accepted. Check the emitting machine's clock, or leave 'occurred' out to use the time of emission.`,
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
