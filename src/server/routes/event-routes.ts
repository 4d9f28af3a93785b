/** Event routes, mirroring the `EventStore` port: ingest, filter, counts, tailing, retention, SSE. */

import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import type { EventFilter } from '../../events/filter.ts';
import type { FlowtrailEvent } from '../../events/model.ts';
import type { EventStore } from '../../store/event-store.ts';
import { subscribeEvents } from '../../store/event-subscription.ts';
import { filterFromWire } from '../../store/http/wire.ts';
import { parseInput } from '../parse-input.ts';
import { type Route, route } from '../route.ts';
import { eventCount, eventFilter, eventInput, eventPage, intParam, storedEvent } from '../schemas.ts';
import { eventsFromRequest } from './events-from-request.ts';

/** Most events in one ingest request. */
const MAX_EVENTS_PER_REQUEST = 5000;
const filterBody = z.object({ filter: eventFilter.optional() }).strict();
const filterOf = (f: z.output<typeof eventFilter> | undefined): EventFilter => filterFromWire(f ?? {});

export const eventRoutes: readonly Route[] = [
  route({
    method: 'post',
    path: '/api/v1/events',
    operationId: 'emitEvents',
    summary: `Ingests one event, or a batch as { events: [...] } (at most ${MAX_EVENTS_PER_REQUEST}); ids already stored are skipped.`,
    tag: 'events',
    scope: 'write',
    body: z.union([
      eventInput,
      z
        .object({
          events: z.array(z.unknown()).max(MAX_EVENTS_PER_REQUEST),
          keepReceived: z.boolean().optional().meta({
            description:
              "Keep each event's `received` (stamped at the sender's intake) when valid and not in the future.",
          }),
        })
        .strict(),
    ]),
    bodyCheckedByHandler: true,
    response: z.object({ inserted: z.number().int(), ids: z.array(z.string()) }),
    handle: async ({ body, ctx }) => {
      const raw: unknown = body;
      const isBatch = raw !== null && typeof raw === 'object' && 'events' in raw;
      let events: FlowtrailEvent[];
      if (isBatch) {
        const batch = parseInput(
          z
            .object({
              events: z.array(z.unknown()).max(MAX_EVENTS_PER_REQUEST),
              keepReceived: z.boolean().optional(),
            })
            .strict(),
          raw,
          'body',
        );
        events = eventsFromRequest(batch.events, 'events', batch.keepReceived);
      } else events = eventsFromRequest([raw], undefined, false);
      const { inserted } = await ctx.stores.events.append(events);
      return { inserted, ids: events.map((e) => e.id) };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/events/filter',
    operationId: 'filterEvents',
    summary: 'One page of matching events; follow `nextCursor` for the next.',
    tag: 'events',
    scope: 'read',
    body: z
      .object({
        filter: eventFilter.optional(),
        limit: z.number().int().optional(),
        cursor: z.string().optional(),
      })
      .strict(),
    response: eventPage,
    handle: async ({ body, ctx }) =>
      ctx.stores.events.query(filterOf(body.filter), {
        ...(body.limit !== undefined ? { limit: body.limit } : {}),
        ...(body.cursor !== undefined ? { cursor: body.cursor } : {}),
      }),
  }),
  route({
    method: 'post',
    path: '/api/v1/events/total',
    operationId: 'countEventsTotal',
    summary: 'How many events match.',
    tag: 'events',
    scope: 'read',
    body: filterBody,
    response: z.object({ total: z.number().int() }),
    handle: async ({ body, ctx }) => ({ total: await ctx.stores.events.total(filterOf(body.filter)) }),
  }),
  route({
    method: 'post',
    path: '/api/v1/events/count',
    operationId: 'countEvents',
    summary: 'Counts of matching events by name, by resource, or by time bucket (zero-filled).',
    tag: 'events',
    scope: 'read',
    body: z
      .object({
        filter: eventFilter.optional(),
        by: z.enum(['event', 'resource', 'time']),
        timeUnit: z.enum(['second', 'minute', 'hour', 'day', 'week']).optional(),
        timeInterval: z.number().optional(),
      })
      .strict(),
    response: z.object({ counts: z.array(eventCount) }),
    handle: async ({ body, ctx }) => ({
      counts: await ctx.stores.events.count(filterOf(body.filter), body.by, {
        ...(body.timeUnit !== undefined ? { timeUnit: body.timeUnit } : {}),
        ...(body.timeInterval !== undefined ? { timeInterval: body.timeInterval } : {}),
      }),
    }),
  }),
  route({
    method: 'get',
    path: '/api/v1/events/after',
    operationId: 'readEventsAfter',
    summary: 'Events in arrival order after a position (for tailing); pass back `position`.',
    tag: 'events',
    scope: 'read',
    query: z.object({ position: z.coerce.number().int().nonnegative(), limit: intParam().optional() }),
    response: z.object({ events: z.array(storedEvent), position: z.number().int() }),
    handle: async ({ query, ctx }) => ctx.stores.events.readAfter(query.position, query.limit),
  }),
  route({
    method: 'get',
    path: '/api/v1/events/head',
    operationId: 'eventHead',
    summary: 'The arrival position of the newest event.',
    tag: 'events',
    scope: 'read',
    response: z.object({ position: z.number().int() }),
    handle: async ({ ctx }) => ({ position: await ctx.stores.events.headPosition() }),
  }),
  route({
    method: 'post',
    path: '/api/v1/events/retention',
    operationId: 'applyEventRetention',
    summary: 'Removes events older than the policy allows.',
    tag: 'events',
    scope: 'admin',
    body: z
      .object({
        retentionMs: z.number().positive(),
        overrides: z.record(z.string(), z.number().positive()).optional(),
        now: z.string().optional(),
      })
      .strict(),
    response: z.object({ deleted: z.number().int() }),
    handle: async ({ body, ctx }) =>
      ctx.stores.events.applyRetention(
        { retentionMs: body.retentionMs, ...(body.overrides ? { overrides: body.overrides } : {}) },
        body.now ? new Date(body.now) : new Date(),
      ),
  }),
  route({
    method: 'get',
    path: '/api/v1/events/stream',
    operationId: 'streamEvents',
    summary:
      'Server-sent events: matching stored events first (unless backfill=false), then each new one as it arrives, each once.',
    tag: 'events',
    scope: 'read',
    query: z.object({
      filter: z.string().optional().meta({ description: 'An EventFilter as JSON.' }),
      backfill: z.enum(['true', 'false']).optional(),
    }),
    headers: [
      {
        name: 'Last-Event-ID',
        description:
          'Resume after this event (a reconnecting EventSource sends it): matching events from its `occurred` on, without it and those before it.',
      },
    ],
    response: 'sse',
    handle: async ({ query, ctx }) => {
      let filter: EventFilter = {};
      if (query.filter !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(query.filter);
        } catch (e) {
          throw new ValidationError(
            'filter',
            `The 'filter' query parameter is not JSON: ${(e as Error).message}.`,
          );
        }
        filter = filterOf(parseInput(eventFilter, parsed, 'query', 'filter'));
      }
      const events = ctx.stores.events;
      const resume = await resumePoint(events, ctx.hono.req.header('last-event-id'));
      const backfill = resume !== undefined || query.backfill !== 'false';
      if (resume) filter = { ...filter, since: maxDate(filter.since, resume.occurred) };
      return streamSSE(ctx.hono, async (stream) => {
        const abort = new AbortController();
        stream.onAbort(() => abort.abort());
        const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), 15_000);
        try {
          await stream.writeSSE({ event: 'ready', data: '{}' });
          for await (const e of subscribeEvents(events, filter, { signal: abort.signal, backfill })) {
            if (resume && seenBefore(e, resume)) continue;
            await stream.writeSSE({ event: 'event', id: e.id, data: JSON.stringify(e) });
          }
        } finally {
          clearInterval(keepAlive);
        }
      });
    },
  }),
];

/** Where a resumed stream starts: the last event the client saw (unknown ids start afresh). */
async function resumePoint(
  events: EventStore,
  lastEventId: string | undefined,
): Promise<FlowtrailEvent | undefined> {
  if (!lastEventId) return undefined;
  const { events: found } = await events.query({ id: [lastEventId] }, { limit: 1 });
  return found[0];
}

/** Whether a backfilled event was already delivered before the drop (same instant, id not after). */
const seenBefore = (e: FlowtrailEvent, last: FlowtrailEvent) =>
  e.id === last.id ||
  e.occurred.getTime() < last.occurred.getTime() ||
  (e.occurred.getTime() === last.occurred.getTime() && e.id < last.id);

const maxDate = (a: Date | undefined, b: Date) => (a && a.getTime() > b.getTime() ? a : b);
