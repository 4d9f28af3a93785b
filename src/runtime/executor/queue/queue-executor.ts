/**
 * The `queue` executor: every attempt is its own BullMQ job (`attempts: 1`, BullMQ never retries),
 * taken by a `flowtrail worker` anywhere. Workers answer on this orchestrator's replies stream
 * (`started`, `done`), fenced by `attempt-fence.ts`. A reconcile loop notices what replies cannot
 * say: a job whose worker died (BullMQ fails it as stalled once its lock lapses) or that vanished
 * with a Redis restart becomes a `lost` attempt, and the scheduler's retry policy decides; an
 * attempt that never started is simply queued again. Logs and events of step code do not come
 * this way: the worker writes them to the stores itself (the service, in remote mode). Over 400
 * lines because submit, replies and the reconcile loop share one attempt table and its fences.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { UnavailableError } from '../../../core/errors.ts';
import { formatPathspec } from '../../../core/pathspec.ts';
import { fits, formatResources } from '../../../flow/resource-fit.ts';
import type { ArtifactStore } from '../../../store/artifact-store.ts';
import type { TaskOutcome, TaskWork } from '../../protocol.ts';
import type { AttemptRequest, Executor, ExecutorRun } from '../executor.ts';
import { admitReply, type InflightAttempt } from './attempt-fence.ts';
import {
  type AttemptJob,
  type AttemptReply,
  DEFAULT_TUNING,
  type KillOrder,
  keys,
  lostException,
  type QueueTuning,
  queueNameOf,
  WORKER_ADVERT_TTL_MS,
  type WorkerAdvert,
} from './queue-names.ts';
import { redisConnection } from './redis-connection.ts';

export interface QueueExecutorOptions extends Partial<QueueTuning> {
  /** `redis://host:port` */
  url: string;
  /** Where the compiled flow is put for the workers (the run's artifact store). */
  artifacts: ArtifactStore;
  /** Where warnings go (default stderr): attempts waiting with no worker alive. */
  warn?: (line: string) => void;
}

const ADD_CHUNK = 1_000;
/** Unstarted attempts are checked every this many reconcile ticks (started ones every tick). */
const UNSTARTED_CHECK_EVERY = 5;
const CONNECT_TIMEOUT_MS = 5_000;
const CLOSE_STEP_MS = 2_000;
const NO_WORKER_WARN_EVERY_MS = 30_000;

export class QueueExecutor implements Executor {
  private readonly tuning: QueueTuning;
  private readonly k: ReturnType<typeof keys>;
  private readonly orchestrator = `o${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  private redis: Redis | undefined;
  private reader: Redis | undefined;
  private readonly queues = new Map<string, Queue>();
  private run: ExecutorRun | undefined;
  private bundleSha = '';
  private readonly inflight = new Map<number, InflightAttempt>();
  private toAdd: InflightAttempt[] = [];
  private addScheduled = false;
  private jobSeq = 0;
  private lastReplyId = '0-0';
  private closed = false;
  private stopped = false;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reconcileTicks = 0;
  private reconciling = false;
  private readerDone: Promise<void> = Promise.resolve();
  private lastNoWorkerWarning = 0;
  private readonly warn: (line: string) => void;

  constructor(private readonly o: QueueExecutorOptions) {
    this.tuning = { ...DEFAULT_TUNING, ...definedOnly(o) };
    this.k = keys(this.tuning.prefix);
    this.warn = o.warn ?? ((line) => process.stderr.write(line));
  }

  async start(run: ExecutorRun): Promise<void> {
    this.run = run;
    this.redis = redisConnection(this.o.url);
    this.reader = redisConnection(this.o.url);
    await Promise.race([
      this.redis.ping(),
      new Promise((_, reject) =>
        setTimeout(
          () =>
            reject(
              new UnavailableError(
                `Redis at ${redactedUrl(this.o.url)} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s; start it or fix --queue.`,
              ),
            ),
          CONNECT_TIMEOUT_MS,
        ).unref(),
      ),
    ]);
    // Workers anywhere read the flow from the artifact store, content-addressed.
    this.bundleSha = (await this.o.artifacts.put(await fs.readFile(run.load.flowBundle))).sha;
    this.readerDone = this.readReplies();
    this.reconcileTimer = setInterval(() => void this.reconcile(), this.tuning.reconcileMs);
  }

  submit(request: AttemptRequest): void {
    const attempt = this.track(request);
    this.toAdd.push(attempt);
    if (!this.addScheduled) {
      this.addScheduled = true;
      // A foreach submits its splits in one tick: they go to Redis as one bulk add per queue.
      setImmediate(() => void this.flushAdds());
    }
  }

  private track(request: AttemptRequest): InflightAttempt {
    const work = request.work;
    const attempt: InflightAttempt = {
      request,
      fence: randomUUID(),
      jobId: `${this.orchestrator}.${work.taskId}.${work.attempt}.${this.jobSeq++}`,
      queue: queueNameOf(request.resources),
      token: undefined,
      submittedAt: Date.now(),
      added: false,
      missingChecks: 0,
      unfitSince: undefined,
    };
    this.inflight.set(work.taskId, attempt);
    return attempt;
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.redis!, prefix: this.k.bull });
      q.on('error', () => {});
      this.queues.set(name, q);
    }
    return q;
  }

  private async flushAdds(): Promise<void> {
    this.addScheduled = false;
    const batch = this.toAdd;
    this.toAdd = [];
    if (this.stopped) return;
    const byQueue = new Map<string, InflightAttempt[]>();
    for (const a of batch) {
      // Settled (or resubmitted) before it reached Redis.
      if (this.inflight.get(a.request.work.taskId) !== a) continue;
      const list = byQueue.get(a.queue) ?? [];
      list.push(a);
      byQueue.set(a.queue, list);
    }
    const opts: Omit<JobsOptions, 'jobId'> = {
      attempts: 1,
      removeOnComplete: true,
      // Kept a while, so the reconcile loop reads why it failed (stalled: the worker died).
      removeOnFail: { age: 600, count: 10_000 },
    };
    for (const [name, list] of byQueue) {
      const q = this.queue(name);
      for (let i = 0; i < list.length; i += ADD_CHUNK) {
        const chunk = list.slice(i, i + ADD_CHUNK);
        try {
          if (name !== queueNameOf(undefined)) await this.redis!.sadd(this.k.classes, name);
          await q.addBulk(
            chunk.map((a) => ({ name: 'attempt', data: this.jobData(a), opts: { ...opts, jobId: a.jobId } })),
          );
          for (const a of chunk) a.added = true;
        } catch {
          // Redis refused or dropped the add: the chunk goes again shortly.
          this.toAdd.push(...chunk);
          if (!this.addScheduled) {
            this.addScheduled = true;
            setTimeout(() => void this.flushAdds(), 500);
          }
        }
      }
    }
  }

  private jobData(a: InflightAttempt): AttemptJob {
    const load = this.run!.load;
    return {
      orchestrator: this.orchestrator,
      fence: a.fence,
      bundleSha: this.bundleSha,
      flowName: load.flowName,
      context: load.context,
      work: a.request.work,
      ...(a.request.resources ? { resources: a.request.resources } : {}),
    };
  }

  // ---- replies

  private async readReplies(): Promise<void> {
    const stream = this.k.replies(this.orchestrator);
    while (!this.closed) {
      let result: [string, [string, string[]][]][] | null;
      try {
        result = (await this.reader!.xread(
          'COUNT',
          1000,
          'BLOCK',
          500,
          'STREAMS',
          stream,
          this.lastReplyId,
        )) as [string, [string, string[]][]][] | null;
      } catch {
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (const [, entries] of result ?? []) {
        for (const [id, fields] of entries) {
          this.lastReplyId = id;
          const text = fields[1];
          if (text) this.onReply(JSON.parse(text) as AttemptReply);
        }
      }
    }
  }

  private onReply(reply: AttemptReply): void {
    if (this.stopped) return;
    const current = this.inflight.get(reply.taskId);
    if (!admitReply(current, reply)) return;
    const events = this.run!.events;
    if (reply.type === 'started') {
      current!.token = reply.token;
      events.onStarted(current!.request.work, reply.envInfo);
      return;
    }
    this.inflight.delete(reply.taskId);
    events.onOutcome(current!.request.work, reply.outcome);
  }

  // ---- reconcile: stalled, vanished and unschedulable attempts

  private async reconcile(): Promise<void> {
    if (this.reconciling || this.stopped || this.inflight.size === 0) return;
    this.reconciling = true;
    try {
      const tick = this.reconcileTicks++;
      const checkUnstarted = tick % UNSTARTED_CHECK_EVERY === 0;
      const checked = [...this.inflight.values()].filter(
        (a) => a.added && (a.token !== undefined || checkUnstarted),
      );
      const pipeline = this.redis!.pipeline();
      for (const a of checked) {
        const key = `${this.k.bull}:${a.queue}:${a.jobId}`;
        pipeline.exists(key);
        pipeline.hget(key, 'failedReason');
      }
      const answers = (await pipeline.exec()) ?? [];
      checked.forEach((a, i) => {
        if (this.inflight.get(a.request.work.taskId) !== a) return;
        const [existsErr, exists] = answers[2 * i] ?? [];
        const [, failedReason] = answers[2 * i + 1] ?? [];
        if (existsErr) return;
        if (exists === 0) {
          // Two checks in a row: a job completes (and is removed) just before its reply is read.
          if (++a.missingChecks >= 2) this.onVanished(a);
          return;
        }
        a.missingChecks = 0;
        if (typeof failedReason === 'string' && failedReason.length > 0) this.onStalled(a, failedReason);
      });
      // Replies already read are dropped, so a 10,000-task run's stream stays short.
      await this.redis!.xtrim(this.k.replies(this.orchestrator), 'MINID', this.lastReplyId);
      if (checkUnstarted) {
        // Workers find resource-class queues here; a Redis restart empties the set.
        const classes = [...this.queues.keys()].filter((n) => n !== queueNameOf(undefined));
        if (classes.length > 0) await this.redis!.sadd(this.k.classes, ...classes);
        await this.checkSchedulable();
      }
    } catch {
      // Redis is down: the next tick tries again.
    } finally {
      this.reconciling = false;
    }
  }

  private pathspecOf(work: TaskWork): string {
    const c = this.run!.load.context;
    return formatPathspec({ flow: c.flowName, run: c.runNumber, step: work.step, task: work.taskId });
  }

  /** The job is gone (Redis lost its data): queue an unstarted attempt again, lose a started one. */
  private onVanished(a: InflightAttempt): void {
    if (a.token === undefined) {
      this.submit(a.request);
      return;
    }
    this.lose(
      a,
      `The queue lost the job of ${this.pathspecOf(a.request.work)} attempt ${a.request.work.attempt} (Redis restarted or was flushed).`,
    );
  }

  /** BullMQ failed the job: its worker stopped renewing the lock (died, or lost Redis). */
  private onStalled(a: InflightAttempt, reason: string): void {
    if (a.token === undefined) {
      // Taken but never started: nothing ran, so the same attempt is queued again.
      this.submit(a.request);
      return;
    }
    this.lose(
      a,
      `The worker running ${this.pathspecOf(a.request.work)} attempt ${a.request.work.attempt} stopped renewing its lock (it died or lost Redis): ${reason}.`,
    );
  }

  private lose(a: InflightAttempt, message: string): void {
    const work = a.request.work;
    this.inflight.delete(work.taskId);
    this.run!.events.onOutcome(work, {
      taskId: work.taskId,
      attempt: work.attempt,
      ok: false,
      artifacts: {},
      exception: lostException(message),
    });
  }

  /** Attempts whose `@resources` no live worker offers, for longer than the grace, are reported. */
  private async checkSchedulable(): Promise<void> {
    const waiting = [...this.inflight.values()].filter((a) => a.token === undefined);
    if (waiting.length === 0) return;
    const now = Date.now();
    const adverts = Object.values(await this.redis!.hgetall(this.k.workers))
      .map((text) => JSON.parse(text) as WorkerAdvert)
      .filter((w) => now - w.seenAt < WORKER_ADVERT_TTL_MS);
    this.warnIfNoWorker(waiting, adverts.length, now);
    const asking = waiting.filter((a) => a.request.resources);
    for (const a of asking) {
      // With no live worker at all, attempts wait: workers may be restarting.
      if (adverts.length === 0 || adverts.some((w) => fits(a.request.resources, w.offer))) {
        a.unfitSince = undefined;
        continue;
      }
      a.unfitSince ??= now;
      if (now - a.unfitSince < this.tuning.unschedulableAfterMs) continue;
      this.inflight.delete(a.request.work.taskId);
      void this.queue(a.queue)
        .remove(a.jobId)
        .catch(() => {});
      const largest = adverts.map((w) => `${w.id} (${formatResources(w.offer)})`).join(', ');
      this.run!.events.onUnschedulable(a.request.work, {
        type: 'UnschedulableError',
        code: 'UNSCHEDULABLE',
        message: `No worker can run ${this.pathspecOf(a.request.work)}: it needs ${formatResources(a.request.resources)}, and the live workers offer ${largest}. Start a worker with enough (flowtrail worker --resources …) or lower @resources.`,
        stack: '',
      });
    }
  }

  /** Waiting with no worker alive is not an error (a fleet restarting), but it must not be silent. */
  private warnIfNoWorker(waiting: InflightAttempt[], liveWorkers: number, now: number): void {
    if (liveWorkers > 0 || now - this.lastNoWorkerWarning < NO_WORKER_WARN_EVERY_MS) return;
    const oldest = Math.min(...waiting.map((a) => a.submittedAt));
    if (now - oldest < this.tuning.unschedulableAfterMs) return;
    this.lastNoWorkerWarning = now;
    this.warn(
      `flowtrail: ${waiting.length} attempt(s) of ${this.run!.load.context.flowName}/${this.run!.load.context.runNumber} wait for a worker: none is taking attempts from ${redactedUrl(this.o.url)} (key prefix '${this.tuning.prefix}'). Start one: flowtrail worker --queue ${redactedUrl(this.o.url)}\n`,
    );
  }

  // ---- stopping

  kill(work: TaskWork, outcome: TaskOutcome): void {
    const a = this.inflight.get(work.taskId);
    if (!a || a.request.work.attempt !== work.attempt) return;
    this.inflight.delete(work.taskId);
    this.publishKill({ orchestrator: this.orchestrator, jobId: a.jobId, graceMs: 0 });
    // Reported on a fresh stack: the scheduler's timer is the caller.
    queueMicrotask(() => this.run!.events.onOutcome(work, outcome));
  }

  stopAll(graceMs: number): void {
    if (this.stopped || !this.redis) return;
    this.stopped = true;
    clearInterval(this.reconcileTimer);
    this.inflight.clear();
    // Jobs still queued are skipped by the workers that take them; running ones are stopped.
    void this.redis
      .set(this.k.closed(this.orchestrator), '1', 'EX', 86_400)
      .then(() => this.publishKill({ orchestrator: this.orchestrator, graceMs }))
      .catch(() => {});
  }

  private publishKill(order: KillOrder): void {
    void this.redis!.publish(this.k.kill, JSON.stringify(order)).catch(() => {});
  }

  async close(): Promise<void> {
    this.stopAll(0);
    this.closed = true;
    const redis = this.redis;
    if (!redis) return;
    // Commands wait through an outage (`maxRetriesPerRequest: null`): a run whose Redis is gone
    // must still end, so each clean-up step gets a bounded wait.
    const bounded = (p: Promise<unknown>) =>
      Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, CLOSE_STEP_MS).unref())]);
    if (redis.status !== 'ready') {
      // Never connected, or down: nothing to clean up that could be written now.
      this.reader?.disconnect();
      redis.disconnect();
      return;
    }
    // The closed mark must land before the connection goes.
    await bounded(redis.set(this.k.closed(this.orchestrator), '1', 'EX', 86_400));
    this.reader?.disconnect();
    await bounded(this.readerDone);
    await bounded(Promise.all([...this.queues.values()].map((q) => q.close())));
    await bounded(redis.del(this.k.replies(this.orchestrator)));
    redis.disconnect();
  }
}

function definedOnly(o: Partial<QueueTuning>): Partial<QueueTuning> {
  const out: Partial<QueueTuning> = {};
  for (const key of [
    'lockDurationMs',
    'stalledIntervalMs',
    'reconcileMs',
    'unschedulableAfterMs',
    'prefix',
  ] as const)
    if (o[key] !== undefined) (out as Record<string, unknown>)[key] = o[key];
  return out;
}

/** The URL without its password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
