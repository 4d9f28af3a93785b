/**
 * Fencing: only the worker that started an attempt, holding that attempt job's lock token, may
 * commit its outcome; anything else (another token, another attempt, a second reply, a reply after
 * the attempt was settled) is dropped. Checked on the rule and on a real queue executor fed forged
 * replies through Redis.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { AttemptRequest, ExecutorEvents } from '../../src/runtime/executor/executor.ts';
import { admitReply, type InflightAttempt } from '../../src/runtime/executor/queue/attempt-fence.ts';
import { QueueExecutor } from '../../src/runtime/executor/queue/queue-executor.ts';
import { type AttemptJob, keys, type QueueTuning } from '../../src/runtime/executor/queue/queue-names.ts';
import type { TaskOutcome, TaskWork } from '../../src/runtime/protocol.ts';
import { FsArtifactStore } from '../../src/store/fs/fs-artifact-store.ts';
import { dropAfterAll, dropPrefix, redisTests, testTuning } from './test-redis.ts';

const work: TaskWork = { step: 'fan', taskId: 7, attempt: 1, inputs: [], foreachStack: [] };
const request: AttemptRequest = { work, isolated: false, resources: undefined };
const inflight = (token?: string): InflightAttempt => ({
  request,
  fence: 'f1',
  jobId: 'o.7.1.0',
  queue: 'attempts',
  token,
  submittedAt: 0,
  added: true,
  missingChecks: 0,
  unfitSince: undefined,
});
const outcome: TaskOutcome = { taskId: 7, attempt: 1, ok: true, artifacts: {} };

describe('admitReply', () => {
  it('binds the first start to its token and lets only that token commit', () => {
    const started = { type: 'started', taskId: 7, attempt: 1, fence: 'f1', token: 'A', envInfo: {} } as const;
    expect(admitReply(inflight(), started)).toBe(true);
    expect(admitReply(inflight('A'), started)).toBe(false);
    const done = { type: 'done', taskId: 7, attempt: 1, fence: 'f1', token: 'A', outcome } as const;
    expect(admitReply(inflight('A'), done)).toBe(true);
    expect(admitReply(inflight('A'), { ...done, token: 'B' })).toBe(false);
    expect(admitReply(inflight(), done)).toBe(false);
    expect(admitReply(inflight('A'), { ...done, attempt: 0 })).toBe(false);
    expect(admitReply(inflight('A'), { ...done, fence: 'f0' })).toBe(false);
    expect(admitReply(undefined, done)).toBe(false);
  });
});

redisTests('queue executor fencing', (url) => {
  const tuning = testTuning({ reconcileMs: 60_000 });
  dropAfterAll(url, tuning);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-fence-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A queue executor over a fake scheduler that records what it is told. */
  async function startExecutor(overrides: Partial<QueueTuning> = {}, warn?: (line: string) => void) {
    const bundle = path.join(dir, 'flow.mjs');
    fs.writeFileSync(bundle, 'export {};\n');
    const seen: { started: TaskWork[]; outcomes: TaskOutcome[] } = { started: [], outcomes: [] };
    const events: ExecutorEvents = {
      onStarted: (w) => seen.started.push(w),
      onOutcome: (_w, o) => seen.outcomes.push(o),
      onLine: () => {},
      onLoadFailed: () => {},
      onEmit: async () => {},
      onUnschedulable: () => {},
    };
    const executor = new QueueExecutor({
      url,
      ...tuning,
      ...overrides,
      artifacts: new FsArtifactStore(path.join(dir, 'a')),
      ...(warn ? { warn } : {}),
    });
    const context = {
      runId: 1,
      flowName: 'F',
      runNumber: 1,
      user: 'u',
      namespace: 'user:u',
      tags: [],
      originRunNumber: null,
      trigger: [],
      params: {},
      maxNumSplits: 10,
    };
    await executor.start({
      load: { flowBundle: bundle, flowName: 'F', artifactRoot: dir, context },
      events,
      settled: () => false,
    });
    return { executor, seen };
  }

  it('says so when attempts wait and no worker is alive', async () => {
    const warnings: string[] = [];
    const { executor } = await startExecutor(
      { reconcileMs: 50, unschedulableAfterMs: 200, prefix: `${tuning.prefix}-none` },
      (line) => warnings.push(line),
    );
    executor.submit(request);
    await new Promise((r) => setTimeout(r, 1_500));
    await executor.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /1 attempt\(s\) of F\/1 wait for a worker: none is taking attempts from redis:/,
    );
    await dropPrefix(url, `${tuning.prefix}-none`);
  });

  it('drops forged and stale replies; commits the one from the lock holder, once', async () => {
    const { executor, seen } = await startExecutor();
    executor.submit(request);
    const redis = new Redis(url);
    const k = keys(tuning.prefix);
    const queue = new Queue<AttemptJob>('attempts', { connection: redis, prefix: k.bull });
    let job: AttemptJob | undefined;
    for (let i = 0; i < 100 && !job; i++) {
      job = (await queue.getWaiting()).find((j) => j.data.work.taskId === 7)?.data;
      if (!job) await new Promise((r) => setTimeout(r, 20));
    }
    expect(job).toBeDefined();
    const send = (reply: object) =>
      redis.xadd(k.replies(job!.orchestrator), '*', 'm', JSON.stringify({ taskId: 7, attempt: 1, ...reply }));
    const settle = () => new Promise((r) => setTimeout(r, 700));

    await send({ type: 'done', fence: job!.fence, token: 'A', outcome }); // before any start
    await send({ type: 'started', fence: 'forged', token: 'X', envInfo: {} });
    await settle();
    expect(seen).toEqual({ started: [], outcomes: [] });

    await send({ type: 'started', fence: job!.fence, token: 'A', envInfo: { worker: 'w1' } });
    await send({ type: 'started', fence: job!.fence, token: 'B', envInfo: { worker: 'w2' } });
    await send({ type: 'done', fence: job!.fence, token: 'B', outcome: { ...outcome, ok: false } });
    await send({ type: 'done', attempt: 0, fence: job!.fence, token: 'A', outcome });
    await settle();
    expect(seen.started).toHaveLength(1);
    expect(seen.outcomes).toEqual([]);

    await send({ type: 'done', fence: job!.fence, token: 'A', outcome });
    await send({ type: 'done', fence: job!.fence, token: 'A', outcome: { ...outcome, ok: false } });
    await settle();
    expect(seen.outcomes).toEqual([outcome]);

    await queue.close();
    redis.disconnect();
    await executor.close();
  });
});
