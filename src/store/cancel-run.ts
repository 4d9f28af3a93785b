/**
 * Cancelling a run, over the `MetadataStore` port only: the client's `run.cancel()`, the CLI's
 * `flowtrail cancel`, the `POST /api/v1/runs/{runId}/cancel` route and the automations engine's
 * cancel-run action all call {@link cancelRun}. It lives in the store layer (beside
 * `run-liveness.ts`, which it builds on) because the client, which sits below the runtime, needs it.
 *
 * The request is durable: it is recorded on the run, and the run's orchestrator — in whatever
 * process it runs — polls it (`scheduler/cancel-watch.ts`), stops the run's workers and ends the run
 * `cancelled`. When no orchestrator is alive any more, the run is marked cancelled here directly.
 */
import { resolveUser } from '../core/config.ts';
import { ConflictError, InvalidPathspecError, NotFoundError, ValidationError } from '../core/errors.ts';
import { parsePathspec, pathspecLevel, runPathspec } from '../core/pathspec.ts';
import type { MetadataStore, RunRecord } from './metadata-store.ts';
import { reconcileRun } from './run-liveness.ts';

/**
 * `requested`: the run's orchestrator will stop it (with `wait`, it has); `applied`: no orchestrator
 * was alive, so the run was marked cancelled here; `already-cancelled`: nothing to do.
 */
export type CancelOutcome = 'requested' | 'applied' | 'already-cancelled';

export interface CancelRunOptions {
  /** Why, recorded with the request and carried by `flowtrail.run.cancelled`. */
  reason?: string;
  /** Who asks (default: the current user, as `flowtrail run` records it). */
  by?: string;
  /** Return only once the run has ended (default false: once the request is recorded). */
  wait?: boolean;
  /**
   * How long `wait` waits at most (default 90 s: past the 60 s after which a silent orchestrator
   * counts as gone, and the run is marked cancelled without it). The run is returned as it is then.
   */
  waitTimeoutMs?: number;
}

export interface CancelRunResult {
  outcome: CancelOutcome;
  /** The run afterwards: `cancelled`, or still `running` while its orchestrator stops it. */
  run: RunRecord;
}

const DEFAULT_WAIT_MS = 90_000;
const WAIT_POLL_MS = 100;

/** The run a `Flow/N` pathspec or a store run id names. */
async function findRun(store: MetadataStore, run: string | number): Promise<RunRecord> {
  if (typeof run === 'number') {
    const found = await store.getRunById(run);
    if (!found) throw new NotFoundError('run', `Run #${run} does not exist in ${store.location}.`);
    return found;
  }
  const spec = parsePathspec(run);
  if (pathspecLevel(spec) !== 'run')
    throw new InvalidPathspecError(run, `Only a run can be cancelled: expected Flow/N, got '${run}'.`);
  const found = await store.getRun(spec.flow, spec.run!);
  if (!found)
    throw new NotFoundError(
      runPathspec(spec.flow, spec.run!),
      `Run ${runPathspec(spec.flow, spec.run!)} does not exist in ${store.location}.`,
    );
  return found;
}

/** Cancelling a finished run is a conflict; an already-cancelled one is not (a no-op). */
function refuseFinished(run: RunRecord): void {
  if (run.status === 'running' || run.status === 'cancelled') return;
  throw new ConflictError(
    `Run ${runPathspec(run.flow, run.runNumber)} already ${run.status}; only a running run can be cancelled.`,
    { status: run.status },
  );
}

async function waitForEnd(store: MetadataStore, run: RunRecord, timeoutMs: number): Promise<RunRecord> {
  const deadline = Date.now() + timeoutMs;
  let current = run;
  while (current.status === 'running' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
    // Reconciled, so an orchestrator that dies meanwhile still ends the run (cancelled).
    current = await reconcileRun(store, (await store.getRunById(run.id)) ?? current);
  }
  return current;
}

/**
 * Cancels a running run: running tasks are stopped, pending ones never start, and the run ends
 * `cancelled` (`flowtrail resume` can finish it later). `run` is a `Flow/N` pathspec or a store
 * run id.
 *
 * @throws InvalidPathspecError for a pathspec that is not `Flow/N`; NotFoundError for an unknown
 *   run; ConflictError for a run that already ended otherwise (completed, failed, crashed).
 *
 * @example
 * const { outcome, run } = await cancelRun(stores, 'TrainFlow/3', { reason: 'wrong data', wait: true });
 * console.log(outcome, run.status); // requested cancelled
 */
export async function cancelRun(
  stores: { metadata: MetadataStore },
  run: string | number,
  options: CancelRunOptions = {},
): Promise<CancelRunResult> {
  const store = stores.metadata;
  const timeoutMs = options.waitTimeoutMs ?? DEFAULT_WAIT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0)
    throw new ValidationError(
      'waitTimeoutMs',
      `waitTimeoutMs must be a non-negative integer, got ${timeoutMs}.`,
    );
  // Not reconciled first: a run whose orchestrator is gone ends cancelled below, not crashed.
  const found = await findRun(store, run);
  refuseFinished(found);
  if (found.status === 'cancelled') return { outcome: 'already-cancelled', run: found };
  const requested = await store.requestRunCancel(found.id, {
    at: Date.now(),
    by: options.by ?? resolveUser(),
    reason: options.reason ?? null,
  });
  if (!requested) throw new NotFoundError('run', `Run #${found.id} does not exist in ${store.location}.`);
  // It may have ended between the read and the request.
  refuseFinished(requested);
  if (requested.status === 'cancelled') return { outcome: 'already-cancelled', run: requested };
  // No orchestrator left to notice the request: the run is marked cancelled here.
  const now = await reconcileRun(store, requested);
  if (now.status === 'cancelled') return { outcome: 'applied', run: now };
  return { outcome: 'requested', run: options.wait ? await waitForEnd(store, now, timeoutMs) : now };
}
