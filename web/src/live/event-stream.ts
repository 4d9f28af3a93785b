/**
 * The server's event stream (`GET /api/v1/events/stream`, server-sent events) read with fetch, so
 * the tab's key goes in a header (EventSource cannot send one). After a drop it reconnects with
 * backoff and `Last-Event-ID`, so the server resumes after the last event seen.
 */

import type { FlowtrailEventRecord, Schemas } from '../api/client.ts';
import { authHeaders } from '../api/client.ts';
import { readServerSentEvents } from './server-sent-events.ts';

export type StreamState = 'connecting' | 'live' | 'down';
export type EventFilterInput = Schemas['EventFilter'];

export interface EventStreamOptions {
  filter: EventFilterInput;
  /** Deliver matching stored events first (default false: only what arrives from now on). */
  backfill?: boolean;
  onEvent(event: FlowtrailEventRecord): void;
  onState?(state: StreamState): void;
  signal: AbortSignal;
}

const MAX_BACKOFF_MS = 10_000;

export async function followEventStream(options: EventStreamOptions): Promise<void> {
  const { signal } = options;
  let lastId: string | undefined;
  let backoff = 250;
  while (!signal.aborted) {
    options.onState?.('connecting');
    try {
      const params = new URLSearchParams({
        filter: JSON.stringify(options.filter),
        backfill: String(options.backfill ?? false),
      });
      const response = await fetch(`/api/v1/events/stream?${params}`, {
        headers: {
          accept: 'text/event-stream',
          ...authHeaders(),
          ...(lastId ? { 'last-event-id': lastId } : {}),
        },
        signal,
      });
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      backoff = 250;
      for await (const message of readServerSentEvents(response.body, signal)) {
        if (message.event === 'ready') options.onState?.('live');
        else if (message.event === 'event') {
          if (message.id) lastId = message.id;
          options.onEvent(JSON.parse(message.data) as FlowtrailEventRecord);
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    options.onState?.('down');
    await new Promise((resolve) => setTimeout(resolve, backoff));
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}
