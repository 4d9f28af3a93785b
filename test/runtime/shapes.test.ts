import { describe, expect, it } from 'vitest';
import { runFlow, tempHome } from '../../src/testing/index.ts';
import { example, fixture, readHome, stepTask, stepTasks, withEnv } from '../helpers.ts';

describe('graph shapes run and store the right artifacts', () => {
  it('runs a linear flow, passing artifacts along, with per-flow run ids and per-run task ids', async () => {
    await using home = await tempHome();
    const first = await runFlow({ file: example('hello.ts'), home: home.path });
    const second = await runFlow({ file: example('hello.ts'), home: home.path });
    expect(first.pathspec).toBe('HelloFlow/1');
    expect(second.pathspec).toBe('HelloFlow/2');
    expect(second.status).toBe('completed');
    await using stores = readHome(home.path);
    const start = await stepTask(stores, second.run, 'start');
    const hello = await stepTask(stores, second.run, 'hello');
    const end = await stepTask(stores, second.run, 'end');
    expect([start.task.taskId, hello.task.taskId, end.task.taskId]).toEqual([1, 2, 3]);
    expect(start.data.message).toBe('Hello from Flowtrail');
    expect(end.data.message).toBe('Hello from Flowtrail!');
    expect(second.run.status).toBe('completed');
    expect(second.run.finishedAt).toBeGreaterThanOrEqual(second.run.createdAt);
    const steps = await stores.metadata.listSteps(second.run.id);
    expect(steps.map((s) => s.name).sort()).toEqual(['end', 'hello', 'start']);
    expect(steps.every((s) => s.finishedAt !== null)).toBe(true);
  });

  it('runs a static branch and join: inputs by step name, mergeArtifacts with exclude', async () => {
    await using home = await tempHome();
    const result = await runFlow({ file: example('branch.ts'), home: home.path });
    expect(result.status).toBe('completed');
    await using stores = readHome(home.path);
    const join = await stepTask(stores, result.run, 'join');
    expect(join.data).toMatchObject({ fromLeft: 11, total: 31, base: 10 });
    expect(join.data).not.toHaveProperty('leftValue');
    expect(join.task.parentIds).toHaveLength(2);
    const end = await stepTask(stores, result.run, 'end');
    expect(end.data).toMatchObject({ total: 31, base: 10 });
  });

  it('gives a foreach join its inputs in split order, whatever order the splits finish in', async () => {
    await using home = await tempHome();
    const result = await runFlow({ file: fixture('ordered-foreach.ts'), home: home.path, maxWorkers: 4 });
    expect(result.status).toBe('completed');
    await using stores = readHome(home.path);
    const join = await stepTask(stores, result.run, 'join');
    expect(join.data.result).toEqual(Array.from({ length: 32 }, (_, i) => (100 + i) * 2));
    expect(join.data.indices).toEqual(Array.from({ length: 32 }, (_, i) => i));
    const work = await stepTasks(stores, result.run, 'work');
    expect(work).toHaveLength(32);
    for (const t of work) expect(t.data.doubled).toBe((100 + (t.data.myIndex as number)) * 2);
    expect(work.map((t) => t.task.foreachPath[0]).sort((a, b) => a! - b!)).toEqual(
      Array.from({ length: 32 }, (_, i) => i),
    );
  });

  it('runs a nested foreach with both frames visible', async () => {
    await using home = await tempHome();
    const result = await runFlow({ file: fixture('nested-foreach.ts'), home: home.path });
    expect(result.status).toBe('completed');
    await using stores = readHome(home.path);
    const end = await stepTask(stores, result.run, 'end');
    expect(end.data.grid).toEqual([
      ['x1@0.0', 'x2@0.1', 'x3@0.2'],
      ['y1@1.0', 'y2@1.1', 'y3@1.2'],
    ]);
    const cells = await stepTasks(stores, result.run, 'cellStep');
    expect(cells.map((c) => c.task.foreachPath.join('.')).sort()).toEqual([
      '0.0',
      '0.1',
      '0.2',
      '1.0',
      '1.1',
      '1.2',
    ]);
  });

  it('foreach over a Set works; the example foreach retries and catches', async () => {
    await using home = await tempHome();
    const setRun = await withEnv({ FOREACH_MODE: 'set' }, () =>
      runFlow({ file: fixture('foreach-errors.ts'), home: home.path }),
    );
    expect(setRun.status).toBe('completed');
    const result = await runFlow({ file: example('foreach.ts'), home: home.path });
    expect(result.status).toBe('completed');
    await using stores = readHome(home.path);
    const end = await stepTask(stores, result.run, 'end');
    expect(end.data).toMatchObject({ scores: [1, 2, 3], failures: 1 });
  });

  it('stores parameters typed from the command line in every task', async () => {
    await using home = await tempHome();
    const result = await runFlow({
      file: example('params.ts'),
      home: home.path,
      params: { alpha: '0.5', dataset: 'sales', verbose: 'true', config: '{"layers":[4,2]}' },
      paramsFromText: true,
    });
    expect(result.status).toBe('completed');
    await using stores = readHome(home.path);
    const end = await stepTask(stores, result.run, 'end');
    expect(end.data).toMatchObject({
      alpha: 0.5,
      dataset: 'sales',
      verbose: true,
      config: { layers: [4, 2] },
    });
    expect(end.data.summary).toBe('sales: alpha=0.5 layers=4x2 verbose=true');
    expect(result.run.params).toEqual({
      alpha: 0.5,
      dataset: 'sales',
      verbose: true,
      config: { layers: [4, 2] },
    });
  });

  it('refuses bad parameters before creating a run', async () => {
    await using home = await tempHome();
    await expect(runFlow({ file: example('params.ts'), home: home.path })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER',
      message: expect.stringContaining('--dataset is required'),
    });
    await expect(
      runFlow({
        file: example('params.ts'),
        home: home.path,
        params: { dataset: 'x', alpha: 'fast' },
        paramsFromText: true,
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMETER',
      message: expect.stringContaining('must be a number'),
    });
    await expect(
      runFlow({
        file: example('params.ts'),
        home: home.path,
        params: { dataset: 'x', bogus: '1' },
        paramsFromText: true,
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining("Unknown parameter 'bogus'") });
    await using stores = readHome(home.path);
    expect(await stores.metadata.latestRun()).toBeUndefined();
  });

  it('records current, environment info, the code package and exact artifact round trips; isolated steps get their own process', async () => {
    await using home = await tempHome();
    const result = await runFlow({
      file: fixture('context.ts'),
      home: home.path,
      tags: ['nightly', 'nightly', 'v2'],
    });
    expect(result.status).toBe('completed');
    expect(result.run.tags).toEqual(['nightly', 'v2']);
    await using stores = readHome(home.path);
    const start = await stepTask(stores, result.run, 'start');
    expect(start.data.seen).toEqual({
      flowName: 'ContextFlow',
      runId: result.run.runNumber,
      stepName: 'start',
      taskId: start.task.taskId,
      retryCount: 0,
      pathspec: `ContextFlow/${result.run.runNumber}/start/${start.task.taskId}`,
      namespace: `user:${result.run.user}`,
      user: result.run.user,
      tags: ['nightly', 'v2'],
    });
    const values = start.data.values as Record<string, unknown>;
    expect(values.map).toBeInstanceOf(Map);
    expect(values.set).toBeInstanceOf(Set);
    expect(values.when).toEqual(new Date(0));
    expect(values.big).toBe(2n ** 70n);
    expect(values.floats).toBeInstanceOf(Float64Array);
    expect(Buffer.from(values.bytes as Uint8Array).toString()).toBe('raw bytes');
    const end = await stepTask(stores, result.run, 'end');
    expect(end.data.pid).toBe(start.data.pid);
    expect(end.data.endPid).not.toBe(start.data.pid);
    const [attempt] = await stores.metadata.listAttempts(result.run.id, start.task.taskId);
    expect(attempt!.envInfo).toMatchObject({ node: process.version, platform: process.platform });
    const code = JSON.parse(Buffer.from(await stores.artifacts.get(result.run.codeSha!)).toString()) as {
      entry: string;
      files: Record<string, string>;
    };
    expect(code.entry).toBe('context.ts');
    expect(code.files['context.ts']).toContain('class ContextFlow');
    expect(result.run.systemTags).toContain(`user:${result.run.user}`);
  });

  it('stores top-level artifacts exactly: undefined, a Uint8Array, -0, an Error with its stack', async () => {
    await using home = await tempHome();
    const result = await runFlow({ file: fixture('exact-artifacts.ts'), home: home.path });
    expect(result.status).toBe('completed');
    await using stores = readHome(home.path);
    for (const view of [
      await stepTask(stores, result.run, 'start'),
      await stepTask(stores, result.run, 'end'),
    ]) {
      const data = view.data;
      expect(Object.keys(data)).toContain('declaredNothing');
      expect(Object.keys(data)).toContain('undeclaredNothing');
      expect(data.declaredNothing).toBeUndefined();
      expect(Object.keys(data)).not.toContain('neverAssigned');
      expect((data.bytes as Uint8Array).constructor).toBe(Uint8Array);
      expect([...(data.bytes as Uint8Array)]).toEqual([1, 2, 3]);
      expect(Object.is(data.negativeZero, -0)).toBe(true);
      const failure = data.failure as Error & { code: string; cause: { at: number } };
      expect(failure).toBeInstanceOf(Error);
      expect(failure.stack).toBe(data.failureStack);
      expect(failure.code).toBe('E42');
      expect(Object.is(failure.cause.at, -0)).toBe(true);
    }
  });
});

describe('a step mutating what it inherited in place', () => {
  it('does not change what later tasks on the same worker read (the worker blob cache is not shared with step code)', async () => {
    await using home = await tempHome();
    const result = await runFlow({ file: fixture('mutating-splits.ts'), home: home.path, maxWorkers: 1 });
    expect(result.status).toBe('completed');
    await using stores = readHome(home.path);
    const join = await stepTask(stores, result.run, 'join');
    expect(join.data.seenAll).toEqual(Array.from({ length: 6 }, () => [1, 5]));
  });
});
