/**
 * The queue executor across processes (issue 14 acceptance): `flowtrail worker`s with their own
 * homes share only Redis, the service and an S3 bucket (s3rver on loopback) with `flowtrail run
 * --executor queue`. A 1,000-task foreach spreads over three workers; a worker killed with -9 mid-task loses
 * its attempts, which are retried on another worker; a GPU step with no GPU worker is reported
 * unschedulable; workers killed at random during 2,000 tasks lose nothing and commit nothing
 * twice. Short locks (3 s) keep it quick.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttemptRecord, RunRecord } from '../../src/store/metadata-store.ts';
import type { Stores } from '../../src/testing/index.ts';
import { fixture, stepTask } from '../helpers.ts';
import { s3Tests, type TestS3 } from '../support/s3-tests.ts';
import { Cluster } from './cluster.ts';
import { dropAfterAll, redisTests, testTuning } from './test-redis.ts';

const FANOUT = fixture('queue-fanout.ts');

async function runOf(stores: Stores, runNumber: number): Promise<RunRecord> {
  return (await stores.metadata.getRun('QueueFanoutFlow', runNumber))!;
}

/** Every attempt of every task of `step`, by task. */
async function attemptsByTask(
  stores: Stores,
  run: RunRecord,
  step: string,
): Promise<Map<number, AttemptRecord[]>> {
  const out = new Map<number, AttemptRecord[]>();
  for (const task of await stores.metadata.listTasks(run.id, { step }))
    out.set(task.taskId, await stores.metadata.listAttempts(run.id, task.taskId));
  return out;
}

/** Each task completed exactly once, by its final attempt; no attempt left running. */
function expectExactlyOnceCommits(byTask: Map<number, AttemptRecord[]>): void {
  for (const [, attempts] of byTask) {
    expect(attempts.filter((a) => a.status === 'completed')).toHaveLength(1);
    expect(attempts.at(-1)!.status).toBe('completed');
    expect(attempts.filter((a) => a.status === 'running')).toEqual([]);
  }
}

redisTests('queue executor across processes', (url) => {
  const tuning = testTuning();
  dropAfterAll(url, tuning);
  // s3Tests fails the file under CI=true when s3rver cannot start (skips loudly otherwise).
  s3Tests('over S3', (t) => clusterTests(url, tuning, t));
});

/** Every cluster test, each with a fresh cluster on a fresh prefix of the bucket. */
function clusterTests(url: string, tuning: ReturnType<typeof testTuning>, t: TestS3): void {
  let cluster: Cluster;
  beforeEach(async () => {
    cluster = new Cluster(url, tuning, { url: t.freshUrl(), env: t.s3.env });
    await cluster.start();
  }, 60_000);
  afterEach(async () => {
    await cluster.close();
  }, 60_000);

  describe('three workers', () => {
    it('run a 1,000-task foreach; artifacts written on one worker are read on another', async () => {
      const workers = [cluster.startWorker(), cluster.startWorker(), cluster.startWorker()];
      const ids = await Promise.all(workers.map((w) => w.id));
      const { code, result, stderr } = await cluster.run(FANOUT, [
        '--splits',
        '1000',
        '--max-num-splits',
        '1000',
      ]);
      expect(code, stderr).toBe(0);
      expect(result?.status).toBe('completed');
      await using stores = cluster.stores();
      const run = await runOf(stores, result!.runNumber);
      expect((await stepTask(stores, run, 'gather')).data.total).toBe(999 * 1000);
      const byTask = await attemptsByTask(stores, run, 'work');
      expect(byTask.size).toBe(1000);
      expectExactlyOnceCommits(byTask);
      const ranOn = new Set([...byTask.values()].map((a) => a.at(-1)!.envInfo?.worker));
      expect([...ranOn].sort()).toEqual([...ids].sort());
      // The join read 1,000 artifacts, most of them written by the other two workers.
      const gather = (await stores.metadata.listTasks(run.id, { step: 'gather' }))[0]!;
      const gatherOn = (await stores.metadata.listAttempts(run.id, gather.taskId))[0]!.envInfo?.worker;
      const elsewhere = [...byTask.values()].filter((a) => a.at(-1)!.envInfo?.worker !== gatherOn).length;
      expect(elsewhere).toBeGreaterThan(300);
      // …and they went through the bucket: every split's value is an object there (HEAD; s3rver's
      // listing fails past ~1,000 keys), and no process (server, workers, orchestrator) has an
      // artifacts directory of its own.
      const doubled = await Promise.all(
        [...byTask.keys()].map(async (taskId) => {
          const [a] = (await stores.metadata.listArtifacts(run.id, taskId)).filter(
            (x) => x.name === 'doubled',
          );
          return a!.sha;
        }),
      );
      expect(new Set(doubled).size).toBe(1000);
      const absent: string[] = [];
      for (const sha of doubled) if (!(await stores.artifacts.has(sha))) absent.push(sha);
      expect(absent).toEqual([]);
      expect(stores.artifactRoot).toMatch(/^s3:\/\//);
      expect(cluster.localArtifactDirs()).toEqual([]);
    }, 180_000);

    it('kill -9 of a worker mid-task: its attempts are lost and retried on another worker within 30 s', async () => {
      const workers = [cluster.startWorker(), cluster.startWorker(), cluster.startWorker()];
      await Promise.all(workers.map((w) => w.id));
      const victim = workers[0]!;
      const victimId = await victim.id;
      const running = cluster.run(FANOUT, ['--splits', '12', '--sleep-ms', '4000']);
      await using stores = cluster.stores();
      // Wait until the victim holds an attempt.
      let run: RunRecord | undefined;
      const deadline = Date.now() + 60_000;
      for (;;) {
        run = await stores.metadata.latestRun({ flow: 'QueueFanoutFlow' });
        if (run) {
          const byTask = await attemptsByTask(stores, run, 'work');
          const held = [...byTask.values()].some((a) =>
            a.some((x) => x.status === 'running' && x.envInfo?.worker === victimId),
          );
          if (held) break;
        }
        if (Date.now() > deadline) throw new Error('the victim never took an attempt');
        await new Promise((r) => setTimeout(r, 100));
      }
      const killedAt = Date.now();
      victim.child.kill('SIGKILL');
      const { code, result, stderr } = await running;
      expect(code, stderr).toBe(0);
      expect(result?.status).toBe('completed');
      const byTask = await attemptsByTask(stores, run, 'work');
      expectExactlyOnceCommits(byTask);
      const lost = [...byTask.values()].flatMap((attempts) =>
        attempts.flatMap((a, i) => (a.status === 'lost' ? [{ lost: a, next: attempts[i + 1]! }] : [])),
      );
      expect(lost.length).toBeGreaterThan(0);
      for (const { lost: a, next } of lost) {
        expect(a.envInfo?.worker).toBe(victimId);
        expect(a.exception).toMatchObject({ type: 'WorkerLost' });
        expect(next.envInfo?.worker).not.toBe(victimId);
        expect(next.startedAt - killedAt).toBeLessThan(30_000);
      }
      expect((await stepTask(stores, run, 'gather')).data.total).toBe(11 * 12);
      expect(cluster.localArtifactDirs()).toEqual([]);
    }, 120_000);
  });

  it('SIGTERM: a worker finishes what it runs and exits; with --stop-timeout 0 it hands it back', async () => {
    const patient = cluster.startWorker(['--concurrency', '2', '--stop-timeout', '60']);
    const patientId = await patient.id;
    const running = cluster.run(FANOUT, ['--splits', '2', '--sleep-ms', '3000']);
    await using stores = cluster.stores();
    const waitRunning = async (workerId: string) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const run = await stores.metadata.latestRun({ flow: 'QueueFanoutFlow' });
        if (run) {
          const byTask = await attemptsByTask(stores, run, 'work');
          const held = [...byTask.values()].filter(
            (a) => a.at(-1)?.status === 'running' && a.at(-1)?.envInfo?.worker === workerId,
          );
          if (held.length > 0) return run;
        }
        if (Date.now() > deadline) throw new Error(`${workerId} never took an attempt`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const run = await waitRunning(patientId);
    patient.child.kill('SIGTERM');
    // It finishes both attempts, then exits 0; a second worker takes the join.
    expect(await patient.exited).toBe(0);
    const byTask = await attemptsByTask(stores, run, 'work');
    for (const attempts of byTask.values()) {
      expect(attempts.map((a) => a.status)).toEqual(['completed']);
      expect(attempts[0]!.envInfo?.worker).toBe(patientId);
    }
    const hasty = cluster.startWorker(['--concurrency', '1', '--stop-timeout', '0']);
    const hastyId = await hasty.id;
    const first = await running;
    expect(first.result?.status).toBe('completed');

    const second = cluster.run(FANOUT, ['--splits', '1', '--sleep-ms', '20000']);
    const run2 = await waitRunning(hastyId);
    hasty.child.kill('SIGTERM');
    expect(await hasty.exited).toBe(0);
    const rescuer = cluster.startWorker(['--concurrency', '1']);
    const rescuerId = await rescuer.id;
    const { result } = await second;
    expect(result?.status).toBe('completed');
    const [attempts] = [...(await attemptsByTask(stores, run2, 'work')).values()];
    expect(attempts!.map((a) => a.status)).toEqual(['lost', 'completed']);
    expect(attempts![0]!.exception?.message).toContain('handed it back');
    expect(attempts![1]!.envInfo?.worker).toBe(rescuerId);
  }, 120_000);

  it('a step needing a GPU with no GPU worker is reported unschedulable, and the run fails saying so', async () => {
    await cluster.startWorker(['--concurrency', '1', '--resources', 'cpu=2,gpu=0']).id;
    const started = Date.now();
    const { code, result, stderr } = await cluster.run(fixture('gpu-step.ts'));
    expect(code).toBe(1);
    expect(result?.status).toBe('failed');
    expect(Date.now() - started).toBeLessThan(30_000);
    await using stores = cluster.stores();
    const run = (await stores.metadata.getRun('GpuStepFlow', result!.runNumber))!;
    expect(run.error?.message).toMatch(
      /No worker can run GpuStepFlow\/\d+\/train\/\d+: it needs cpu=1,gpu=1/,
    );
    const train = (await stores.metadata.listTasks(run.id, { step: 'train' }))[0]!;
    const [attempt] = await stores.metadata.listAttempts(run.id, train.taskId);
    expect(attempt).toMatchObject({ status: 'failed', exception: { type: 'UnschedulableError' } });
    const events = await stores.events.query({ event: { name: ['flowtrail.task.unschedulable'] } });
    expect(events.events.map((e) => e.payload.message)).toEqual([expect.stringContaining('gpu=1')]);
    expect(stderr).toBeDefined();
  }, 60_000);

  it('chaos: 2,000 tasks while workers are killed at random and restarted: all complete, none lost, none committed twice', async () => {
    for (let i = 0; i < 3; i++) cluster.startWorker();
    await Promise.all(cluster.workers.map((w) => w.id));
    const running = cluster.run(FANOUT, ['--splits', '2000', '--max-num-splits', '2000', '--sleep-ms', '50']);
    let done = false;
    let kills = 0;
    void running.finally(() => {
      done = true;
    });
    const chaos = (async () => {
      while (!done) {
        await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 1_500));
        if (done) break;
        const alive = cluster.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
        const victim = alive[Math.floor(Math.random() * alive.length)];
        if (!victim) continue;
        victim.child.kill('SIGKILL');
        kills++;
        cluster.startWorker();
      }
    })();
    const { code, result, stderr } = await running;
    await chaos;
    expect(code, stderr).toBe(0);
    expect(result?.status).toBe('completed');
    expect(kills).toBeGreaterThanOrEqual(3);
    await using stores = cluster.stores();
    const run = await runOf(stores, result!.runNumber);
    const byTask = await attemptsByTask(stores, run, 'work');
    expect(byTask.size).toBe(2000);
    expectExactlyOnceCommits(byTask);
    // Extra executions show as extra attempts; each task's artifacts are its final attempt's.
    expect((await stepTask(stores, run, 'gather')).data.total).toBe(1999 * 2000);
    const lost = [...byTask.values()].flat().filter((a) => a.status === 'lost').length;
    // The kills hit running attempts: they were lost, and retried.
    expect(lost).toBeGreaterThan(0);
    console.log(`chaos: ${kills} workers killed, ${lost} attempts lost and retried`);
  }, 300_000);
}
