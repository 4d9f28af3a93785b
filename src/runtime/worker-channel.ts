import type { FromWorker } from './protocol.ts';

/** Sends a message to the orchestrator (a no-op outside a forked worker). */
export function sendToOrchestrator(message: FromWorker): void {
  process.send?.(message);
}
