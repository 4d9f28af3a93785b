/**
 * Redis restarts mid-run (on a private redis-server without persistence, so every queued job,
 * lock and reply is gone): the workers' watchdogs recreate their queue workers, the orchestrator
 * queues its unstarted attempts again and records the started ones as lost, and the run completes
 * with every task committed once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunRecord } from '../../src/store/metadata-store.ts';
import { fixture, stepTask } from '../helpers.ts';
import { Cluster } from './cluster.ts';
import { OwnRedis, redisTests, testTuning } from './test-redis.ts';

redisTests('queue executor across a Redis restart', () => {
  let redis: OwnRedis;
  let cluster: Cluster;
  beforeAll(async () => {
    redis = await OwnRedis.start();
    cluster = new Cluster(redis.url, testTuning());
    await cluster.start();
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
    await redis?.stop();
  }, 60_000);

  it('a run completes when Redis restarts (losing its data) in the middle', async () => {
    const workers = [cluster.startWorker(), cluster.startWorker()];
    await Promise.all(workers.map((w) => w.id));
    const running = cluster.run(fixture('queue-fanout.ts'), [
      '--splits',
      '400',
      '--max-num-splits',
      '400',
      '--sleep-ms',
      '30',
    ]);
    await using stores = cluster.stores();
    let run: RunRecord | undefined;
    const deadline = Date.now() + 60_000;
    for (;;) {
      run = await stores.metadata.latestRun({ flow: 'QueueFanoutFlow' });
      const done = run
        ? (await stores.metadata.listTasks(run.id, { step: 'work', status: 'completed' })).length
        : 0;
      if (done >= 60) break;
      if (Date.now() > deadline) throw new Error('the run never got going');
      await new Promise((r) => setTimeout(r, 100));
    }
    const started = run!;
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1_500));
    await redis.start();
    const { code, result, stderr } = await running;
    expect(code, stderr).toBe(0);
    expect(result?.status).toBe('completed');
    const work = await stores.metadata.listTasks(started.id, { step: 'work' });
    expect(work).toHaveLength(400);
    for (const task of work) {
      const attempts = await stores.metadata.listAttempts(started.id, task.taskId);
      expect(attempts.filter((a) => a.status === 'completed')).toHaveLength(1);
      expect(attempts.at(-1)!.status).toBe('completed');
    }
    expect((await stepTask(stores, started, 'gather')).data.total).toBe(399 * 400);
    expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
    // The outage was noticed: the watchdogs recreated the queue workers.
    for (const w of workers) expect(w.output()).toContain('Redis is back');
  }, 180_000);
});
