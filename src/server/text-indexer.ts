/**
 * The server's text indexer: keeps an event store's text index up with the appends, for stores
 * that index behind them (`EventStore.indexText`, SQLite's `sql/sqlite/sqlite-text-index.ts`).
 * Batches follow each other while there is a backlog (yielding to requests between them), then
 * the indexer checks again every second. Every server may run one: each batch is one transaction
 * that picks up where the index is.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore } from '../store/event-store.ts';

/** Events per batch: ~50–100 ms of SQLite's time, so requests between batches wait little. */
const BATCH = 5000;
const IDLE_MS = 1000;

/** A running indexer; `stop()` resolves once the batch in flight has committed. */
export interface TextIndexer {
  stop(): Promise<void>;
}

/**
 * Starts indexing `events` in the background (nothing to do when it has no `indexText`).
 *
 * @example
 * const indexer = startTextIndexer(stores.events, console.error);
 * await indexer.stop();
 */
export function startTextIndexer(events: EventStore, log: (line: string) => void): TextIndexer {
  const index = events.indexText?.bind(events);
  if (index === undefined) return { stop: async () => {} };
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      let indexed = 0;
      try {
        indexed = await index(BATCH);
      } catch (e) {
        log(`text indexing failed (will retry): ${(e as Error).message}`);
      }
      const wait = indexed === BATCH ? 0 : IDLE_MS;
      await sleep(wait, undefined, { signal: stopping.signal, ref: false }).catch(() => {});
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await loop;
    },
  };
}
