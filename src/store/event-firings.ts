/**
 * The automation firings an event took part in, with their actions, for the event page
 * (`GET /api/v1/events/{eventId}/automation-firings`). Exact and indexed: each firing's
 * `flowtrail.automation.triggered` event, committed in the firing's own transaction, is related to
 * every event behind it (`flowtrail.event.<id>`, role `triggering-event`), so an `event_links`
 * lookup finds them; the firings and actions are then read by id. A firing whose triggered event
 * retention removed is no longer found this way (the automation's own history still has it).
 */
import { eventResourceId } from '../automations/automation-events.ts';
import type { AutomationStore, FiringHistoryEntry } from './automation-store.ts';
import type { EventStore } from './event-store.ts';

/** At most this many firings are listed for one event, newest first. */
export const EVENT_FIRINGS_LIMIT = 200;

/**
 * @example
 * const entries = await firingsCausedBy(stores, '0190a000-…'); // newest first, with their actions
 */
export async function firingsCausedBy(
  stores: { events: Pick<EventStore, 'query'>; automations: Pick<AutomationStore, 'firingHistory'> },
  eventId: string,
): Promise<FiringHistoryEntry[]> {
  const { events } = await stores.events.query(
    {
      event: { name: ['flowtrail.automation.triggered'] },
      related: { resourcesInRoles: [[eventResourceId(eventId), 'triggering-event']] },
    },
    { limit: EVENT_FIRINGS_LIMIT },
  );
  const ids = events.flatMap((e) => (typeof e.payload.firing === 'string' ? [e.payload.firing] : []));
  return ids.length === 0 ? [] : stores.automations.firingHistory(ids);
}
