/**
 * `emitEvent`: from a step, a script or a test. The returned promise resolves once the event is
 * durably stored, and rejects (never throws) when the event is invalid or cannot be stored, so
 * `.catch()` and `await` both see every failure.
 */

import { taskContextRelated } from '../events/lifecycle.ts';
import { EVENT_LIMITS, type EventInput, type FlowtrailEvent, type RelatedResource } from '../events/model.ts';
import { validateEvent } from '../events/validate-event.ts';
import { current } from '../flow/current.ts';
import { clientStores } from './provider.ts';

/** Set by a worker process: hands an event to the orchestrator and resolves once it is committed. */
export const EVENT_SINK = Symbol.for('flowtrail.eventSink');
type EventSink = (event: FlowtrailEvent) => Promise<void>;

const pending = new Set<Promise<unknown>>();
let exitHookInstalled = false;

function track<T>(p: Promise<T>): Promise<T> {
  pending.add(p);
  const done = () => pending.delete(p);
  p.then(done, done);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A process that ends normally first delivers what it emitted.
    process.on('beforeExit', () => {
      if (pending.size > 0) void Promise.allSettled([...pending]);
    });
  }
  return p;
}

/** Waits until every event emitted by this process so far is stored. */
export async function flushEvents(): Promise<void> {
  await Promise.allSettled([...pending]);
}

/**
 * Emits an event. Inside a step, the flow, run, step, task and the run's tags are added as related
 * resources (ids the caller already gave are not repeated); outside a flow nothing is added. Rejects
 * with a `ValidationError` naming the field for an invalid or oversized event (the call itself
 * never throws). Delivery is at-least-once and deduplicated by `id`.
 *
 * @example
 * await emitEvent({
 *   event: 'dataset.refreshed',
 *   resource: { 'flowtrail.resource.id': 'dataset.sales', 'flowtrail.resource.name': 'sales' },
 *   related: [{ 'flowtrail.resource.id': 'team.forecasting', 'flowtrail.resource.role': 'owner' }],
 *   payload: { rows: 120_000 },
 * });
 */
export function emitEvent(input: EventInput): Promise<FlowtrailEvent> {
  let event: FlowtrailEvent;
  try {
    event = validateEvent(input);
  } catch (error) {
    return Promise.reject(error);
  }
  const sink = (globalThis as Record<symbol, EventSink | undefined>)[EVENT_SINK];
  if (current.isRunning) {
    const given = new Set([
      event.resource['flowtrail.resource.id'],
      ...event.related.map((r: RelatedResource) => r['flowtrail.resource.id']),
    ]);
    const context: RelatedResource[] = taskContextRelated(
      { flow: current.flowName, runNumber: current.runId, tags: current.tags },
      current.stepName,
      current.taskId,
    ).filter((r) => !given.has(r['flowtrail.resource.id']));
    // Within the limit on related resources, the run's objects come before its tags.
    const ordered = [
      ...context.filter((r) => r['flowtrail.resource.role'] !== 'tag'),
      ...context.filter((r) => r['flowtrail.resource.role'] === 'tag'),
    ];
    event.related = [...event.related, ...ordered].slice(
      0,
      Math.max(event.related.length, EVENT_LIMITS.maxRelated),
    );
  }
  const delivery = sink
    ? sink(event)
    : clientStores().then(async (stores) => {
        await stores.events.append([event]);
      });
  return track(delivery.then(() => event));
}
