/**
 * What the queue executor and `flowtrail worker` agree on: Redis key and queue names, the attempt
 * job, the replies workers send back, the tuning both read, and the Redis connection they open.
 */
import type { ExceptionRecord } from '../../../core/errors.ts';
import type { ResourceRequest } from '../../../flow/declarations.ts';
import type { ResourceOffer } from '../../../flow/resource-fit.ts';
import type { EnvironmentInfo } from '../../../store/metadata-store.ts';
import type { RunContext, TaskOutcome, TaskWork } from '../../protocol.ts';

/** Timings of the queue (the defaults suit production; tests shorten them). */
export interface QueueTuning {
  /** A worker's lock on an attempt job; a worker that misses renewing it this long lost the attempt. */
  lockDurationMs: number;
  /** How often workers look for jobs whose lock lapsed. */
  stalledIntervalMs: number;
  /** How often the orchestrator checks that its attempts' jobs still exist and did not stall. */
  reconcileMs: number;
  /** How long no live worker may fit an attempt's `@resources` before it is reported unschedulable. */
  unschedulableAfterMs: number;
  /** Key prefix of every Redis key (several installations may share one Redis). */
  prefix: string;
}

export const DEFAULT_TUNING: QueueTuning = {
  lockDurationMs: 15_000,
  stalledIntervalMs: 15_000,
  reconcileMs: 1_000,
  unschedulableAfterMs: 10_000,
  prefix: 'flowtrail',
};

/** Tuning from the environment (`FLOWTRAIL_QUEUE_LOCK_MS`, …), for workers and tests. */
export function tuningFromEnv(env: NodeJS.ProcessEnv = process.env): QueueTuning {
  const n = (name: string, fallback: number) => {
    const v = Number(env[name]);
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  return {
    lockDurationMs: n('FLOWTRAIL_QUEUE_LOCK_MS', DEFAULT_TUNING.lockDurationMs),
    stalledIntervalMs: n('FLOWTRAIL_QUEUE_STALLED_MS', DEFAULT_TUNING.stalledIntervalMs),
    reconcileMs: n('FLOWTRAIL_QUEUE_RECONCILE_MS', DEFAULT_TUNING.reconcileMs),
    unschedulableAfterMs: n('FLOWTRAIL_QUEUE_UNSCHEDULABLE_MS', DEFAULT_TUNING.unschedulableAfterMs),
    prefix: env.FLOWTRAIL_QUEUE_PREFIX?.trim() || DEFAULT_TUNING.prefix,
  };
}

/** One attempt, as a BullMQ job: everything a worker anywhere needs to run it. */
export interface AttemptJob {
  /** The orchestrator that owns the attempt (its replies stream). */
  orchestrator: string;
  /** New for every attempt job; a reply must carry it to count. */
  fence: string;
  /** The compiled flow module, as a blob of the artifact store. */
  bundleSha: string;
  flowName: string;
  context: RunContext;
  work: TaskWork;
  resources?: ResourceRequest;
}

/** What a worker sends back on the orchestrator's replies stream. */
export type AttemptReply =
  | {
      type: 'started';
      taskId: number;
      attempt: number;
      fence: string;
      /** The BullMQ lock token of the worker holding the job. */
      token: string;
      envInfo: EnvironmentInfo;
    }
  | { type: 'done'; taskId: number; attempt: number; fence: string; token: string; outcome: TaskOutcome };

/** A worker's advertisement in the registry, refreshed every few seconds. */
export interface WorkerAdvert {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  offer: ResourceOffer;
  seenAt: number;
}

/** A worker not seen for this long is taken for gone. */
export const WORKER_ADVERT_TTL_MS = 10_000;
export const WORKER_ADVERT_EVERY_MS = 2_000;

const KEYS = ['cpu', 'memoryMb', 'gpu'] as const;
const SHORT: Record<(typeof KEYS)[number], string> = { cpu: 'cpu', memoryMb: 'mem', gpu: 'gpu' };

/**
 * The queue of a resource class: `attempts` for none, else `attempts.cpu2.gpu1` (`cpu0p5` for half
 * a CPU) — one queue per
 * distinct request, so a worker listens only on the queues of requests it can meet.
 */
export function queueNameOf(request: ResourceRequest | undefined): string {
  const parts = KEYS.filter((k) => (request?.[k] ?? 0) > 0).map(
    (k) => `${SHORT[k]}${String(request![k]).replace('.', 'p')}`,
  );
  return ['attempts', ...parts].join('.');
}

/** The request a queue name stands for (inverse of {@link queueNameOf}); undefined for a foreign name. */
export function requestOfQueue(name: string): ResourceRequest | undefined {
  const [head, ...parts] = name.split('.');
  if (head !== 'attempts') return undefined;
  const request: ResourceRequest = {};
  for (const part of parts) {
    const key = KEYS.find((k) => part.startsWith(SHORT[k]));
    // `p` stands for the decimal point (`cpu0p5`): the dot separates the parts.
    const value = key ? Number(part.slice(SHORT[key].length).replace('p', '.')) : Number.NaN;
    if (!key || !Number.isFinite(value)) return undefined;
    request[key] = value;
  }
  return request;
}

export const keys = (prefix: string) => ({
  /** BullMQ's own prefix. */
  bull: `${prefix}:bull`,
  replies: (orchestrator: string) => `${prefix}:replies:${orchestrator}`,
  /** Set once the orchestrator's run is over: its remaining jobs are skipped. */
  closed: (orchestrator: string) => `${prefix}:closed:${orchestrator}`,
  /** Pub/sub: kill an attempt (timeout) or every attempt of an orchestrator (the run ended). */
  kill: `${prefix}:kill`,
  workers: `${prefix}:workers`,
  /** Names of resource-class queues in use. */
  classes: `${prefix}:classes`,
});

/** A kill order on the `kill` channel. */
export interface KillOrder {
  orchestrator: string;
  /** One attempt's job, or every job of the orchestrator. */
  jobId?: string;
  graceMs: number;
}

/** The lost-attempt exception (status `lost`, retried by the step's policy). */
export function lostException(message: string): ExceptionRecord {
  return { type: 'WorkerLost', code: 'WORKER_LOST', message, stack: '' };
}
