/**
 * The rows an event is stored as, shared by the SQLite and PostgreSQL stores: the `events` row and
 * one `event_resources` row per involved resource (the primary first, role ''), and the way back
 * from a row to the event.
 */
import type { Selectable } from 'kysely';
import { type FlowtrailEvent, RESOURCE_ID } from '../../events/model.ts';
import { searchText } from '../../events/text-query.ts';
import type { EventResourcesTable, EventsTable } from './schema.ts';

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

/** An event's row, and the JSON labels of each involved resource (the primary first). */
function encodeEvent(e: FlowtrailEvent): { row: Omit<EventsTable, 'seq'>; labels: string[] } {
  const labels = [JSON.stringify(e.resource), ...e.related.map((r) => JSON.stringify(r))];
  return {
    row: {
      id: e.id,
      occurred: e.occurred.getTime(),
      event: e.event,
      resource_id: e.resource[RESOURCE_ID],
      follows: e.follows,
      received: e.received.getTime(),
      resource: labels[0]!,
      related: `[${labels.slice(1).join(',')}]`,
      payload: JSON.stringify(e.payload),
      search: searchText(e),
    },
    labels,
  };
}

/** An event of a batch to insert, with its row and the JSON labels of each involved resource. */
export interface EncodedEvent {
  event: FlowtrailEvent;
  row: Omit<EventsTable, 'seq'>;
  labels: string[];
}

/**
 * The events of a batch to insert, encoded once, by id: ids repeated in `events` are dropped (the
 * first copy wins), in order.
 */
export function encodeBatch(events: readonly FlowtrailEvent[]): Map<string, EncodedEvent> {
  const byId = new Map<string, EncodedEvent>();
  for (const e of events) if (!byId.has(e.id)) byId.set(e.id, { event: e, ...encodeEvent(e) });
  return byId;
}

/** The `event_resources` rows of a stored event (the primary first, role ''). */
export function resourceRows(seq: number, encoded: EncodedEvent): EventResourcesTable[] {
  const { event: e, labels } = encoded;
  const occurred = e.occurred.getTime();
  const rows: EventResourcesTable[] = [
    { event_seq: seq, pos: 0, occurred, resource_id: e.resource[RESOURCE_ID], role: '', labels: labels[0]! },
  ];
  e.related.forEach((r, i) => {
    rows.push({
      event_seq: seq,
      pos: i + 1,
      occurred,
      resource_id: r[RESOURCE_ID],
      role: r['flowtrail.resource.role'],
      labels: labels[i + 1]!,
    });
  });
  return rows;
}
