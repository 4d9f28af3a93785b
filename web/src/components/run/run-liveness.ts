/**
 * How honest the run page is about a `running` run: the orchestrator stamps `heartbeatAt` every
 * 5 s (src/store/run-liveness.ts, HEARTBEAT_INTERVAL_MS); the server marks a run crashed when the
 * stamp is over 60 s old (STALE_AFTER_MS there). Between the two the page says it has not heard.
 */
import type { RunRecord } from '../../api/client.ts';

/** Past this the heartbeat is late (two missed beats and some slack). */
const LATE_AFTER_MS = 15_000;
/** The server's rule for a gone orchestrator. */
const LOST_AFTER_MS = 60_000;

export type Liveness =
  | { state: 'ok' }
  | { state: 'late' | 'lost'; silentForMs: number }
  | { state: 'finished' };

export function runLiveness(run: RunRecord, now: number): Liveness {
  if (run.status !== 'running') return { state: 'finished' };
  if (run.heartbeatAt === null) return { state: 'ok' };
  const silentForMs = Math.max(0, now - run.heartbeatAt);
  if (silentForMs > LOST_AFTER_MS) return { state: 'lost', silentForMs };
  if (silentForMs > LATE_AFTER_MS) return { state: 'late', silentForMs };
  return { state: 'ok' };
}
