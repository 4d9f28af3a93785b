/** Both executor adapters pass the one conformance suite. */

import { QueueWorker } from '../../src/runtime/executor/queue/queue-worker.ts';
import { openEmbeddedStores } from '../../src/testing/index.ts';
import { executorConformance } from '../conformance/executor.ts';
import { dropAfterAll, REDIS_URL, redisTests, testTuning } from './test-redis.ts';

executorConformance('local', async () => ({ spec: { kind: 'local' }, close: async () => {} }));

redisTests('queue executor conformance', (url) => {
  const tuning = testTuning();
  dropAfterAll(url, tuning);
  executorConformance('queue', async (home) => {
    const stores = openEmbeddedStores(home);
    const worker = new QueueWorker({
      url: REDIS_URL,
      concurrency: 2,
      offer: { cpu: 2, memoryMb: 4096, gpu: 0 },
      stores,
      tuning,
      stopGraceMs: 5_000,
    });
    await worker.start();
    return {
      spec: { kind: 'queue', url, ...tuning },
      workerId: worker.id,
      close: async () => {
        await worker.stop();
        await stores.close();
      },
    };
  });
});
