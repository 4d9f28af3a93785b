import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultNamespace,
  Flow,
  Flowtrail,
  getNamespace,
  metadata,
  namespace,
  Run,
  Step,
  Task,
} from '../../src/index.ts';
import { runFlow, type TempHome, tempHome } from '../../src/testing/index.ts';
import { example, fixture, repoRoot, withEnv } from '../helpers.ts';

let home: TempHome;

beforeAll(async () => {
  home = await tempHome();
  await runFlow({ file: example('foreach.ts'), home: home.path }); // ForeachFlow/1
  await withEnv({ FAILURE_MODE: 'retry-exhausted' }, () =>
    runFlow({ file: fixture('failures.ts'), home: home.path }),
  ); // FailuresFlow/1
  await withEnv({ FAILURE_MODE: 'catch' }, () => runFlow({ file: fixture('failures.ts'), home: home.path })); // FailuresFlow/2
  await withEnv({ FAILURE_MODE: 'retry' }, () => runFlow({ file: fixture('failures.ts'), home: home.path })); // FailuresFlow/3
  await runFlow({ file: fixture('ordered-foreach.ts'), home: home.path, maxWorkers: 4 }); // OrderedForeachFlow/1
  metadata(home.path);
});

afterAll(async () => {
  await home[Symbol.asyncDispose]();
});

describe('client API: foreach', () => {
  it('a foreach step has N tasks, each with its index and data; the join saw them in order', async () => {
    const step = await Step.get('OrderedForeachFlow/1/work');
    const seen: [number, number][] = [];
    for await (const task of step) seen.push([task.index!, (await task.data.doubled) as number]);
    expect(seen).toHaveLength(32);
    // Newest first (highest task id first); each task's data matches its own index.
    for (const [index, doubled] of seen) expect(doubled).toBe((100 + index) * 2);
    expect(seen.map(([i]) => i).sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(await Step.get('OrderedForeachFlow/1/join').task.data.result).toEqual(
      Array.from({ length: 32 }, (_, i) => (100 + i) * 2),
    );
    // `task` on a foreach step is the first split.
    expect((await step.task).index).toBe(0);
  });
});

describe('client API: failure shapes', () => {
  it('a failed run: status failed, finished, not successful, exception on the task, stack in stderr', async () => {
    const run = await Run.get('FailuresFlow/1');
    expect(run.status).toBe('failed');
    expect(run.finished).toBe(true);
    expect(run.successful).toBe(false);
    expect(run.finishedAt).toBeInstanceOf(Date);
    expect(run.error!.message).toContain("Step 'flaky'");
    await expect(run.endTask).rejects.toThrow("Run('FailuresFlow/1') has no end task (status: failed).");
    const task = await Step.get('FailuresFlow/1/flaky').task;
    expect(task.successful).toBe(false);
    expect(task.finished).toBe(true);
    expect(task.status).toBe('failed');
    const exception = (await task.exception)!;
    expect(exception).toMatchObject({ type: 'Error', message: 'always failing, attempt 2' });
    const stderr = await task.stderr;
    expect(stderr).toContain('Error: always failing, attempt 2');
    expect(stderr).toMatch(/\n\s+at /); // the stack trace
  });

  it('a caught error: the task is finished, not successful, its exception and the artifact hold the error', async () => {
    const task = await Step.get('FailuresFlow/2/guarded').task;
    expect(task.finished).toBe(true);
    expect(task.successful).toBe(false);
    expect((await task.exception)!.message).toBe('guarded step broke');
    expect(await task.data.caught).toMatchObject({ type: 'TypeError', message: 'guarded step broke' });
    expect((await Run.get('FailuresFlow/2')).successful).toBe(true);
  });

  it('a retried task: every attempt visible, artifacts of the successful attempt, and earlier attempts on request', async () => {
    const task = await Step.get('FailuresFlow/3/flaky').task;
    expect(task.successful).toBe(true);
    expect(task.attempt).toBe(2);
    const attempts = await task.attempts;
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [0, 'failed'],
      [1, 'failed'],
      [2, 'completed'],
    ]);
    expect(attempts[0]!.exception!.message).toBe('flaky attempt 0');
    expect(await task.data.attemptsSeen).toBe(3);
    const first = await Task.get(task.pathspec, { attempt: 0 });
    expect((await first.exception)!.message).toBe('flaky attempt 0');
    expect(await first.stderr).toContain('flaky attempt 0');
    await expect(first.data.attemptsSeen).rejects.toThrow("has no artifact 'attemptsSeen'");
    await expect(Task.get(task.pathspec, { attempt: 5 })).rejects.toThrow('has no attempt 5');
    expect(() => Task.get(task.pathspec, { attempt: -1 })).toThrow('attempt must be a non-negative integer');
  });

  it('the example foreach: retries and a catch, seen through the client', async () => {
    const run = await Flow.get('ForeachFlow').latestRun;
    expect(await run.data.scores).toEqual([1, 2, 3]);
    let caught = 0;
    for await (const t of run.get('audit')) if (!t.successful) caught++;
    expect(caught).toBe(1);
  });
});

describe('client API: namespaces', () => {
  it('namespace(null) is global; a user namespace filters flows and runs', async () => {
    namespace('user:nobody');
    try {
      expect(getNamespace()).toBe('user:nobody');
      expect(await new Flowtrail().flows).toEqual([]);
      namespace(null);
      expect((await new Flowtrail().flows).length).toBe(3);
      expect((await Run.get('FailuresFlow/1')).pathspec).toBe('FailuresFlow/1');
    } finally {
      defaultNamespace();
    }
  });
});

describe('client API: default namespace', () => {
  it('is user:<name> from FLOWTRAIL_USER, or production:<token> when a production token is set', async () => {
    await withEnv({ FLOWTRAIL_USER: 'alice', FLOWTRAIL_PRODUCTION_TOKEN: undefined }, async () => {
      expect(defaultNamespace()).toBe('user:alice');
      expect(getNamespace()).toBe('user:alice');
    });
    await withEnv({ FLOWTRAIL_PRODUCTION_TOKEN: 'etl-prod-1' }, async () => {
      expect(defaultNamespace()).toBe('production:etl-prod-1');
    });
    defaultNamespace();
    expect(() => namespace('  ')).toThrow('namespace() takes a non-empty string');
  });
});

describe('client API: task paging', () => {
  it('iterates a step with more tasks than a page, newest first, each task once', async () => {
    await using big = await tempHome();
    const result = await runFlow({
      file: path.join(repoRoot, 'bench/flows/fanout.ts'),
      home: big.path,
      params: { n: 1200 },
      maxNumSplits: 2000,
    });
    expect(result.status).toBe('completed');
    metadata(big.path);
    const seen: number[] = [];
    for await (const t of Step.get(`${result.pathspec}/work`)) seen.push(t.taskId);
    expect(seen).toHaveLength(1200);
    expect(new Set(seen).size).toBe(1200);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    metadata(home.path);
  });
});
