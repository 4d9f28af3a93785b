/**
 * A triggered run's worker pool in the server starts on one spare and fills on demand: a foreach
 * still runs its splits side by side, before the pool's growth on slow tasks would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent } from '../../src/events/validate-event.ts';
import { deployFlow } from '../../src/runtime/deploy.ts';
import { initialPoolSize } from '../../src/runtime/worker-fork.ts';
import type { RunRecord } from '../../src/store/metadata-store.ts';
import { fixture } from '../helpers.ts';
import { startTestServer, type TestServer } from './server-fixture.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a triggered run fills its worker pool on demand', () => {
  let t: TestServer;
  let run: RunRecord;

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
      const [latest] = await t.server.stores.metadata.listRuns('TriggeredForeachFlow');
      if (latest && latest.status !== 'running') {
        run = latest;
        break;
      }
      if (Date.now() > deadline) throw new Error('the triggered run did not finish');
      await sleep(50);
    }
  }, 90_000);

  afterAll(() => t.stop());

  it('completes, with splits shorter than the growth delay running side by side', async () => {
    expect(run.status).toBe('completed');
    const splits = await t.server.stores.metadata.listTasks(run.id, { step: 'work' });
    expect(splits).toHaveLength(8);
    if (initialPoolSize(16) < 2) return; // one core: one worker (the pool grows only on slow tasks)
    // Two splits overlapped: a second worker came while the first was busy.
    const overlapped = splits.some((a) =>
      splits.some((b) => a !== b && a.startedAt! < b.finishedAt! && b.startedAt! < a.finishedAt!),
    );
    expect(overlapped).toBe(true);
  });
});
