/**
 * `flowtrail worker`: takes attempt jobs from the queue (one BullMQ worker per resource-class
 * queue it can serve), runs each in a child process as the local executor does, writes logs and
 * events to its stores (the service, in remote mode) and artifacts to its artifact store, and
 * answers on the owning orchestrator's replies stream. It advertises itself in the registry, obeys
 * kill orders, recreates its BullMQ workers when Redis comes back, and on `stop()` finishes what it
 * holds (or hands it back as lost after the grace).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker as BullWorker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { homePaths } from '../../../core/config.ts';
import { toExceptionRecord } from '../../../core/errors.ts';
import { fits, type ResourceOffer } from '../../../flow/resource-fit.ts';
import type { Stores } from '../../../store/embedded.ts';
import type { EnvironmentInfo } from '../../../store/metadata-store.ts';
import type { TaskOutcome } from '../../protocol.ts';
import { WriteQueue } from '../../write-queue.ts';
import { AttemptLog } from './attempt-log.ts';
import { AttemptProcess } from './attempt-process.ts';
import {
  type AttemptJob,
  type AttemptReply,
  type KillOrder,
  keys,
  lostException,
  type QueueTuning,
  queueNameOf,
  requestOfQueue,
  WORKER_ADVERT_EVERY_MS,
  type WorkerAdvert,
} from './queue-names.ts';
import { redisConnection } from './redis-connection.ts';
import { ResourceSlots } from './resource-slots.ts';

export interface QueueWorkerOptions {
  url: string;
  concurrency: number;
  offer: ResourceOffer;
  stores: Stores;
  tuning: QueueTuning;
  /** How long `stop()` lets running attempts finish before handing them back. */
  stopGraceMs: number;
  log?: (line: string) => void;
}

const CLASS_POLL_MS = 1_000;
const WATCHDOG_MS = 1_000;
const PING_TIMEOUT_MS = 2_000;
const CLOSED_CHECK_MS = 1_000;

interface Running {
  orchestrator: string;
  process: AttemptProcess;
  handedBack: boolean;
}

export class QueueWorker {
  readonly id = `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 4)}`;
  private readonly k: ReturnType<typeof keys>;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly bullWorkers = new Map<string, BullWorker<AttemptJob>>();
  /** Each BullMQ worker's own connection (BullMQ leaves a given connection open on close). */
  private readonly connections = new Map<BullWorker<AttemptJob>, Redis>();
  private readonly slots: ResourceSlots;
  private readonly idle: AttemptProcess[] = [];
  private readonly running = new Map<string, Running>();
  private readonly writes: WriteQueue;
  private readonly bundles = new Map<string, Promise<string>>();
  private readonly closedCache = new Map<string, { closed: boolean; at: number }>();
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private redisDown = false;
  private watching = false;
  /** Attempts taken since start (for tests and the stop message). */
  taken = 0;

  constructor(private readonly o: QueueWorkerOptions) {
    this.k = keys(o.tuning.prefix);
    this.redis = redisConnection(o.url);
    // A dropped connection counts as an outage even if a ping never times out during it.
    this.redis.on('close', () => {
      this.redisDown = true;
    });
    this.subscriber = redisConnection(o.url);
    this.slots = new ResourceSlots(o.concurrency, o.offer);
    this.writes = new WriteQueue(o.stores.metadata);
  }

  async start(): Promise<void> {
    // Process start-up is paid once, not per attempt.
    for (let i = 0; i < this.o.concurrency; i++) this.idle.push(new AttemptProcess());
    this.subscriber.on('message', (_channel, text: string) => this.onKill(JSON.parse(text) as KillOrder));
    await this.subscriber.subscribe(this.k.kill);
    await this.advertise();
    this.serve(queueNameOf(undefined));
    await this.discoverClasses();
    this.timers.push(setInterval(() => void this.advertise().catch(() => {}), WORKER_ADVERT_EVERY_MS));
    this.timers.push(setInterval(() => void this.discoverClasses().catch(() => {}), CLASS_POLL_MS));
    this.timers.push(setInterval(() => void this.watchdog(), WATCHDOG_MS));
  }

  private async advertise(): Promise<void> {
    const advert: WorkerAdvert = {
      id: this.id,
      host: os.hostname(),
      pid: process.pid,
      concurrency: this.o.concurrency,
      offer: this.o.offer,
      seenAt: Date.now(),
    };
    await this.redis.hset(this.k.workers, this.id, JSON.stringify(advert));
  }

  /** Serves every resource-class queue in use whose request this worker can meet. */
  private async discoverClasses(): Promise<void> {
    if (this.stopping) return;
    for (const name of await this.redis.smembers(this.k.classes)) {
      const request = requestOfQueue(name);
      if (request && !this.bullWorkers.has(name) && fits(request, this.o.offer)) this.serve(name);
    }
  }

  private serve(name: string): void {
    const connection = redisConnection(this.o.url);
    const worker = new BullWorker<AttemptJob>(name, (job, token) => this.process(job, token ?? ''), {
      connection,
      prefix: this.k.bull,
      concurrency: this.o.concurrency,
      lockDuration: this.o.tuning.lockDurationMs,
      stalledInterval: this.o.tuning.stalledIntervalMs,
      // The orchestrator owns retries: a stalled job fails at once and becomes a lost attempt,
      // retried as a new attempt job, instead of running again under the same attempt number.
      maxStalledCount: 0,
      autorun: true,
    });
    worker.on('error', () => {});
    this.bullWorkers.set(name, worker);
    this.connections.set(worker, connection);
  }

  /**
   * BullMQ's blocking connection can stay stuck reconnecting after a long outage (BullMQ #4585):
   * once our own ping sees Redis back after failing, every BullMQ worker is recreated.
   */
  private async watchdog(): Promise<void> {
    if (this.watching || this.stopping) return;
    this.watching = true;
    try {
      const ok = await Promise.race([
        this.redis.ping().then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), PING_TIMEOUT_MS).unref()),
      ]).catch(() => false);
      if (!ok) {
        this.redisDown = true;
        return;
      }
      const stuck = [...this.bullWorkers.values()].some((w) => !w.isRunning());
      if (!this.redisDown && !stuck) return;
      this.redisDown = false;
      this.o.log?.(`Redis is back: recreating ${this.bullWorkers.size} queue worker(s).`);
      const names = [...this.bullWorkers.keys()];
      const old = [...this.bullWorkers.values()];
      this.bullWorkers.clear();
      // Force: a stale blocking client must not hold the new workers back; running attempts go on.
      await Promise.all(old.map((w) => this.closeWorker(w, true)));
      await this.advertise();
      for (const name of names) this.serve(name);
    } finally {
      this.watching = false;
    }
  }

  private async closeWorker(w: BullWorker<AttemptJob>, force: boolean): Promise<void> {
    await w.close(force).catch(() => {});
    this.connections.get(w)?.disconnect();
    this.connections.delete(w);
  }

  private async reply(orchestrator: string, reply: AttemptReply): Promise<void> {
    await this.redis.xadd(this.k.replies(orchestrator), '*', 'm', JSON.stringify(reply));
  }

  /** The compiled flow of `sha`, written once to this worker's build directory. */
  private bundlePath(sha: string, flowName: string): Promise<string> {
    let p = this.bundles.get(sha);
    if (!p) {
      p = (async () => {
        const dir = homePaths(this.o.stores.home).build;
        const file = path.join(dir, `queue-${flowName}-${sha.slice(0, 16)}.mjs`);
        try {
          await fs.access(file);
        } catch {
          await fs.mkdir(dir, { recursive: true });
          const tmp = `${file}.${process.pid}.tmp`;
          await fs.writeFile(tmp, await this.o.stores.artifacts.get(sha));
          await fs.rename(tmp, file);
        }
        return file;
      })();
      p.catch(() => this.bundles.delete(sha));
      this.bundles.set(sha, p);
    }
    return p;
  }

  private takeProcess(key: string): AttemptProcess {
    const at = this.idle.findIndex((p) => p.loadedFor === key && !p.exited);
    if (at >= 0) return this.idle.splice(at, 1)[0]!;
    while (this.idle.length > 0) {
      const p = this.idle.pop()!;
      if (!p.exited) return p;
    }
    return new AttemptProcess();
  }

  private async process(job: Job<AttemptJob>, token: string): Promise<void> {
    const data = job.data;
    const { work } = data;
    // The run is over (failed, cancelled): its remaining jobs are dropped unrun.
    if (this.stopping || (await this.runClosed(data.orchestrator))) return;
    const release = await this.slots.acquire(data.resources);
    const key = `${data.orchestrator}/${data.bundleSha}`;
    const child = this.takeProcess(key);
    const running: Running = { orchestrator: data.orchestrator, process: child, handedBack: false };
    this.running.set(job.id!, running);
    this.taken++;
    try {
      let outcome: TaskOutcome;
      let log: AttemptLog | undefined;
      let started = false;
      let startedSent: Promise<unknown> = Promise.resolve();
      const start = (envInfo: EnvironmentInfo) => {
        started = true;
        return this.reply(data.orchestrator, {
          type: 'started',
          taskId: work.taskId,
          attempt: work.attempt,
          fence: data.fence,
          token,
          envInfo,
        });
      };
      try {
        await child.load(key, {
          flowBundle: await this.bundlePath(data.bundleSha, data.flowName),
          flowName: data.flowName,
          artifactRoot: this.o.stores.artifactRoot,
          context: data.context,
        });
        // Not awaited: the attempt starts at once, and the `done` reply goes out after `started`
        // on the same connection, which keeps their order.
        startedSent = start({ ...child.worker.envInfo, worker: this.id }).catch((e: unknown) =>
          this.o.log?.(`the started reply failed: ${(e as Error).message}`),
        );
        log = new AttemptLog(this.writes, data.context.runId, work);
        outcome = await child.run(work, log);
      } catch (e) {
        const exception = e instanceof Error ? toExceptionRecord(e) : (e as TaskOutcome['exception']);
        outcome = {
          taskId: work.taskId,
          attempt: work.attempt,
          ok: false,
          artifacts: {},
          ...(exception ? { exception } : {}),
        };
        // A flow that does not load here is this attempt's failure: recorded, then the retry policy.
        if (!started) startedSent = start({ worker: this.id });
      }
      if (running.handedBack)
        outcome = {
          ...outcome,
          ok: false,
          exception: lostException(
            `Worker ${this.id} stopped before the attempt finished and handed it back.`,
          ),
        };
      await log?.close().catch((e: unknown) => this.o.log?.(`writing logs failed: ${(e as Error).message}`));
      await startedSent;
      await this.reply(data.orchestrator, {
        type: 'done',
        taskId: work.taskId,
        attempt: work.attempt,
        fence: data.fence,
        token,
        outcome,
      });
    } finally {
      this.running.delete(job.id!);
      if (!child.exited && !this.stopping) this.idle.push(child);
      else if (!child.exited) child.worker.stop();
      release();
    }
  }

  /** Whether the orchestrator's run is over; asked at most once a second per orchestrator. */
  private async runClosed(orchestrator: string): Promise<boolean> {
    const now = Date.now();
    const known = this.closedCache.get(orchestrator);
    if (known && (known.closed || now - known.at < CLOSED_CHECK_MS)) return known.closed;
    const closed = (await this.redis.exists(this.k.closed(orchestrator))) === 1;
    if (this.closedCache.size > 1000) this.closedCache.clear();
    this.closedCache.set(orchestrator, { closed, at: now });
    return closed;
  }

  private onKill(order: KillOrder): void {
    // A kill of every attempt means the run is over: its queued jobs are skipped from now on.
    if (!order.jobId) this.closedCache.set(order.orchestrator, { closed: true, at: Date.now() });
    for (const [jobId, r] of this.running) {
      if (r.orchestrator !== order.orchestrator || (order.jobId && order.jobId !== jobId)) continue;
      if (order.graceMs > 0) r.process.worker.terminate(order.graceMs);
      else r.process.worker.child.kill('SIGKILL');
    }
  }

  /**
   * Stops taking attempts, lets the running ones finish for up to `stopGraceMs`, then hands the
   * rest back (their processes are stopped and the attempts reported lost, so the orchestrator
   * retries them elsewhere).
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    const workers = [...this.bullWorkers.values()];
    const closing = Promise.all(workers.map((w) => this.closeWorker(w, false)));
    const graceful = await Promise.race([
      closing.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), this.o.stopGraceMs).unref()),
    ]);
    if (!graceful) {
      for (const r of this.running.values()) {
        r.handedBack = true;
        r.process.worker.terminate(1_000);
      }
      await closing;
    }
    for (const p of this.idle) p.worker.stop();
    this.idle.length = 0;
    await this.writes.drain().catch(() => {});
    await this.redis.hdel(this.k.workers, this.id).catch(() => {});
    this.subscriber.disconnect();
    await this.redis.quit().catch(() => {});
  }
}
