/**
 * The rows an event is stored as, shared by the SQLite and PostgreSQL writers: the `events` row and
 * one `event_resources` row per involved resource (the primary first, role '').
 */
import { searchText } from '../../events/match.ts';
import { type FlowtrailEvent, RESOURCE_ID } from '../../events/model.ts';
import type { EventResourcesTable, EventsTable } from './schema.ts';

/** An event's row, and the JSON labels of each involved resource (the primary first). */
export function encodeEvent(e: FlowtrailEvent): { row: Omit<EventsTable, 'seq'>; labels: string[] } {
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

export function resourceRows(
  seq: number,
  e: FlowtrailEvent,
  labels: readonly string[],
): EventResourcesTable[] {
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
