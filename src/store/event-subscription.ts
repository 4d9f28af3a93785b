/**
 * Live subscriptions: matching events already stored (backfill, oldest first), then every new
 * matching event as it arrives — each exactly once, with every filter field applied (related
 * resources included). New events are found by reading the store in arrival order, so events
 * written by other processes (a run, the server, a script) arrive too. Any `EventStore` will do:
 * the subscription needs only `headPosition`, `query` and `readAfter` of the port.
 */

import { setTimeout as delay } from 'node:timers/promises';
import type { EventFilter } from '../events/filter.ts';
import { matchesFilter } from '../events/match-filter.ts';
import type { FlowtrailEvent } from '../events/model.ts';
import type { EventStore } from './event-store.ts';

export interface SubscribeOptions {
  /** Deliver matching events already stored first (default true). */
  backfill?: boolean;
  /** How often to look for new events, in ms (default 100). */
  pollMs?: number;
  /** Stop the subscription. */
  signal?: AbortSignal;
}

/** Waits `ms`, or less when the signal aborts (Node's timer removes its abort listener either way). */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, signal ? { signal } : {}).catch(() => {});

/**
 * @example
 * const ac = new AbortController();
 * for await (const e of subscribeEvents(store, { event: { prefix: ['flowtrail.run.'] } }, { signal: ac.signal })) {
 *   console.log(e.event, e.resource['flowtrail.resource.id']);
 * }
 */
export async function* subscribeEvents(
  store: EventStore,
  filter: EventFilter,
  options: SubscribeOptions = {},
): AsyncGenerator<FlowtrailEvent> {
  const { signal } = options;
  // Remember where the live part starts before reading the backfill, so nothing falls between.
  let position = await store.headPosition();
  const delivered = new Set<string>();
  if (options.backfill ?? true) {
    let cursor: string | undefined;
    do {
      const page = await store.query(
        { ...filter, order: 'asc' },
        { limit: 500, ...(cursor ? { cursor } : {}) },
      );
      for (const e of page.events) {
        if (signal?.aborted) return;
        delivered.add(e.id);
        yield e;
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  while (!signal?.aborted) {
    const batch = await store.readAfter(position, 500);
    position = batch.position;
    for (const e of batch.events) {
      if (signal?.aborted) return;
      // Events that were both in the backfill and after the start position come once.
      if (delivered.has(e.id)) {
        delivered.delete(e.id);
        continue;
      }
      if (matchesFilter(e, filter)) yield e;
    }
    if (batch.events.length < 500) await sleep(options.pollMs ?? 100, signal);
  }
}
