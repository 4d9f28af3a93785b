/**
 * Reading the event feed from TypeScript: pages, counts and live streams over the configured store.
 */
import { EVENT_PAGE_LIMIT } from '../events/event-page.ts';
import type { EventFilter } from '../events/filter.ts';
import type { FlowtrailEvent } from '../events/model.ts';
import { validateFilter } from '../events/validate-filter.ts';
import type { CountBy, EventCount, EventPage, RetentionPolicy, TimeUnit } from '../store/event-store.ts';
import { type SubscribeOptions, subscribeEvents } from '../store/event-subscription.ts';
import { clientStores } from './provider.ts';

/**
 * One page of events matching a filter (newest first unless `order: 'asc'`); pass `nextCursor`
 * back for the next page. `limit` is the page size: 50 by default, a whole number from 1 to 500
 * (the largest page; {@link allEvents} reads every page).
 *
 * @throws ValidationError (as a rejection) for an invalid filter, or on field `limit` outside 1–500.
 *
 * @example
 * const page = await listEvents({ event: { prefix: ['flowtrail.run.'] } }, { limit: 20 });
 */
export async function listEvents(
  filter: EventFilter = {},
  page: { limit?: number; cursor?: string } = {},
): Promise<EventPage> {
  const valid = validateFilter(filter);
  const stores = await clientStores();
  // The store checks `limit` (events/event-page.ts), locally and behind the service alike.
  return stores.events.query(valid, page);
}

/** Every matching event, fetched a page at a time. */
export async function* allEvents(filter: EventFilter = {}): AsyncGenerator<FlowtrailEvent> {
  const stores = await clientStores();
  const valid = validateFilter(filter);
  let cursor: string | undefined;
  do {
    const page = await stores.events.query(valid, {
      limit: EVENT_PAGE_LIMIT.max,
      ...(cursor ? { cursor } : {}),
    });
    yield* page.events;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/**
 * Counts matching events by event name, by resource, or by time bucket (zero-filled).
 *
 * @example
 * const perHour = await countEvents({ since: new Date(Date.now() - 864e5) }, 'time', { timeUnit: 'hour' });
 */
export async function countEvents(
  filter: EventFilter,
  by: CountBy,
  options: { timeUnit?: TimeUnit; timeInterval?: number } = {},
): Promise<EventCount[]> {
  const stores = await clientStores();
  return stores.events.count(validateFilter(filter), by, options);
}

/**
 * Matching events already stored (oldest first), then new ones as they arrive, each once.
 *
 * @example
 * for await (const e of streamEvents({ related: { role: ['tag'], id: ['flowtrail.tag.nightly'] } })) console.log(e.event);
 */
export async function* streamEvents(
  filter: EventFilter = {},
  options: SubscribeOptions = {},
): AsyncGenerator<FlowtrailEvent> {
  const stores = await clientStores();
  yield* subscribeEvents(stores.events, validateFilter(filter), options);
}

/**
 * Applies a retention policy to the configured store: removes events older than `retentionMs`
 * (or their name's override, capped by it) together with their resource rows.
 *
 * @example
 * await pruneEvents({ retentionMs: 7 * 864e5, overrides: { 'flowtrail.task.started': 864e5 } });
 */
export async function pruneEvents(policy: RetentionPolicy): Promise<{ deleted: number }> {
  const stores = await clientStores();
  return stores.events.applyRetention(policy);
}
