/**
 * JSON forms of what crosses the wire where JSON alone loses something: events carry `Date`s
 * (`occurred`, `received`) and filters carry `since`/`until`. Dates travel as ISO strings.
 */
import type { EventFilter } from '../../events/filter.ts';
import type { FlowtrailEvent } from '../../events/model.ts';

/** An event as JSON parses it: dates are strings. */
export type WireEvent = Omit<FlowtrailEvent, 'occurred' | 'received'> & {
  occurred: string;
  received: string;
};

export const eventFromWire = (e: WireEvent): FlowtrailEvent => ({
  ...e,
  occurred: new Date(e.occurred),
  received: new Date(e.received),
});

export type WireFilter = Omit<EventFilter, 'since' | 'until'> & { since?: string; until?: string };

/** A filter whose `since`/`until` came as strings (or Dates) → Dates; other fields untouched. */
export function filterFromWire(filter: WireFilter | EventFilter): EventFilter {
  const out: Record<string, unknown> = { ...filter };
  for (const key of ['since', 'until'] as const) {
    const v = filter[key];
    if (typeof v === 'string') out[key] = new Date(v);
  }
  return out as EventFilter;
}
