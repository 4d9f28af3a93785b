/**
 * Which replies count. Every attempt job carries a fresh fence; the first `started` reply binds the
 * attempt to the BullMQ lock token of the worker that took it, and only a `done` reply with that
 * token may commit an outcome. A reply for an attempt the orchestrator already settled (finished,
 * lost, timed out) finds no attempt in flight and is dropped: a stale worker cannot commit.
 */
import type { AttemptRequest } from '../executor.ts';
import type { AttemptReply } from './queue-names.ts';

/** An attempt the orchestrator handed to the queue and has not settled. */
export interface InflightAttempt {
  request: AttemptRequest;
  fence: string;
  jobId: string;
  queue: string;
  /** The lock token of the worker that started it; undefined until then. */
  token: string | undefined;
  submittedAt: number;
  /** Its job is in Redis (the bulk add returned). */
  added: boolean;
  /** Consecutive reconcile checks that found no job. */
  missingChecks: number;
  /** Since when no live worker fits its resources (undefined: one does, or none asked). */
  unfitSince: number | undefined;
}

/** True when `reply` is from the worker entitled to report `current` (see the file comment). */
export function admitReply(current: InflightAttempt | undefined, reply: AttemptReply): boolean {
  if (!current) return false;
  const work = current.request.work;
  if (reply.taskId !== work.taskId || reply.attempt !== work.attempt || reply.fence !== current.fence)
    return false;
  if (reply.type === 'started') return current.token === undefined;
  return current.token === reply.token;
}
