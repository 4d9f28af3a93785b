import os from 'node:os';
import type { ExceptionRecord } from '../core/errors.ts';
import { runPathspec } from '../core/pathspec.ts';
import { runCancelledEvent, runEvent } from '../events/lifecycle.ts';
import type { CancelRequest, MetadataStore, RunRecord } from './metadata-store.ts';

/** How often a running orchestrator stamps its run's heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** A run whose orchestrator stopped sending heartbeats this long ago is considered crashed. */
const STALE_AFTER_MS = 60_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when a `running` run's orchestrator is certainly gone (dead pid on this host, or silent too long). */
function orchestratorGone(run: RunRecord, now = Date.now()): boolean {
  if (run.status !== 'running') return false;
  if (
    run.orchestratorHost === os.hostname() &&
    run.orchestratorPid !== null &&
    run.orchestratorPid !== process.pid
  ) {
    if (!processAlive(run.orchestratorPid)) return true;
  }
  return run.heartbeatAt !== null && now - run.heartbeatAt > STALE_AFTER_MS;
}

/** What a cancelled run records as its error: who cancelled it, why, and how to finish it. */
export function cancelledError(
  run: { flow: string; runNumber: number },
  request: CancelRequest,
): ExceptionRecord {
  const pathspec = runPathspec(run.flow, run.runNumber);
  return {
    type: 'RunCancelled',
    message: `${pathspec} was cancelled by ${request.by}${request.reason ? `: ${request.reason}` : ''}. Finish it with: flowtrail resume ${pathspec}`,
    stack: '',
  };
}

/**
 * Returns the run as it really is: a `running` run whose orchestrator is gone is marked crashed in
 * the store — or cancelled, when a cancel was requested — once, whoever notices first, and
 * returned as such.
 */
export async function reconcileRun(store: MetadataStore, run: RunRecord): Promise<RunRecord> {
  if (!orchestratorGone(run)) return run;
  const now = Date.now();
  if (run.cancelRequest) {
    await store.markRunCancelled(run.id, now, cancelledError(run, run.cancelRequest), [
      runCancelledEvent(run, run.cancelRequest, now),
    ]);
    return (await store.getRunById(run.id)) ?? { ...run, status: 'cancelled', finishedAt: now };
  }
  const reason = {
    type: 'OrchestratorCrashed',
    message: `The orchestrator of ${runPathspec(run.flow, run.runNumber)} (pid ${run.orchestratorPid} on ${run.orchestratorHost}) stopped without finishing the run. Finish it with: flowtrail resume ${runPathspec(run.flow, run.runNumber)}`,
    stack: '',
  };
  await store.markRunCrashed(run.id, now, reason, [
    runEvent({ flow: run.flow, runNumber: run.runNumber, tags: run.tags }, 'crashed', now, {
      error: reason.message,
    }),
  ]);
  return (await store.getRunById(run.id)) ?? { ...run, status: 'crashed', finishedAt: now };
}

/** Marks every orphaned `running` run (of one flow, or all) as crashed. Returns the runs it marked. */
export async function reapCrashedRuns(store: MetadataStore, flow?: string): Promise<RunRecord[]> {
  const reaped: RunRecord[] = [];
  for (const run of await store.listRunningRuns(flow)) {
    const now = await reconcileRun(store, run);
    if (now.status === 'crashed') reaped.push(now);
  }
  return reaped;
}
