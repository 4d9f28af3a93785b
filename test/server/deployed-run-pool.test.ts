/**
 * A triggered run's worker pool in the server: it starts on one spare and fills on demand, so a
 * linear flow uses one process while a foreach still runs its splits side by side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent } from '../../src/events/validate-event.ts';
import { defaultMetadata, defaultNamespace, Flow, metadata, namespace } from '../../src/index.ts';
import { deployFlow } from '../../src/runtime/deploy.ts';
import { initialPoolSize } from '../../src/runtime/worker-fork.ts';
import { fixture } from '../helpers.ts';
import { startTestServer, type TestServer } from './server-fixture.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a triggered run fills its worker pool on demand', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
    await deployFlow({
      file: fixture('triggered-foreach.ts'),
      params: {},
      home: t.dir,
      deployments: t.server.stores.deployments,
      artifacts: t.server.stores.artifacts,
    });
    await t
      .client('write')
      .events.append([validateEvent({ event: 'pool.go', resource: { 'flowtrail.resource.id': 'pool' } })]);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [run] = await t.server.stores.metadata.listRuns('TriggeredForeachFlow');
      if (run && run.status !== 'running') break;
      if (Date.now() > deadline) throw new Error('the triggered run did not finish');
      await sleep(50);
    }
    process.env.FLOWTRAIL_API_KEY = t.keys.read;
    metadata(t.server.url);
  }, 90_000);

  afterAll(async () => {
    defaultMetadata();
    defaultNamespace();
    delete process.env.FLOWTRAIL_API_KEY;
    await t.stop();
  });

  it('completes, with the splits on as many workers as a pool starts with, side by side', async () => {
    namespace(null);
    const run = await Flow.get('TriggeredForeachFlow').latestRun;
    expect(await run.status).toBe('completed');
    const splits: { pid: number; began: number; ended: number }[] = [];
    for await (const task of await run.get('work')) {
      const data = (await task.data) as { pid: number; began: number; ended: number };
      splits.push({ pid: data.pid, began: data.began, ended: data.ended });
    }
    expect(splits).toHaveLength(8);
    const pids = new Set(splits.map((s) => s.pid));
    if (initialPoolSize(16) < 2) return; // one core: one worker (the pool grows only on slow tasks)
    expect(pids.size).toBeGreaterThanOrEqual(2);
    // Two splits overlapped: the second worker came while the first was busy, not after.
    const overlapped = splits.some((a) =>
      splits.some((b) => a !== b && a.began < b.ended && b.began < a.ended),
    );
    expect(overlapped).toBe(true);
  });
});
