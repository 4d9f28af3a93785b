/**
 * The executor conformance suite: what every `Executor` adapter must do, run through `runFlow`
 * on a real SQLite home. `setup` gives the executor spec for a home and whatever must run beside
 * it (the queue adapter starts a `flowtrail worker` in process on the same home).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutorSpec } from '../../src/runtime/executor/create-executor.ts';
import { cancelRun } from '../../src/store/cancel-run.ts';
import { runFlow, type TempHome, tempHome } from '../../src/testing/index.ts';
import { fixture, readHome, stepTask, stepTasks } from '../helpers.ts';

export interface ExecutorHarness {
  spec: ExecutorSpec;
  /** The `worker` an attempt's environment names, when attempts run on a queue worker. */
  workerId?: string;
  close(): Promise<void>;
}

const FLOW = fixture('executor-cases.ts');

export function executorConformance(
  name: string,
  setup: (home: string) => Promise<ExecutorHarness>,
  options: { available: () => boolean } = { available: () => true },
): void {
  describe(`executor conformance: ${name}`, () => {
    let home: TempHome;
    let harness: ExecutorHarness;
    beforeAll(async () => {
      home = await tempHome();
      if (options.available()) harness = await setup(home.path);
    }, 60_000);
    afterAll(async () => {
      await harness?.close();
      await home?.[Symbol.asyncDispose]();
    }, 60_000);
    const run = (mode: string, extra: Record<string, unknown> = {}) =>
      runFlow({
        file: FLOW,
        home: home.path,
        params: { mode, ...extra },
        executor: harness.spec,
        maxWorkers: 2,
      });
    const t = options.available() ? it : it.skip;

    t('runs tasks, and each step sees the artifacts of the one before', async () => {
      const result = await run('plain');
      expect(result.status).toBe('completed');
      await using stores = readHome(home.path);
      const fan = await stepTasks(stores, result.run, 'fan');
      expect(fan.map((f) => f.data.seen).sort()).toEqual([10, 20, 30]);
      expect((await stepTask(stores, result.run, 'gather')).data.total).toBe(60);
      const attempts = await stores.metadata.listAttempts(result.run.id, fan[0]!.task.taskId);
      expect(attempts.map((a) => a.status)).toEqual(['completed']);
      expect(attempts[0]!.envInfo).toMatchObject({ node: expect.any(String) });
      expect(attempts[0]!.envInfo?.worker).toBe(harness.workerId);
    });

    t('keeps a task’s log lines in the order they were written, across stdout and stderr', async () => {
      const result = await run('logs', { splits: 1 });
      expect(result.status).toBe('completed');
      await using stores = readHome(home.path);
      const fan = await stepTask(stores, result.run, 'fan');
      const lines = await stores.metadata.readLogs(result.run.id, fan.task.taskId, { attempt: 0 });
      expect(lines.map((l) => l.line)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i}`));
      expect(lines.map((l) => l.stream).slice(0, 2)).toEqual(['stdout', 'stderr']);
    });

    t('retries a failed attempt as a new attempt', async () => {
      const result = await run('retry', { splits: 2 });
      expect(result.status).toBe('completed');
      await using stores = readHome(home.path);
      for (const f of await stepTasks(stores, result.run, 'fan')) {
        const attempts = await stores.metadata.listAttempts(result.run.id, f.task.taskId);
        expect(attempts.map((a) => a.status)).toEqual(['failed', 'completed']);
        expect(attempts[0]!.exception?.message).toMatch(/first attempt of \d fails/);
      }
    });

    t(
      'stops an attempt at its timeout and records it as one',
      async () => {
        const result = await run('timeout', { splits: 1 });
        expect(result.status).toBe('failed');
        await using stores = readHome(home.path);
        const fan = await stepTask(stores, result.run, 'fan');
        const attempts = await stores.metadata.listAttempts(result.run.id, fan.task.taskId);
        expect(attempts.map((a) => a.status)).toEqual(['timeout', 'timeout']);
        expect(attempts[0]!.exception?.message).toMatch(/timed out after 2 s/);
      },
      30_000,
    );

    t(
      'records an attempt whose process was killed, and retries it',
      async () => {
        const result = await run('kill', { splits: 2 });
        expect(result.status).toBe('completed');
        await using stores = readHome(home.path);
        for (const f of await stepTasks(stores, result.run, 'fan')) {
          const attempts = await stores.metadata.listAttempts(result.run.id, f.task.taskId);
          expect(attempts.map((a) => a.status)).toEqual(['killed', 'completed']);
          expect(attempts[0]!.exception?.type).toBe('WorkerDied');
        }
      },
      30_000,
    );

    t(
      'cancels a run: running attempts end cancelled and nothing starts after',
      async () => {
        const running = run('slow', { splits: 2 });
        await using stores = readHome(home.path);
        const deadline = Date.now() + 20_000;
        for (;;) {
          const latest = await stores.metadata.latestRun({ flow: 'ExecutorCasesFlow' });
          if (latest && latest.status === 'running') {
            const fan = await stores.metadata.listTasks(latest.id, { step: 'fan' });
            if (fan.length === 2 && fan.every((f) => f.status === 'running')) break;
          }
          if (Date.now() > deadline) throw new Error('the slow tasks never started');
          await new Promise((r) => setTimeout(r, 50));
        }
        const latest = (await stores.metadata.latestRun({ flow: 'ExecutorCasesFlow' }))!;
        await cancelRun(stores, latest.id, { reason: 'conformance' });
        const result = await running;
        expect(result.status).toBe('cancelled');
        const fan = await stores.metadata.listTasks(result.run.id, { step: 'fan' });
        expect(fan.map((f) => f.status)).toEqual(['cancelled', 'cancelled']);
        const attempts = await stores.metadata.listAttempts(result.run.id, fan[0]!.taskId);
        expect(attempts.map((a) => a.status)).toEqual(['cancelled']);
        expect(await stores.metadata.listTasks(result.run.id, { step: 'gather' })).toEqual([]);
      },
      30_000,
    );
  });
}
