/**
 * Events as plain JSON (dates as ISO strings), the form trigger state keeps them in (it is stored
 * as JSON) and the form templates see.
 */
import type { FlowtrailEvent, RelatedResource, Resource } from '../events/model.ts';

export interface EventJSON {
  id: string;
  occurred: string;
  event: string;
  resource: Resource;
  related: RelatedResource[];
  payload: Record<string, unknown>;
  follows: string | null;
  received: string;
}

/** One event is counted by many automations: its JSON form is made once (treat it as read-only). */
const asJSON = new WeakMap<FlowtrailEvent, EventJSON>();

export function eventToJSON(e: FlowtrailEvent): EventJSON {
  let json = asJSON.get(e);
  if (!json) {
    json = toJSON(e);
    asJSON.set(e, json);
  }
  return json;
}

function toJSON(e: FlowtrailEvent): EventJSON {
  return {
    id: e.id,
    occurred: e.occurred.toISOString(),
    event: e.event,
    resource: e.resource,
    related: e.related,
    payload: e.payload,
    follows: e.follows,
    received: e.received.toISOString(),
  };
}

export function eventFromJSON(e: EventJSON): FlowtrailEvent {
  return { ...e, occurred: new Date(e.occurred), received: new Date(e.received) };
}
