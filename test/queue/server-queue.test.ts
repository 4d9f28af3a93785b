/**
 * `flowtrail server --queue`: a deployment's triggered run sends its tasks to the queue, where a
 * `flowtrail worker` runs them (nothing runs in the server process).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.ts';
import { Cluster } from './cluster.ts';
import { dropAfterAll, redisTests, testTuning } from './test-redis.ts';

redisTests('server --queue', (url) => {
  const tuning = testTuning();
  dropAfterAll(url, tuning);
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = new Cluster(url, tuning);
    await cluster.start(['--queue', url]);
  }, 60_000);
  afterAll(() => cluster.close(), 60_000);

  it("runs a deployment's triggered run on a queue worker", async () => {
    const workerId = await cluster.startWorker(['--concurrency', '1']).id;
    const deployed = await cluster.cli(['deploy', fixture('remote-deployed.ts')]);
    expect(deployed.code, deployed.output).toBe(0);
    const emitted = await cluster.cli(['events', 'emit', 'remote_ping', '--resource-id', 'ping.1']);
    expect(emitted.code, emitted.output).toBe(0);
    await using stores = cluster.stores();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const run = await stores.metadata.latestRun({ flow: 'RemoteDeployedFlow' });
      if (run && run.status !== 'running') {
        expect(run.status).toBe('completed');
        for (const task of await stores.metadata.listTasks(run.id)) {
          const [attempt] = await stores.metadata.listAttempts(run.id, task.taskId);
          expect(attempt!.envInfo?.worker, JSON.stringify(attempt)).toBe(workerId);
        }
        break;
      }
      if (Date.now() > deadline) throw new Error('the triggered run did not finish');
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 90_000);
});
