import type { EventFilter } from '../../events/filter.ts';
import type { FlowtrailEvent } from '../../events/model.ts';
import type {
  CountBy,
  EventCount,
  EventPage,
  EventStore,
  RetentionPolicy,
  TimeUnit,
} from '../event-store.ts';
import type { ServiceClient } from './service-client.ts';
import { eventFromWire, type WireEvent } from './wire.ts';

type WireCount = Omit<EventCount, 'startTime' | 'endTime'> & { startTime: string; endTime: string };

/** The `EventStore` port through a Flowtrail service (`/api/v1/events…`). */
export class HttpEventStore implements EventStore {
  constructor(private readonly client: ServiceClient) {}

  get location(): string {
    return `service@${this.client.url}`;
  }

  async append(events: readonly FlowtrailEvent[]): Promise<{ inserted: number }> {
    if (events.length === 0) return { inserted: 0 };
    const answer = await this.client.request<{ inserted: number }>('POST', '/api/v1/events', {
      json: { events, keepReceived: true },
    });
    return { inserted: answer.inserted };
  }

  async query(filter: EventFilter, page: { limit?: number; cursor?: string } = {}): Promise<EventPage> {
    const answer = await this.client.request<{ events: WireEvent[]; nextCursor: string | null }>(
      'POST',
      '/api/v1/events/filter',
      { json: { filter, ...page } },
    );
    return { events: answer.events.map(eventFromWire), nextCursor: answer.nextCursor };
  }

  async total(filter: EventFilter): Promise<number> {
    return (
      await this.client.request<{ total: number }>('POST', '/api/v1/events/total', { json: { filter } })
    ).total;
  }

  async count(
    filter: EventFilter,
    by: CountBy,
    options: { timeUnit?: TimeUnit; timeInterval?: number } = {},
  ): Promise<EventCount[]> {
    const answer = await this.client.request<{ counts: WireCount[] }>('POST', '/api/v1/events/count', {
      json: { filter, by, ...options },
    });
    return answer.counts.map((c) => ({
      ...c,
      startTime: new Date(c.startTime),
      endTime: new Date(c.endTime),
    }));
  }

  async readAfter(position: number, limit?: number): Promise<{ events: FlowtrailEvent[]; position: number }> {
    const answer = await this.client.request<{ events: WireEvent[]; position: number }>(
      'GET',
      '/api/v1/events/after',
      { query: { position, limit } },
    );
    return { events: answer.events.map(eventFromWire), position: answer.position };
  }

  async headPosition(): Promise<number> {
    return (await this.client.request<{ position: number }>('GET', '/api/v1/events/head')).position;
  }

  async applyRetention(policy: RetentionPolicy, now?: Date): Promise<{ deleted: number }> {
    return this.client.request<{ deleted: number }>('POST', '/api/v1/events/retention', {
      json: { ...policy, ...(now ? { now } : {}) },
    });
  }

  async close(): Promise<void> {}
}
