/** `emitEvent` inside a worker: events go to the orchestrator, which acknowledges their commit. */
import { EVENT_SINK } from '../client/emit.ts';
import type { FlowtrailEvent } from '../events/model.ts';
import { sendToOrchestrator as send } from './worker-channel.ts';

/** Events emitted by step code, waiting for the orchestrator's commit. */
const emitted = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
const inflight = new Set<Promise<void>>();
let nextEmitId = 1;

/** Routes `emitEvent` inside steps through the orchestrator, which commits events with the run's writes. */
export function installEventSink(): void {
  (globalThis as Record<symbol, unknown>)[EVENT_SINK] = (event: FlowtrailEvent) => {
    const delivery = new Promise<void>((resolve, reject) => {
      const requestId = nextEmitId++;
      emitted.set(requestId, { resolve, reject });
      send({
        type: 'emit',
        requestId,
        event: { ...event, occurred: event.occurred.toISOString(), received: event.received.toISOString() },
      });
    });
    inflight.add(delivery);
    const done = () => inflight.delete(delivery);
    delivery.then(done, done);
    return delivery;
  };
}

/** Waits for every event the task emitted to be committed, so they precede the task's completion. */
export async function settleEmitted(): Promise<void> {
  await Promise.allSettled([...inflight]);
}

/** The orchestrator's answer to an emitted event: committed, or why not. */
export function acknowledgeEmit(requestId: number, error?: string): void {
  const waiter = emitted.get(requestId);
  emitted.delete(requestId);
  if (error) waiter?.reject(new Error(error));
  else waiter?.resolve();
}
