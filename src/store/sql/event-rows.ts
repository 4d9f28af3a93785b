/**
 * The rows an event is stored as, shared by the SQLite and PostgreSQL stores: the `events` row and
 * one `event_links` row per involved resource (the primary first, role ''), and the way back
 * from a row to the event.
 */
import type { Selectable } from 'kysely';
import { type FlowtrailEvent, RESOURCE_ID } from '../../events/model.ts';
import { searchText } from '../../events/text-query.ts';
import type { EventsTable } from './schema.ts';

/** What reading an event needs (not the search text). */
export type EventRowOut = Omit<Selectable<EventsTable>, 'search' | 'resource_id'>;

/** The `events` columns an `EventRowOut` is read from. */
export const EVENT_READ_COLUMNS = [
  'seq',
  'id',
  'occurred',
  'event',
  'follows',
  'received',
  'resource',
  'related',
  'payload',
] as const;

/** The event a row holds (the inverse of {@link encodeEvent}). */
export function decodeEvent(r: EventRowOut): FlowtrailEvent {
  return {
    id: r.id,
    occurred: new Date(Number(r.occurred)),
    event: r.event,
    resource: JSON.parse(r.resource),
    related: JSON.parse(r.related),
    payload: JSON.parse(r.payload),
    follows: r.follows,
    received: new Date(Number(r.received)),
  };
}

/**
 * Which events' search text a store keeps: `all` (PostgreSQL, whose index reads the column) or
 * `non-ascii` (SQLite rebuilds an ASCII text from the row's JSON at query time, so it stores '').
 */
export type StoredSearch = 'all' | 'non-ascii';

// biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is 0x00–0x7f
const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * Whether an event's search text would be all ASCII, asked of the strings it is made of (the
 * name, every label value, the payload's JSON) without building it: at ingest rates building a
 * text only to throw it away cost ~5% of SQLite's append.
 */
function searchIsAscii(e: FlowtrailEvent, payloadJson: string): boolean {
  if (NON_ASCII.test(e.event) || NON_ASCII.test(payloadJson)) return false;
  for (const v of Object.values(e.resource)) if (NON_ASCII.test(v)) return false;
  for (const r of e.related) for (const v of Object.values(r)) if (NON_ASCII.test(v)) return false;
  return true;
}

/** An event's row. */
function encodeEvent(e: FlowtrailEvent, stored: StoredSearch): Omit<EventsTable, 'seq'> {
  const payload = JSON.stringify(e.payload);
  return {
    id: e.id,
    occurred: e.occurred.getTime(),
    event: e.event,
    resource_id: e.resource[RESOURCE_ID],
    follows: e.follows,
    received: e.received.getTime(),
    resource: JSON.stringify(e.resource),
    related: JSON.stringify(e.related),
    payload,
    search: stored === 'non-ascii' && searchIsAscii(e, payload) ? '' : searchText(e),
  };
}

/** An event of a batch to insert, with its row. */
export interface EncodedEvent {
  event: FlowtrailEvent;
  row: Omit<EventsTable, 'seq'>;
}

/**
 * The events of a batch to insert, encoded once, by id: ids repeated in `events` are dropped (the
 * first copy wins), in order.
 */
export function encodeBatch(
  events: readonly FlowtrailEvent[],
  stored: StoredSearch,
): Map<string, EncodedEvent> {
  const byId = new Map<string, EncodedEvent>();
  for (const e of events) if (!byId.has(e.id)) byId.set(e.id, { event: e, row: encodeEvent(e, stored) });
  return byId;
}

/**
 * Calls `link(resourceId, role)` for each `event_links` row of an event: the primary resource in
 * role '', then each related resource in its role.
 */
export function forEachLink(e: FlowtrailEvent, link: (resourceId: string, role: string) => void): void {
  link(e.resource[RESOURCE_ID], '');
  for (const r of e.related) link(r[RESOURCE_ID], r['flowtrail.resource.role']);
}
