/**
 * Queue executor benchmark: `node --import tsx bench/queue.ts` (needs Redis at BENCH_REDIS_URL,
 * else FLOWTRAIL_TEST_REDIS_URL, else redis://127.0.0.1:6379, and `npm run build` for the worker
 * processes). Prints figures, asserts nothing; every figure comes with a baseline measured in the
 * same run, because the machine is shared and noisy.
 *
 * 1. Dispatch: BENCH_TASKS (default 4,000) no-op attempts submitted at once to the queue
 *    executor, run by two `flowtrail worker --concurrency BENCH_CONCURRENCY` (default 4) processes → tasks/s from submit to
 *    the last outcome. Baseline: raw BullMQ, `addBulk` + two in-process workers with no-op
 *    processors (the queue's own ceiling).
 * 2. Fan-out: 10,000 attempts submitted in one tick → time until all are jobs in Redis (a
 *    resource class no worker serves, so none is taken). Baseline: one raw `addBulk` of 10,000
 *    jobs of the same size.
 * 3. Latency: one attempt every 25 ms with idle workers whose processes are forked and loaded →
 *    submit → `started` reply, p50/p99 (excluding process start). Baseline: raw BullMQ add →
 *    processor start at the same cadence.
 * 4. A whole run: a BENCH_RUN_TASKS (default 2,000) split foreach of no-op tasks with the queue
 *    executor (the same two workers, on the run's SQLite home) against the local executor → the
 *    foreach's tasks/s, first attempt start to last attempt end.
 * 5. Artifacts on S3: put/get of a 200 MB artifact (BENCH_S3_MB) through the S3 store against
 *    s3rver on loopback, after the workers have stopped — `measureS3Transfer()` of
 *    bench/s3-transfer.ts, with its bare-SDK baseline. Targets ≥ 60 / 100 MB/s.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { ExecutorEvents } from '../src/runtime/executor/executor.ts';
import { QueueExecutor } from '../src/runtime/executor/queue/queue-executor.ts';
import { keys, type QueueTuning } from '../src/runtime/executor/queue/queue-names.ts';
import { loadFlow } from '../src/runtime/flow-loader.ts';
import type { RunContext, TaskWork } from '../src/runtime/protocol.ts';
import { FsArtifactStore } from '../src/store/fs/fs-artifact-store.ts';
import { openEmbeddedStores, runFlow } from '../src/testing/index.ts';
import { percentile, sleep } from './lib.ts';
import { measureS3Transfer } from './s3-transfer.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const URL_ = process.env.BENCH_REDIS_URL ?? process.env.FLOWTRAIL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TASKS = Number(process.env.BENCH_TASKS ?? 4000);
const RUN_TASKS = Number(process.env.BENCH_RUN_TASKS ?? 2000);
const FANOUT = 10_000;
/** Attempts at once per worker process. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const LATENCY_SAMPLES = 200;
const prefix = `bench-${process.pid}`;
const tuning: Partial<QueueTuning> = { prefix, reconcileMs: 1000, unschedulableAfterMs: 600_000 };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-bench-queue-'));
const home = path.join(dir, 'home');
const artifacts = new FsArtifactStore(path.join(home, 'artifacts'));
const figures: Record<string, number> = {};
const out = (line: string) => process.stdout.write(`${line}\n`);
/** Every connection the script opens, closed at the end (BullMQ leaves given connections open). */
const connections: Redis[] = [];
const redis = () => {
  const r = new Redis(URL_, { maxRetriesPerRequest: null });
  connections.push(r);
  return r;
};

function startWorker(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'bin/flowtrail.js'),
      'worker',
      '--queue',
      URL_,
      '--concurrency',
      String(CONCURRENCY),
      '--quiet',
    ],
    // From the sources, like this process: the flow bundle it compiles imports the sources' runtime.
    {
      env: {
        ...process.env,
        FLOWTRAIL_FROM_SOURCE: '1',
        FLOWTRAIL_HOME: home,
        FLOWTRAIL_QUEUE_PREFIX: prefix,
      },
      stdio: 'ignore',
    },
  );
  return sleep(4000).then(() => child);
}

/** A queue executor over a fake scheduler that records when each attempt started and ended. */
async function executorFor(bundle: string, context: RunContext) {
  const submitted = new Map<number, number>();
  const started = new Map<number, number>();
  const finished = new Map<number, number>();
  let onFinish = () => {};
  const events: ExecutorEvents = {
    onStarted: (w) => started.set(w.taskId, performance.now()),
    onOutcome: (w) => {
      finished.set(w.taskId, performance.now());
      onFinish();
    },
    onLine: () => {},
    onLoadFailed: () => {},
    onEmit: async () => {},
    onUnschedulable: () => {},
  };
  const executor = new QueueExecutor({ url: URL_, ...tuning, artifacts });
  await executor.start({
    load: { flowBundle: bundle, flowName: 'NoopFlow', artifactRoot: '', context },
    events,
    settled: () => false,
  });
  let nextId = 1;
  const submit = (resources?: { gpu: number }) => {
    const work: TaskWork = { step: 'start', taskId: nextId++, attempt: 0, inputs: [], foreachStack: [] };
    submitted.set(work.taskId, performance.now());
    executor.submit({ work, isolated: false, resources });
  };
  const allFinished = (n: number) =>
    new Promise<void>((resolve) => {
      onFinish = () => finished.size >= n && resolve();
      onFinish();
    });
  return { executor, submit, submitted, started, finished, allFinished };
}

async function rawBullmq(): Promise<void> {
  const connection = redis();
  const queue = new Queue('raw', { connection, prefix: `${prefix}:raw` });
  const payload = { blob: 'x'.repeat(600) };
  let t0 = performance.now();
  for (let i = 0; i < TASKS; i += 1000)
    await queue.addBulk(
      Array.from({ length: Math.min(1000, TASKS - i) }, () => ({
        name: 'j',
        data: payload,
        opts: { removeOnComplete: true },
      })),
    );
  const addS = (performance.now() - t0) / 1000;
  let done = 0;
  t0 = performance.now();
  let resolveDone = () => {};
  const finished = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const workers = [0, 1].map(
    () =>
      new Worker(
        'raw',
        async () => {
          if (++done === TASKS) resolveDone();
        },
        {
          connection: redis(),
          prefix: `${prefix}:raw`,
          concurrency: 8,
        },
      ),
  );
  await finished;
  await Promise.all(workers.map((w) => w.close()));
  figures.raw_process_per_s = TASKS / ((performance.now() - t0) / 1000);
  figures.raw_add_per_s = TASKS / addS;
  // Fan-out baseline: 10,000 jobs of about an attempt job's size in one bulk add.
  t0 = performance.now();
  const fan = new Queue('rawfan', { connection, prefix: `${prefix}:raw` });
  await fan.addBulk(Array.from({ length: FANOUT }, () => ({ name: 'j', data: payload })));
  figures.raw_fanout_s = (performance.now() - t0) / 1000;
  // Latency baseline: add → processor start, one job every 25 ms.
  const latencies: number[] = [];
  const addedAt = new Map<string, number>();
  const lat = new Worker(
    'rawlat',
    async (job) => {
      latencies.push(performance.now() - addedAt.get(job.id!)!);
    },
    { connection: redis(), prefix: `${prefix}:raw`, concurrency: 4 },
  );
  const latQueue = new Queue('rawlat', { connection, prefix: `${prefix}:raw` });
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const id = `j${i}`;
    addedAt.set(id, performance.now());
    await latQueue.add('j', payload, { jobId: id, removeOnComplete: true });
    await sleep(25);
  }
  await sleep(500);
  figures.raw_latency_p50_ms = percentile(latencies, 50);
  figures.raw_latency_p99_ms = percentile(latencies, 99);
  await Promise.all([lat.close(), queue.close(), fan.close(), latQueue.close()]);
  connection.disconnect();
}

async function main(): Promise<void> {
  out(`queue benchmark on ${os.availableParallelism()} CPUs, Redis ${URL_}, ${TASKS} dispatch tasks`);
  await rawBullmq();
  const loaded = await loadFlow(path.join(root, 'bench/flows/noop.ts'), path.join(home, 'build'));
  openEmbeddedStores(home).close();
  const workers = [await startWorker(), await startWorker()];
  const context: RunContext = {
    runId: 1,
    flowName: 'NoopFlow',
    runNumber: 1,
    user: 'bench',
    namespace: 'user:bench',
    tags: [],
    originRunNumber: null,
    trigger: [],
    params: {},
    maxNumSplits: 100,
  };
  try {
    // Warm the workers' processes (fork, flow import) before measuring.
    {
      const warm = await executorFor(loaded.bundle, context);
      for (let i = 0; i < 20; i++) warm.submit();
      await warm.allFinished(20);
      await warm.executor.close();
    }
    {
      const x = await executorFor(loaded.bundle, context);
      const t0 = performance.now();
      for (let i = 0; i < TASKS; i++) x.submit();
      await x.allFinished(TASKS);
      figures.queue_dispatch_per_s = TASKS / ((performance.now() - t0) / 1000);
      await x.executor.close();
    }
    {
      const x = await executorFor(loaded.bundle, context);
      const counter = new Queue('attempts.gpu64', {
        connection: redis(),
        prefix: keys(prefix).bull,
      });
      const t0 = performance.now();
      for (let i = 0; i < FANOUT; i++) x.submit({ gpu: 64 });
      while ((await counter.getWaitingCount()) < FANOUT) await sleep(5);
      figures.queue_fanout_s = (performance.now() - t0) / 1000;
      await x.executor.close();
      await counter.obliterate({ force: true });
      await counter.close();
    }
    {
      const x = await executorFor(loaded.bundle, context);
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        x.submit();
        await sleep(25);
      }
      await x.allFinished(LATENCY_SAMPLES);
      const lat = [...x.started].map(([id, at]) => at - x.submitted.get(id)!);
      figures.queue_latency_p50_ms = percentile(lat, 50);
      figures.queue_latency_p99_ms = percentile(lat, 99);
      await x.executor.close();
    }
    for (const executor of ['local', 'queue'] as const) {
      const result = await runFlow({
        file: path.join(root, 'bench/flows/fanout.ts'),
        home,
        params: { n: RUN_TASKS },
        maxNumSplits: RUN_TASKS,
        executor: executor === 'local' ? { kind: 'local' } : { kind: 'queue', url: URL_, ...tuning },
      });
      await using stores = openEmbeddedStores(home);
      const tasks = await stores.metadata.listTasks(result.run.id, { step: 'work' });
      const starts = tasks.map((t) => t.startedAt ?? 0);
      const ends = tasks.map((t) => t.finishedAt ?? 0);
      figures[`run_${executor}_per_s`] = tasks.length / ((Math.max(...ends) - Math.min(...starts)) / 1000);
      if (result.status !== 'completed') out(`  (the ${executor} run ended ${result.status})`);
    }
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await sleep(500);
    const cleaner = new Redis(URL_);
    let cursor = '0';
    do {
      const [next, found] = await cleaner.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) await cleaner.del(...found);
    } while (cursor !== '0');
    cleaner.disconnect();
    for (const c of connections) c.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // Alone on the machine's cores: the queue's workers are gone by now.
  const s3 = await measureS3Transfer();
  const f = figures as Record<string, number>;
  const r = (x: number) => x.toFixed(x >= 100 ? 0 : 2);
  out(
    `dispatch, two workers × ${CONCURRENCY}: ${r(f.queue_dispatch_per_s!)} no-op tasks/s (target ≥ 2,000); raw BullMQ ${r(f.raw_process_per_s!)}/s → ${(f.queue_dispatch_per_s! / f.raw_process_per_s!).toFixed(2)}× raw`,
  );
  out(
    `10,000 attempts enqueued: ${r(f.queue_fanout_s!)} s (target ≤ 2 s); raw addBulk ${r(f.raw_fanout_s!)} s → ${(f.queue_fanout_s! / f.raw_fanout_s!).toFixed(2)}× raw's time`,
  );
  out(
    `submit → attempt start: p50 ${r(f.queue_latency_p50_ms!)} ms, p99 ${r(f.queue_latency_p99_ms!)} ms (target p50 ≤ 50); raw BullMQ add → start p50 ${r(f.raw_latency_p50_ms!)} ms, p99 ${r(f.raw_latency_p99_ms!)} ms`,
  );
  out(
    `${RUN_TASKS}-task foreach, tasks/s of the foreach: queue ${r(f.run_queue_per_s!)}, local ${r(f.run_local_per_s!)} → queue ${(f.run_queue_per_s! / f.run_local_per_s!).toFixed(2)}× local`,
  );
  out(
    `S3 artifact of ${s3.mb} MiB (s3rver, median of ${s3.runs}): put ${s3.store.putMBps} MB/s, get ${s3.store.getMBps} MB/s (targets ≥ 60 / 100: ${s3.targets.met ? 'met' : 'NOT met'}); bare SDK put ${s3.sdk.putMBps}, get ${s3.sdk.getMBps} MB/s → store ${s3.ratio.put}× / ${s3.ratio.get}× the SDK`,
  );
  out(JSON.stringify({ bench: 'queue', cpus: os.availableParallelism(), tasks: TASKS, ...figures, s3 }));
}

await main();
