import type { ExceptionRecord } from '../../core/errors.ts';
import type { GraphNode } from '../../flow/graph.ts';
import type { AttemptStatus } from '../../store/metadata-store.ts';
import type { TaskOutcome } from '../protocol.ts';

/** What becomes of a task whose attempt failed. */
export type AfterFailure =
  | { kind: 'retry'; delayMs: number }
  /** Every attempt failed but the step catches: its error goes into an artifact and the run goes on. */
  | { kind: 'catch' }
  | { kind: 'fail' };

/** How a failed attempt is recorded: a timeout and a dead worker are told apart from a thrown error. */
export function attemptStatusOf(exception: ExceptionRecord | undefined): AttemptStatus {
  if (exception?.type === 'TimeoutError') return 'timeout';
  if (exception?.type === 'WorkerDied') return 'killed';
  if (exception?.type === 'WorkerLost') return 'lost';
  return 'failed';
}

/** The exception of a failed outcome (a worker may report none). */
export function exceptionOf(outcome: TaskOutcome): ExceptionRecord {
  return outcome.exception ?? { type: 'Error', message: 'The task failed.', stack: '' };
}

/** `@retry` first (unless the failure is deterministic), then `@catchError`, else the run fails. */
export function afterFailure(node: GraphNode, outcome: TaskOutcome, attempt: number): AfterFailure {
  const retries = node.options.retry?.times ?? 0;
  if (!outcome.nonRetriable && attempt < retries)
    return { kind: 'retry', delayMs: (node.options.retry?.delaySeconds ?? 0) * 1000 };
  if (node.options.catch) return { kind: 'catch' };
  return { kind: 'fail' };
}

/** Pending delayed retries, so a finished run can cancel them. */
export class RetryTimers {
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Runs `requeue` after `delayMs` (at once when 0). */
  schedule(delayMs: number, requeue: () => void): void {
    if (delayMs <= 0) {
      requeue();
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      requeue();
    }, delayMs);
    this.timers.add(t);
  }

  cancelAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
