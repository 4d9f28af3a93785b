/**
 * The conformance suite every `MetadataStore` adapter must pass. An adapter's test file calls
 * `runMetadataStoreSuite('sqlite', async () => ({ store, cleanup }))`; each test gets a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ExceptionRecord, NotFoundError, ValidationError } from '../../src/core/errors.ts';
import type {
  ArtifactRecord,
  AttemptRecord,
  LogLine,
  MetadataStore,
  NewRun,
  RunRecord,
  TaskRecord,
  TriggerCause,
} from '../../src/store/metadata-store.ts';
import { DURATION_BUCKETS } from '../../src/store/metadata-store.ts';
import { newRunRecord } from '../helpers.ts';

export interface MetadataStoreFixture {
  store: MetadataStore;
  cleanup: () => Promise<void>;
}

const T0 = 1_700_000_000_000;

const newRun = (overrides: Partial<NewRun> = {}): NewRun =>
  newRunRecord('A', { user: 'alice', createdAt: T0, ...overrides });

function task(runId: number, taskId: number, overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    runId,
    taskId,
    step: 'start',
    status: 'pending',
    successful: null,
    foreachPath: [],
    foreachCount: null,
    parentIds: [],
    attempts: 0,
    finalAttempt: null,
    createdAt: T0 + taskId,
    startedAt: null,
    finishedAt: null,
    originPathspec: null,
    ...overrides,
  };
}

function attempt(
  runId: number,
  taskId: number,
  n: number,
  overrides: Partial<AttemptRecord> = {},
): AttemptRecord {
  return {
    runId,
    taskId,
    attempt: n,
    status: 'running',
    startedAt: T0 + 100 * n,
    finishedAt: null,
    exception: null,
    envInfo: null,
    ...overrides,
  };
}

function artifact(
  runId: number,
  taskId: number,
  n: number,
  name: string,
  sha = `${name}-${taskId}-${n}`,
): ArtifactRecord {
  return {
    runId,
    taskId,
    attempt: n,
    name,
    sha,
    codec: 'msgpack',
    size: name.length * 10 + n,
    createdAt: T0 + n,
  };
}

function log(
  runId: number,
  taskId: number,
  n: number,
  seq: number,
  stream: LogLine['stream'],
  line: string,
): LogLine {
  return { runId, taskId, attempt: n, seq, stream, ts: T0 + seq, line };
}

const byKey = (a: ArtifactRecord, b: ArtifactRecord): number =>
  a.taskId - b.taskId || a.attempt - b.attempt || a.name.localeCompare(b.name);

const BOOM: ExceptionRecord = {
  type: 'Error',
  message: 'boom',
  stack: 'Error: boom\n    at step (flow.ts:1:1)',
};

export function runMetadataStoreSuite(name: string, makeStore: () => Promise<MetadataStoreFixture>): void {
  describe(`MetadataStore conformance: ${name}`, () => {
    let fixture: MetadataStoreFixture;
    let store: MetadataStore;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    /** Creates a run and returns it. */
    const run = (overrides: Partial<NewRun> = {}): Promise<RunRecord> => store.createRun(newRun(overrides));

    it('accepts empty update patches as no-ops', async () => {
      const r = await run();
      await store.write([{ op: 'task.create', task: task(r.id, 1) }]);
      await store.write([
        { op: 'run.update', runId: r.id, patch: {} },
        { op: 'task.update', runId: r.id, taskId: 1, patch: { status: undefined } },
      ]);
      expect((await store.getRunById(r.id))!.status).toBe('running');
      expect((await store.getTask(r.id, 1))!.status).toBe(task(r.id, 1).status);
    });

    it('has a location string', () => {
      expect(typeof store.location).toBe('string');
      expect(store.location.length).toBeGreaterThan(0);
    });

    describe('runs', () => {
      it('creates a run with every field', async () => {
        const created = await run({
          flow: 'HelloFlow',
          user: 'bob',
          tags: ['nightly'],
          systemTags: ['runtime:local'],
          params: { alpha: 0.5 },
          flowFile: '/src/hello.ts',
          codeSha: 'c0de',
          originRunNumber: 7,
          createdAt: T0 + 5,
          orchestratorPid: 4242,
          orchestratorHost: 'box-1',
        });
        expect(created).toEqual({
          id: expect.any(Number),
          flow: 'HelloFlow',
          runNumber: 1,
          status: 'running',
          user: 'bob',
          tags: ['nightly'],
          systemTags: ['runtime:local'],
          params: { alpha: 0.5 },
          flowFile: '/src/hello.ts',
          codeSha: 'c0de',
          originRunNumber: 7,
          createdAt: T0 + 5,
          finishedAt: null,
          heartbeatAt: T0 + 5,
          orchestratorPid: 4242,
          orchestratorHost: 'box-1',
          error: null,
          trigger: [],
          cancelRequest: null,
        } satisfies RunRecord);
        expect(await store.getRunById(created.id)).toEqual(created);
        expect(await store.getRun('HelloFlow', 1)).toEqual(created);
      });

      it('allocates increasing run numbers per flow', async () => {
        const a1 = await run({ flow: 'A' });
        const a2 = await run({ flow: 'A' });
        const b1 = await run({ flow: 'B' });
        const a3 = await run({ flow: 'A' });
        expect([a1.runNumber, a2.runNumber, b1.runNumber, a3.runNumber]).toEqual([1, 2, 1, 3]);
        expect([a1.flow, a2.flow, b1.flow, a3.flow]).toEqual(['A', 'A', 'B', 'A']);
        expect(new Set([a1.id, a2.id, b1.id, a3.id]).size).toBe(4);
        expect((await store.getRun('A', 2))?.id).toBe(a2.id);
        expect((await store.getRun('B', 1))?.id).toBe(b1.id);
      });

      it('allocates distinct run numbers to concurrent createRun calls', async () => {
        const runs = await Promise.all(Array.from({ length: 20 }, () => run({ flow: 'Busy' })));
        expect(runs.map((r) => r.runNumber).sort((x, y) => x - y)).toEqual(
          Array.from({ length: 20 }, (_, i) => i + 1),
        );
        expect(new Set(runs.map((r) => r.id)).size).toBe(20);
      });

      it('returns undefined for unknown runs', async () => {
        const a = await run({ flow: 'A' });
        expect(await store.getRun('A', 2)).toBeUndefined();
        expect(await store.getRun('Nope', 1)).toBeUndefined();
        expect(await store.getRunById(a.id + 1000)).toBeUndefined();
      });

      it('round-trips tags, system tags and params', async () => {
        const params = {
          alpha: 0.01,
          name: 'ünïcødé ✓ "quoted"',
          flag: false,
          nothing: null,
          nested: { layers: [8, 4], deep: { list: [{ a: 1 }, { b: [true, null] }] } },
          empty: {},
          big: 2 ** 53 - 1,
        };
        const tags = ['nightly', 'team:ml', 'with space', 'ünïcødé', ''];
        const systemTags = ['user:alice', 'runtime:local', 'flowtrail_version:0.1.0'];
        const created = await run({ tags, systemTags, params });
        for (const r of [created, await store.getRunById(created.id), (await store.listRuns('A'))[0]]) {
          expect(r?.tags).toEqual(tags);
          expect(r?.systemTags).toEqual(systemTags);
          expect(r?.params).toEqual(params);
        }
        const plain = await run({ tags: [], systemTags: [], params: {} });
        expect(await store.getRunById(plain.id)).toMatchObject({ tags: [], systemTags: [], params: {} });
      });

      it('lists runs newest first, with a limit', async () => {
        for (let i = 0; i < 7; i++) await run({ flow: 'A', createdAt: T0 + i });
        await run({ flow: 'B' });
        const all = await store.listRuns('A');
        expect(all.map((r) => r.runNumber)).toEqual([7, 6, 5, 4, 3, 2, 1]);
        expect(all.every((r) => r.flow === 'A')).toBe(true);
        expect((await store.listRuns('A', { limit: 3 })).map((r) => r.runNumber)).toEqual([7, 6, 5]);
        expect((await store.listRuns('A', { limit: 1 })).map((r) => r.runNumber)).toEqual([7]);
        expect((await store.listRuns('B')).map((r) => r.runNumber)).toEqual([1]);
        expect(await store.listRuns('Nope')).toEqual([]);
      });

      it('returns at most 50 runs by default', async () => {
        for (let i = 0; i < 53; i++) await run({ flow: 'Many' });
        const runs = await store.listRuns('Many');
        expect(runs).toHaveLength(50);
        expect(runs[0]?.runNumber).toBe(53);
        expect(runs[49]?.runNumber).toBe(4);
      });

      it('pages through every run exactly once with the beforeRunNumber cursor', async () => {
        for (let i = 0; i < 10; i++) await run({ flow: 'A' });
        await run({ flow: 'B' });
        const seen: number[] = [];
        let cursor: number | undefined;
        for (let page = 0; page < 20; page++) {
          const rows = await store.listRuns('A', {
            limit: 3,
            ...(cursor === undefined ? {} : { beforeRunNumber: cursor }),
          });
          if (rows.length === 0) break;
          expect(rows.length).toBeLessThanOrEqual(3);
          seen.push(...rows.map((r) => r.runNumber));
          cursor = rows[rows.length - 1]!.runNumber;
        }
        expect(seen).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
        expect((await store.listRuns('A', { beforeRunNumber: 4 })).map((r) => r.runNumber)).toEqual([
          3, 2, 1,
        ]);
        expect(await store.listRuns('A', { beforeRunNumber: 1 })).toEqual([]);
      });

      it('filters runs by status', async () => {
        const runs: RunRecord[] = [];
        for (let i = 0; i < 6; i++) runs.push(await run({ flow: 'A' }));
        await store.write([
          { op: 'run.update', runId: runs[0]!.id, patch: { status: 'completed', finishedAt: T0 + 1 } },
          { op: 'run.update', runId: runs[2]!.id, patch: { status: 'completed', finishedAt: T0 + 3 } },
          { op: 'run.update', runId: runs[3]!.id, patch: { status: 'failed', finishedAt: T0 + 4 } },
          { op: 'run.update', runId: runs[5]!.id, patch: { status: 'completed', finishedAt: T0 + 6 } },
        ]);
        const numbers = async (q: Parameters<MetadataStore['listRuns']>[1]) =>
          (await store.listRuns('A', q)).map((r) => r.runNumber);
        expect(await numbers({ status: 'completed' })).toEqual([6, 3, 1]);
        expect(await numbers({ status: 'failed' })).toEqual([4]);
        expect(await numbers({ status: 'running' })).toEqual([5, 2]);
        expect(await numbers({ status: 'crashed' })).toEqual([]);
        expect(await numbers({ status: 'completed', limit: 2 })).toEqual([6, 3]);
        expect(await numbers({ status: 'completed', beforeRunNumber: 3 })).toEqual([1]);
      });

      it('lists running runs, of all flows or of one', async () => {
        const a1 = await run({ flow: 'A' });
        const a2 = await run({ flow: 'A' });
        const b1 = await run({ flow: 'B' });
        await store.write([{ op: 'run.update', runId: a1.id, patch: { status: 'completed' } }]);
        expect((await store.listRunningRuns()).map((r) => r.id).sort((x, y) => x - y)).toEqual(
          [a2.id, b1.id].sort((x, y) => x - y),
        );
        expect((await store.listRunningRuns('A')).map((r) => r.id)).toEqual([a2.id]);
        expect(await store.listRunningRuns('C')).toEqual([]);
      });

      it('finds the latest run, by flow and by user', async () => {
        expect(await store.latestRun()).toBeUndefined();
        const a1 = await run({ flow: 'A', user: 'alice', createdAt: T0 + 1 });
        const b1 = await run({ flow: 'B', user: 'bob', createdAt: T0 + 2 });
        const a2 = await run({ flow: 'A', user: 'bob', createdAt: T0 + 3 });
        const b2 = await run({ flow: 'B', user: 'alice', createdAt: T0 + 4 });
        expect((await store.latestRun())?.id).toBe(b2.id);
        expect((await store.latestRun({}))?.id).toBe(b2.id);
        expect((await store.latestRun({ flow: 'A' }))?.id).toBe(a2.id);
        expect((await store.latestRun({ flow: 'B' }))?.id).toBe(b2.id);
        expect((await store.latestRun({ user: 'bob' }))?.id).toBe(a2.id);
        expect((await store.latestRun({ user: 'alice' }))?.id).toBe(b2.id);
        expect((await store.latestRun({ flow: 'A', user: 'alice' }))?.id).toBe(a1.id);
        expect((await store.latestRun({ flow: 'B', user: 'bob' }))?.id).toBe(b1.id);
        expect(await store.latestRun({ flow: 'C' })).toBeUndefined();
        expect(await store.latestRun({ user: 'carol' })).toBeUndefined();
        expect(await store.latestRun({ flow: 'A', user: 'carol' })).toBeUndefined();
        expect(await store.latestRun({ flow: 'A' })).toEqual(a2);
      });

      it('lists flows by name with their first creation time and last run number', async () => {
        expect(await store.listFlows()).toEqual([]);
        await run({ flow: 'Zeta', createdAt: T0 + 10 });
        await run({ flow: 'Alpha', createdAt: T0 + 20 });
        await run({ flow: 'Zeta', createdAt: T0 + 30 });
        await run({ flow: 'Zeta', createdAt: T0 + 40 });
        expect(await store.listFlows()).toEqual([
          { name: 'Alpha', createdAt: T0 + 20, lastRunNumber: 1 },
          { name: 'Zeta', createdAt: T0 + 10, lastRunNumber: 3 },
        ]);
        expect(await store.getFlow('Zeta')).toEqual({ name: 'Zeta', createdAt: T0 + 10, lastRunNumber: 3 });
        expect(await store.getFlow('Nope')).toBeUndefined();
      });
    });

    describe('write', () => {
      it('accepts an empty batch', async () => {
        await expect(store.write([])).resolves.toBeUndefined();
      });

      it('updates a run (run.update), leaving fields outside the patch alone', async () => {
        const r = await run({ codeSha: null });
        await store.write([{ op: 'run.update', runId: r.id, patch: { heartbeatAt: T0 + 50 } }]);
        expect(await store.getRunById(r.id)).toEqual({ ...r, heartbeatAt: T0 + 50 });
        await store.write([{ op: 'run.update', runId: r.id, patch: { codeSha: 'abc123' } }]);
        await store.write([
          { op: 'run.update', runId: r.id, patch: { status: 'failed', finishedAt: T0 + 99, error: BOOM } },
        ]);
        const failed = await store.getRunById(r.id);
        expect(failed).toEqual({
          ...r,
          status: 'failed',
          finishedAt: T0 + 99,
          heartbeatAt: T0 + 50,
          codeSha: 'abc123',
          error: BOOM,
        });
        await store.write([{ op: 'run.update', runId: r.id, patch: { error: null } }]);
        expect((await store.getRunById(r.id))?.error).toBeNull();
      });

      it('upserts steps, keeping createdAt and setting finishedAt', async () => {
        const r = await run();
        await store.write([
          { op: 'step.upsert', step: { runId: r.id, name: 'start', createdAt: T0 + 1, finishedAt: null } },
          { op: 'step.upsert', step: { runId: r.id, name: 'work', createdAt: T0 + 2, finishedAt: null } },
        ]);
        expect(await store.listSteps(r.id)).toEqual([
          { runId: r.id, name: 'start', createdAt: T0 + 1, finishedAt: null },
          { runId: r.id, name: 'work', createdAt: T0 + 2, finishedAt: null },
        ]);
        await store.write([
          {
            op: 'step.upsert',
            step: { runId: r.id, name: 'start', createdAt: T0 + 500, finishedAt: T0 + 10 },
          },
        ]);
        expect(await store.listSteps(r.id)).toEqual([
          { runId: r.id, name: 'start', createdAt: T0 + 1, finishedAt: T0 + 10 },
          { runId: r.id, name: 'work', createdAt: T0 + 2, finishedAt: null },
        ]);
        const other = await run();
        expect(await store.listSteps(other.id)).toEqual([]);
      });

      it('creates tasks (task.create) and reads them back exactly', async () => {
        const r = await run();
        const t1 = task(r.id, 1, { step: 'start', foreachCount: 4 });
        const t2 = task(r.id, 2, {
          step: 'inner',
          status: 'completed',
          successful: true,
          foreachPath: [3, 1],
          parentIds: [1],
          attempts: 2,
          finalAttempt: 1,
          startedAt: T0 + 20,
          finishedAt: T0 + 30,
          originPathspec: 'A/1/inner/2',
        });
        const t3 = task(r.id, 3, {
          step: 'inner',
          foreachPath: [0],
          parentIds: [1, 2],
          successful: false,
          status: 'failed',
        });
        const t10 = task(r.id, 10, { step: 'join', parentIds: [2, 3, 1] });
        await store.write([
          { op: 'task.create', task: t10 },
          { op: 'task.create', task: t2 },
          { op: 'task.create', task: t1 },
          { op: 'task.create', task: t3 },
        ]);
        expect(await store.getTask(r.id, 1)).toEqual(t1);
        expect(await store.getTask(r.id, 2)).toEqual(t2);
        expect(await store.getTask(r.id, 3)).toEqual(t3);
        expect(await store.getTask(r.id, 10)).toEqual(t10);
        expect(await store.getTask(r.id, 4)).toBeUndefined();
        expect(await store.listTasks(r.id)).toEqual([t1, t2, t3, t10]);
        expect(await store.listTasks(r.id, { step: 'inner' })).toEqual([t2, t3]);
        expect(await store.listTasks(r.id, { step: 'nope' })).toEqual([]);
        const other = await run();
        expect(await store.listTasks(other.id)).toEqual([]);
        expect(await store.getTask(other.id, 1)).toBeUndefined();
      });

      it('keeps task ids per run', async () => {
        const r1 = await run();
        const r2 = await run();
        await store.write([
          { op: 'task.create', task: task(r1.id, 1, { step: 'start' }) },
          { op: 'task.create', task: task(r2.id, 1, { step: 'other' }) },
        ]);
        expect((await store.getTask(r1.id, 1))?.step).toBe('start');
        expect((await store.getTask(r2.id, 1))?.step).toBe('other');
      });

      it('updates tasks (task.update), leaving fields outside the patch alone', async () => {
        const r = await run();
        const t = task(r.id, 1, { step: 'fan', foreachPath: [2], parentIds: [7] });
        await store.write([{ op: 'task.create', task: t }]);
        await store.write([
          {
            op: 'task.update',
            runId: r.id,
            taskId: 1,
            patch: { status: 'running', startedAt: T0 + 5, attempts: 1 },
          },
        ]);
        expect(await store.getTask(r.id, 1)).toEqual({
          ...t,
          status: 'running',
          startedAt: T0 + 5,
          attempts: 1,
        });
        await store.write([
          {
            op: 'task.update',
            runId: r.id,
            taskId: 1,
            patch: {
              status: 'completed',
              successful: true,
              foreachCount: 12,
              finalAttempt: 0,
              finishedAt: T0 + 9,
            },
          },
        ]);
        const done = {
          ...t,
          status: 'completed',
          startedAt: T0 + 5,
          attempts: 1,
          successful: true,
          foreachCount: 12,
        };
        expect(await store.getTask(r.id, 1)).toEqual({ ...done, finalAttempt: 0, finishedAt: T0 + 9 });
        await store.write([{ op: 'task.update', runId: r.id, taskId: 1, patch: { successful: false } }]);
        expect((await store.getTask(r.id, 1))?.successful).toBe(false);
        await store.write([{ op: 'task.update', runId: r.id, taskId: 1, patch: { successful: null } }]);
        expect((await store.getTask(r.id, 1))?.successful).toBeNull();
      });

      it('starts and finishes attempts, with exception and environment info', async () => {
        const r = await run();
        const envInfo = { node: 'v20.19.0', os: 'linux', cpus: 8, flowtrail: '0.1.0' };
        await store.write([
          { op: 'task.create', task: task(r.id, 1) },
          { op: 'attempt.start', attempt: attempt(r.id, 1, 0, { envInfo }) },
        ]);
        expect(await store.listAttempts(r.id, 1)).toEqual([attempt(r.id, 1, 0, { envInfo })]);
        const error: ExceptionRecord = {
          type: 'TypeError',
          message: 'x is undefined',
          stack: 'TypeError: …',
          code: 'TASK_FAILED',
        };
        await store.write([
          {
            op: 'attempt.finish',
            runId: r.id,
            taskId: 1,
            attempt: 0,
            status: 'failed',
            finishedAt: T0 + 40,
            exception: error,
          },
          { op: 'attempt.start', attempt: attempt(r.id, 1, 1, { envInfo: null }) },
        ]);
        await store.write([
          {
            op: 'attempt.finish',
            runId: r.id,
            taskId: 1,
            attempt: 1,
            status: 'completed',
            finishedAt: T0 + 160,
            exception: null,
          },
        ]);
        expect(await store.listAttempts(r.id, 1)).toEqual([
          attempt(r.id, 1, 0, { envInfo, status: 'failed', finishedAt: T0 + 40, exception: error }),
          attempt(r.id, 1, 1, { status: 'completed', finishedAt: T0 + 160 }),
        ]);
        expect(await store.listAttempts(r.id, 2)).toEqual([]);
      });

      it('records every attempt status', async () => {
        const r = await run();
        const statuses = ['running', 'completed', 'failed', 'timeout', 'killed', 'cloned'] as const;
        await store.write([
          { op: 'task.create', task: task(r.id, 1) },
          ...statuses.map((status, n) => ({
            op: 'attempt.start' as const,
            attempt: attempt(r.id, 1, n, { status }),
          })),
        ]);
        expect((await store.listAttempts(r.id, 1)).map((a) => a.status)).toEqual([...statuses]);
      });

      it("lists artifacts of the task's final attempt by default, or of an explicit attempt", async () => {
        const r = await run();
        await store.write([
          { op: 'task.create', task: task(r.id, 1, { attempts: 2, finalAttempt: 1 }) },
          { op: 'task.create', task: task(r.id, 2) },
          {
            op: 'artifacts.add',
            artifacts: [
              artifact(r.id, 1, 0, 'score'),
              artifact(r.id, 1, 0, 'model'),
              artifact(r.id, 1, 0, 'stale'),
            ],
          },
          { op: 'artifacts.add', artifacts: [artifact(r.id, 1, 1, 'score'), artifact(r.id, 1, 1, 'model')] },
          { op: 'artifacts.add', artifacts: [artifact(r.id, 2, 0, 'x')] },
        ]);
        expect(await store.listArtifacts(r.id, 1)).toEqual([
          artifact(r.id, 1, 1, 'model'),
          artifact(r.id, 1, 1, 'score'),
        ]);
        expect(await store.listArtifacts(r.id, 1, { attempt: 0 })).toEqual([
          artifact(r.id, 1, 0, 'model'),
          artifact(r.id, 1, 0, 'score'),
          artifact(r.id, 1, 0, 'stale'),
        ]);
        expect(await store.listArtifacts(r.id, 1, { attempt: 5 })).toEqual([]);
        // Task 2 has no final attempt yet.
        expect(await store.listArtifacts(r.id, 2, { attempt: 0 })).toEqual([artifact(r.id, 2, 0, 'x')]);
        expect(await store.listArtifacts(r.id, 99)).toEqual([]);
      });

      it('replaces an artifact record written twice for the same attempt', async () => {
        const r = await run();
        await store.write([
          { op: 'task.create', task: task(r.id, 1, { finalAttempt: 0 }) },
          { op: 'artifacts.add', artifacts: [artifact(r.id, 1, 0, 'x', 'sha-old')] },
        ]);
        await store.write([
          { op: 'artifacts.add', artifacts: [{ ...artifact(r.id, 1, 0, 'x', 'sha-new'), size: 3 }] },
        ]);
        const rows = await store.listArtifacts(r.id, 1);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ name: 'x', sha: 'sha-new', size: 3 });
      });

      it('stores many artifacts in one batch', async () => {
        const r = await run();
        const many = Array.from({ length: 1000 }, (_, i) =>
          artifact(r.id, 1, 0, `a${String(i).padStart(4, '0')}`),
        );
        await store.write([
          { op: 'task.create', task: task(r.id, 1, { finalAttempt: 0 }) },
          { op: 'artifacts.add', artifacts: many },
        ]);
        expect(await store.listArtifacts(r.id, 1)).toEqual(many);
      });

      it("lists the final attempt's artifacts of many tasks at once", async () => {
        const r = await run();
        const other = await run();
        await store.write([
          { op: 'task.create', task: task(r.id, 1, { finalAttempt: 0 }) },
          { op: 'task.create', task: task(r.id, 2, { finalAttempt: 2, attempts: 3 }) },
          { op: 'task.create', task: task(r.id, 3, { finalAttempt: null }) },
          { op: 'task.create', task: task(r.id, 4, { finalAttempt: 0 }) },
          { op: 'task.create', task: task(other.id, 1, { finalAttempt: 0 }) },
          {
            op: 'artifacts.add',
            artifacts: [
              artifact(r.id, 1, 0, 'a'),
              artifact(r.id, 1, 0, 'b'),
              artifact(r.id, 1, 1, 'late'),
              artifact(r.id, 2, 0, 'a'),
              artifact(r.id, 2, 1, 'a'),
              artifact(r.id, 2, 2, 'a'),
              artifact(r.id, 2, 2, 'c'),
              artifact(r.id, 3, 0, 'a'),
              artifact(r.id, 4, 0, 'd'),
              artifact(other.id, 1, 0, 'a'),
            ],
          },
        ]);
        const rows = await store.listArtifactsOfTasks(r.id, [1, 2, 3]);
        expect([...rows].sort(byKey)).toEqual([
          artifact(r.id, 1, 0, 'a'),
          artifact(r.id, 1, 0, 'b'),
          artifact(r.id, 2, 2, 'a'),
          artifact(r.id, 2, 2, 'c'),
        ]);
        expect(await store.listArtifactsOfTasks(r.id, [])).toEqual([]);
        expect(await store.listArtifactsOfTasks(r.id, [42])).toEqual([]);
        expect([...(await store.listArtifactsOfTasks(r.id, [4, 1]))].sort(byKey)).toEqual([
          artifact(r.id, 1, 0, 'a'),
          artifact(r.id, 1, 0, 'b'),
          artifact(r.id, 4, 0, 'd'),
        ]);
      });

      it('lists artifacts of more tasks than fit in one query', async () => {
        const r = await run();
        const ids = Array.from({ length: 900 }, (_, i) => i + 1);
        await store.write([
          ...ids.map((id) => ({ op: 'task.create' as const, task: task(r.id, id, { finalAttempt: 0 }) })),
          { op: 'artifacts.add', artifacts: ids.map((id) => artifact(r.id, id, 0, 'v')) },
        ]);
        const rows = await store.listArtifactsOfTasks(r.id, ids);
        expect(rows).toHaveLength(900);
        expect(new Set(rows.map((a) => a.taskId)).size).toBe(900);
      });

      it('appends log lines and reads them by seq, stream, afterSeq and attempt', async () => {
        const r = await run();
        await store.write([
          { op: 'task.create', task: task(r.id, 1, { attempts: 2, finalAttempt: 1 }) },
          {
            op: 'logs.append',
            lines: [
              log(r.id, 1, 0, 0, 'stdout', 'first try'),
              log(r.id, 1, 0, 1, 'stderr', 'first try failed'),
            ],
          },
        ]);
        // Written out of order, across two batches.
        await store.write([
          {
            op: 'logs.append',
            lines: [log(r.id, 1, 1, 3, 'stdout', 'three'), log(r.id, 1, 1, 0, 'stdout', 'zero')],
          },
        ]);
        await store.write([
          {
            op: 'logs.append',
            lines: [
              log(r.id, 1, 1, 2, 'stderr', 'two (err)'),
              log(r.id, 1, 1, 1, 'stdout', 'one'),
              log(r.id, 1, 1, 4, 'stderr', 'four (err) ✓ ünïcødé'),
            ],
          },
        ]);
        const final = await store.readLogs(r.id, 1);
        expect(final).toEqual([
          log(r.id, 1, 1, 0, 'stdout', 'zero'),
          log(r.id, 1, 1, 1, 'stdout', 'one'),
          log(r.id, 1, 1, 2, 'stderr', 'two (err)'),
          log(r.id, 1, 1, 3, 'stdout', 'three'),
          log(r.id, 1, 1, 4, 'stderr', 'four (err) ✓ ünïcødé'),
        ]);
        expect((await store.readLogs(r.id, 1, { stream: 'stdout' })).map((l) => l.seq)).toEqual([0, 1, 3]);
        expect((await store.readLogs(r.id, 1, { stream: 'stderr' })).map((l) => l.seq)).toEqual([2, 4]);
        expect((await store.readLogs(r.id, 1, { afterSeq: 1 })).map((l) => l.seq)).toEqual([2, 3, 4]);
        expect((await store.readLogs(r.id, 1, { afterSeq: 4 })).map((l) => l.seq)).toEqual([]);
        expect((await store.readLogs(r.id, 1, { afterSeq: 0, stream: 'stdout' })).map((l) => l.seq)).toEqual([
          1, 3,
        ]);
        expect((await store.readLogs(r.id, 1, { limit: 2 })).map((l) => l.seq)).toEqual([0, 1]);
        expect(await store.readLogs(r.id, 1, { attempt: 0 })).toEqual([
          log(r.id, 1, 0, 0, 'stdout', 'first try'),
          log(r.id, 1, 0, 1, 'stderr', 'first try failed'),
        ]);
        expect(await store.readLogs(r.id, 1, { attempt: 7 })).toEqual([]);
        expect(await store.readLogs(r.id, 2)).toEqual([]);
      });

      it('reads the logs of the latest attempt of a task that has no final attempt yet', async () => {
        const r = await run();
        await store.write([
          { op: 'task.create', task: task(r.id, 1, { status: 'running', attempts: 2, finalAttempt: null }) },
          {
            op: 'logs.append',
            lines: [log(r.id, 1, 0, 0, 'stdout', 'old'), log(r.id, 1, 1, 0, 'stdout', 'live')],
          },
        ]);
        expect((await store.readLogs(r.id, 1)).map((l) => l.line)).toEqual(['live']);
      });

      // ---- The task page of the web UI: log search
      it("searches one attempt's log lines for a substring, case-insensitively, by stream, paged by afterSeq", async () => {
        const r = await run();
        await store.write([
          { op: 'task.create', task: task(r.id, 1, { attempts: 2, finalAttempt: 1 }) },
          {
            op: 'logs.append',
            lines: [
              log(r.id, 1, 0, 0, 'stdout', 'Needle in attempt zero'),
              log(r.id, 1, 1, 0, 'stdout', 'a NEEDLE here'),
              log(r.id, 1, 1, 1, 'stdout', 'nothing'),
              log(r.id, 1, 1, 2, 'stderr', 'needle on stderr'),
              log(r.id, 1, 1, 3, 'stdout', 'two\nlines with needle'),
              log(r.id, 1, 1, 4, 'stdout', 'percent 100% and _under_'),
              log(r.id, 1, 1, 5, 'stdout', 'needlE again'),
            ],
          },
        ]);
        const seqs = async (q: Parameters<typeof store.searchLogs>[2]) =>
          (await store.searchLogs(r.id, 1, q)).map((l) => l.seq);
        expect(await seqs({ text: 'needle' })).toEqual([0, 2, 3, 5]);
        expect(await seqs({ text: 'NeEdLe', stream: 'stdout' })).toEqual([0, 3, 5]);
        expect(await seqs({ text: 'needle', stream: 'stderr' })).toEqual([2]);
        expect(await seqs({ text: 'needle', limit: 2 })).toEqual([0, 2]);
        expect(await seqs({ text: 'needle', afterSeq: 2, limit: 2 })).toEqual([3, 5]);
        expect(await seqs({ text: 'needle', afterSeq: 5 })).toEqual([]);
        expect(await seqs({ text: 'needle', attempt: 0 })).toEqual([0]);
        // The text is a plain substring: LIKE wildcards match only themselves.
        expect(await seqs({ text: '100%' })).toEqual([4]);
        expect(await seqs({ text: '%' })).toEqual([4]);
        expect(await seqs({ text: '_under_' })).toEqual([4]);
        expect(await seqs({ text: 'o_e' })).toEqual([]);
        expect(await seqs({ text: 'lines with' })).toEqual([3]);
        expect(await store.searchLogs(r.id, 1, { text: 'here' })).toEqual([
          log(r.id, 1, 1, 0, 'stdout', 'a NEEDLE here'),
        ]);
        expect(await seqs({ text: 'absent' })).toEqual([]);
        expect(await store.searchLogs(r.id, 2, { text: 'needle' })).toEqual([]);
        await expect(store.searchLogs(r.id, 1, { text: '' })).rejects.toMatchObject({ code: 'VALIDATION' });
      });

      it('applies a batch of every kind of write in order', async () => {
        const r = await run();
        await store.write([
          { op: 'step.upsert', step: { runId: r.id, name: 'start', createdAt: T0, finishedAt: null } },
          { op: 'task.create', task: task(r.id, 1) },
          {
            op: 'task.update',
            runId: r.id,
            taskId: 1,
            patch: { status: 'running', attempts: 1, startedAt: T0 },
          },
          { op: 'attempt.start', attempt: attempt(r.id, 1, 0) },
          { op: 'logs.append', lines: [log(r.id, 1, 0, 0, 'stdout', 'hi')] },
          { op: 'artifacts.add', artifacts: [artifact(r.id, 1, 0, 'x')] },
          {
            op: 'attempt.finish',
            runId: r.id,
            taskId: 1,
            attempt: 0,
            status: 'completed',
            finishedAt: T0 + 1,
            exception: null,
          },
          {
            op: 'task.update',
            runId: r.id,
            taskId: 1,
            patch: { status: 'completed', successful: true, finalAttempt: 0, finishedAt: T0 + 1 },
          },
          { op: 'step.upsert', step: { runId: r.id, name: 'start', createdAt: T0, finishedAt: T0 + 1 } },
          { op: 'run.update', runId: r.id, patch: { status: 'completed', finishedAt: T0 + 2 } },
        ]);
        expect((await store.getRunById(r.id))?.status).toBe('completed');
        expect(await store.listSteps(r.id)).toEqual([
          { runId: r.id, name: 'start', createdAt: T0, finishedAt: T0 + 1 },
        ]);
        expect(await store.getTask(r.id, 1)).toMatchObject({
          status: 'completed',
          successful: true,
          finalAttempt: 0,
        });
        expect((await store.listAttempts(r.id, 1))[0]?.status).toBe('completed');
        expect(await store.listArtifacts(r.id, 1)).toEqual([artifact(r.id, 1, 0, 'x')]);
        expect((await store.readLogs(r.id, 1)).map((l) => l.line)).toEqual(['hi']);
      });

      it('rolls back a failed batch entirely', async () => {
        const r = await run();
        await store.write([{ op: 'task.create', task: task(r.id, 1, { step: 'start' }) }]);
        const batch = store.write([
          { op: 'run.update', runId: r.id, patch: { status: 'completed', finishedAt: T0 + 1 } },
          { op: 'step.upsert', step: { runId: r.id, name: 'work', createdAt: T0, finishedAt: null } },
          { op: 'task.update', runId: r.id, taskId: 1, patch: { status: 'completed' } },
          { op: 'task.create', task: task(r.id, 2, { step: 'work' }) },
          { op: 'attempt.start', attempt: attempt(r.id, 2, 0) },
          { op: 'artifacts.add', artifacts: [artifact(r.id, 2, 0, 'x')] },
          { op: 'logs.append', lines: [log(r.id, 2, 0, 0, 'stdout', 'x')] },
          { op: 'task.create', task: task(r.id, 2, { step: 'work' }) },
        ]);
        await expect(batch).rejects.toThrow();
        expect(await store.getRunById(r.id)).toEqual(r);
        expect(await store.listSteps(r.id)).toEqual([]);
        expect(await store.listTasks(r.id)).toEqual([task(r.id, 1, { step: 'start' })]);
        expect(await store.listAttempts(r.id, 2)).toEqual([]);
        expect(await store.listArtifacts(r.id, 2, { attempt: 0 })).toEqual([]);
        expect(await store.readLogs(r.id, 2, { attempt: 0 })).toEqual([]);
        // The store is still usable afterwards.
        await store.write([{ op: 'task.create', task: task(r.id, 2, { step: 'work' }) }]);
        expect((await store.listTasks(r.id)).map((t) => t.taskId)).toEqual([1, 2]);
      });

      it('rejects a duplicate attempt and a duplicate log line', async () => {
        const r = await run();
        await store.write([
          { op: 'task.create', task: task(r.id, 1) },
          { op: 'attempt.start', attempt: attempt(r.id, 1, 0) },
          { op: 'logs.append', lines: [log(r.id, 1, 0, 0, 'stdout', 'once')] },
        ]);
        await expect(store.write([{ op: 'attempt.start', attempt: attempt(r.id, 1, 0) }])).rejects.toThrow();
        await expect(
          store.write([{ op: 'logs.append', lines: [log(r.id, 1, 0, 0, 'stderr', 'twice')] }]),
        ).rejects.toThrow();
        expect(await store.listAttempts(r.id, 1)).toHaveLength(1);
        expect((await store.readLogs(r.id, 1, { attempt: 0 })).map((l) => l.line)).toEqual(['once']);
      });
    });

    describe('markRunCrashed', () => {
      it('crashes a running run once, killing running attempts and failing unfinished tasks', async () => {
        const r = await run();
        const done = task(r.id, 1, {
          status: 'completed',
          successful: true,
          attempts: 1,
          finalAttempt: 0,
          startedAt: T0,
          finishedAt: T0 + 5,
        });
        const running = task(r.id, 2, { status: 'running', attempts: 2, startedAt: T0 + 6 });
        const pending = task(r.id, 3, { status: 'pending' });
        const failed = task(r.id, 4, {
          status: 'failed',
          successful: false,
          attempts: 1,
          finalAttempt: 0,
          finishedAt: T0 + 7,
        });
        await store.write([
          { op: 'task.create', task: done },
          { op: 'task.create', task: running },
          { op: 'task.create', task: pending },
          { op: 'task.create', task: failed },
          { op: 'attempt.start', attempt: attempt(r.id, 1, 0, { status: 'completed', finishedAt: T0 + 5 }) },
          {
            op: 'attempt.start',
            attempt: attempt(r.id, 2, 0, { status: 'failed', finishedAt: T0 + 6, exception: BOOM }),
          },
          { op: 'attempt.start', attempt: attempt(r.id, 2, 1, { status: 'running' }) },
          { op: 'attempt.start', attempt: attempt(r.id, 4, 0, { status: 'timeout', finishedAt: T0 + 7 }) },
        ]);
        const other = await run();
        await store.write([
          { op: 'task.create', task: task(other.id, 1, { status: 'running' }) },
          { op: 'attempt.start', attempt: attempt(other.id, 1, 0) },
        ]);

        const reason: ExceptionRecord = { type: 'OrchestratorDied', message: 'heartbeat lost', stack: '' };
        const at = T0 + 1000;
        expect(await store.markRunCrashed(r.id, at, reason)).toBe(true);

        expect(await store.getRunById(r.id)).toEqual({
          ...r,
          status: 'crashed',
          finishedAt: at,
          error: reason,
        });
        expect(await store.getTask(r.id, 1)).toEqual(done);
        expect(await store.getTask(r.id, 2)).toEqual({
          ...running,
          status: 'failed',
          successful: false,
          finishedAt: at,
        });
        expect(await store.getTask(r.id, 3)).toEqual({
          ...pending,
          status: 'failed',
          successful: false,
          finishedAt: at,
        });
        expect(await store.getTask(r.id, 4)).toEqual(failed);
        expect(await store.listAttempts(r.id, 1)).toEqual([
          attempt(r.id, 1, 0, { status: 'completed', finishedAt: T0 + 5 }),
        ]);
        expect(await store.listAttempts(r.id, 2)).toEqual([
          attempt(r.id, 2, 0, { status: 'failed', finishedAt: T0 + 6, exception: BOOM }),
          attempt(r.id, 2, 1, { status: 'killed', finishedAt: at, exception: reason }),
        ]);
        expect(await store.listAttempts(r.id, 4)).toEqual([
          attempt(r.id, 4, 0, { status: 'timeout', finishedAt: T0 + 7 }),
        ]);
        expect((await store.listRunningRuns()).map((x) => x.id)).toEqual([other.id]);

        // A second call changes nothing.
        expect(await store.markRunCrashed(r.id, at + 1, { ...reason, message: 'again' })).toBe(false);
        expect(await store.getRunById(r.id)).toEqual({
          ...r,
          status: 'crashed',
          finishedAt: at,
          error: reason,
        });

        // Other runs are untouched.
        expect(await store.getRunById(other.id)).toEqual(other);
        expect((await store.getTask(other.id, 1))?.status).toBe('running');
        expect((await store.listAttempts(other.id, 1))[0]?.status).toBe('running');
      });

      it('does nothing to a finished run', async () => {
        for (const status of ['completed', 'failed'] as const) {
          const r = await run();
          await store.write([
            { op: 'run.update', runId: r.id, patch: { status, finishedAt: T0 + 3 } },
            { op: 'task.create', task: task(r.id, 1, { status: 'pending' }) },
            { op: 'attempt.start', attempt: attempt(r.id, 1, 0, { status: 'running' }) },
          ]);
          const before = await store.getRunById(r.id);
          expect(await store.markRunCrashed(r.id, T0 + 10, BOOM)).toBe(false);
          expect(await store.getRunById(r.id)).toEqual(before);
          expect((await store.getTask(r.id, 1))?.status).toBe('pending');
          expect((await store.listAttempts(r.id, 1))[0]?.status).toBe('running');
        }
      });

      it('returns false for an unknown run', async () => {
        expect(await store.markRunCrashed(123_456, T0, BOOM)).toBe(false);
      });
    });

    describe('cancel requests', () => {
      const request = { at: T0 + 50, by: 'alice', reason: 'wrong input' };

      it('records the first cancel request of a running run, and reads it back', async () => {
        const r = await run();
        const other = await run();
        expect(await store.getCancelRequest(r.id)).toBeNull();
        const after = await store.requestRunCancel(r.id, request);
        expect(after).toEqual({ ...r, cancelRequest: request });
        expect(await store.getRunById(r.id)).toEqual({ ...r, cancelRequest: request });
        expect(await store.getCancelRequest(r.id)).toEqual(request);
        // A later request keeps the first: who asked first, and why.
        const again = await store.requestRunCancel(r.id, { at: T0 + 60, by: 'bob', reason: null });
        expect(again?.cancelRequest).toEqual(request);
        expect(await store.getCancelRequest(r.id)).toEqual(request);
        // The request changes nothing else: the run is still running, for its orchestrator to stop.
        expect((await store.listRunningRuns()).map((x) => x.id).sort()).toEqual([r.id, other.id].sort());
        expect(await store.getCancelRequest(other.id)).toBeNull();
        const noReason = { at: T0, by: 'key:abc', reason: null };
        expect((await store.requestRunCancel(other.id, noReason))?.cancelRequest).toEqual(noReason);
      });

      it('records nothing on a finished run and answers it unchanged', async () => {
        for (const status of ['completed', 'failed', 'crashed', 'cancelled'] as const) {
          const r = await run();
          await store.write([{ op: 'run.update', runId: r.id, patch: { status, finishedAt: T0 + 3 } }]);
          const before = await store.getRunById(r.id);
          expect(await store.requestRunCancel(r.id, request)).toEqual(before);
          expect(await store.getCancelRequest(r.id)).toBeNull();
        }
      });

      it('answers undefined and null for an unknown run', async () => {
        expect(await store.requestRunCancel(123_456, request)).toBeUndefined();
        expect(await store.getCancelRequest(123_456)).toBeNull();
      });

      it('marks a running run cancelled once, cancelling its unfinished tasks and running attempts', async () => {
        const r = await run();
        const done = task(r.id, 1, {
          status: 'completed',
          successful: true,
          attempts: 1,
          finalAttempt: 0,
          startedAt: T0,
          finishedAt: T0 + 5,
        });
        const running = task(r.id, 2, { status: 'running', attempts: 1, startedAt: T0 + 6 });
        const pending = task(r.id, 3, { status: 'pending' });
        await store.write([
          { op: 'task.create', task: done },
          { op: 'task.create', task: running },
          { op: 'task.create', task: pending },
          { op: 'attempt.start', attempt: attempt(r.id, 1, 0, { status: 'completed', finishedAt: T0 + 5 }) },
          { op: 'attempt.start', attempt: attempt(r.id, 2, 0, { status: 'running' }) },
        ]);
        await store.requestRunCancel(r.id, request);
        const reason: ExceptionRecord = { type: 'RunCancelled', message: 'cancelled by alice', stack: '' };
        const at = T0 + 1000;
        expect(await store.markRunCancelled(r.id, at, reason)).toBe(true);
        expect(await store.getRunById(r.id)).toEqual({
          ...r,
          status: 'cancelled',
          finishedAt: at,
          error: reason,
          cancelRequest: request,
        });
        expect(await store.getTask(r.id, 1)).toEqual(done);
        expect(await store.getTask(r.id, 2)).toEqual({
          ...running,
          status: 'cancelled',
          successful: false,
          finishedAt: at,
        });
        expect(await store.getTask(r.id, 3)).toEqual({
          ...pending,
          status: 'cancelled',
          successful: false,
          finishedAt: at,
        });
        expect(await store.listAttempts(r.id, 2)).toEqual([
          attempt(r.id, 2, 0, { status: 'cancelled', finishedAt: at, exception: reason }),
        ]);
        expect(await store.listRunningRuns()).toEqual([]);
        expect((await store.listRuns('A', { status: 'cancelled' })).map((x) => x.id)).toEqual([r.id]);
        // The run page counts cancelled tasks as such.
        const [start] = await store.summarizeRun(r.id);
        expect(start?.counts).toEqual({ pending: 0, running: 0, completed: 1, failed: 0, cancelled: 2 });
        // Once only.
        expect(await store.markRunCancelled(r.id, at + 1, { ...reason, message: 'again' })).toBe(false);
        expect((await store.getRunById(r.id))?.finishedAt).toBe(at);
      });

      it('does not mark a finished or unknown run cancelled', async () => {
        const r = await run();
        await store.write([
          { op: 'run.update', runId: r.id, patch: { status: 'completed', finishedAt: T0 + 3 } },
        ]);
        expect(await store.markRunCancelled(r.id, T0 + 10, BOOM)).toBe(false);
        expect((await store.getRunById(r.id))?.status).toBe('completed');
        expect(await store.markRunCancelled(123_456, T0, BOOM)).toBe(false);
      });
    });

    describe('tags', () => {
      /** Run numbers of `listRuns(flow, query)`. */
      const numbersOf = async (flow: string, query: Parameters<MetadataStore['listRuns']>[1] = {}) =>
        (await store.listRuns(flow, query)).map((r) => r.runNumber);

      it('filters runs by tags, user or system, all of them required', async () => {
        await run({ flow: 'A', tags: ['nightly'], systemTags: ['user:alice'] });
        await run({ flow: 'A', tags: ['nightly', 'gpu'], systemTags: ['user:bob'] });
        await run({ flow: 'A', tags: [], systemTags: ['user:alice'] });
        await run({ flow: 'A', tags: ['gpu', "it's 50%"], systemTags: ['user:alice'] });
        await run({ flow: 'B', tags: ['nightly', 'gpu'], systemTags: ['user:alice'] });
        expect(await numbersOf('A', { tags: ['nightly'] })).toEqual([2, 1]);
        expect(await numbersOf('A', { tags: ['gpu', 'nightly'] })).toEqual([2]);
        expect(await numbersOf('A', { tags: ['user:alice'] })).toEqual([4, 3, 1]);
        expect(await numbersOf('A', { tags: ['user:alice', 'gpu'] })).toEqual([4]);
        expect(await numbersOf('A', { tags: ['user:alice', 'nightly', 'gpu'] })).toEqual([]);
        expect(await numbersOf('A', { tags: ["it's 50%"] })).toEqual([4]);
        expect(await numbersOf('A', { tags: ['gpu', 'gpu'] })).toEqual([4, 2]);
        // Exact matches only: no prefixes, wildcards or case folding.
        expect(await numbersOf('A', { tags: ['user:'] })).toEqual([]);
        expect(await numbersOf('A', { tags: ['gp%'] })).toEqual([]);
        expect(await numbersOf('A', { tags: ['GPU'] })).toEqual([]);
        expect(await numbersOf('A', { tags: ['unknown'] })).toEqual([]);
        expect(await numbersOf('A', { tags: ['nightly', 'unknown'] })).toEqual([]);
        expect(await numbersOf('A', { tags: [] })).toEqual([4, 3, 2, 1]);
        expect(await numbersOf('B', { tags: ['user:alice', 'gpu'] })).toEqual([1]);
        expect(await numbersOf('Nope', { tags: ['gpu'] })).toEqual([]);
      });

      it('combines tags with status, limit and the beforeRunNumber cursor', async () => {
        const runs: RunRecord[] = [];
        for (let i = 1; i <= 20; i++)
          runs.push(await run({ flow: 'A', tags: i % 2 === 0 ? ['even'] : ['odd'], systemTags: ['user:x'] }));
        await store.write(
          runs
            .filter((r) => r.runNumber % 4 === 0)
            .map((r) => ({
              op: 'run.update' as const,
              runId: r.id,
              patch: { status: 'completed' as const },
            })),
        );
        const seen: number[] = [];
        let cursor: number | undefined;
        for (let page = 0; page < 20; page++) {
          const rows = await numbersOf('A', {
            limit: 3,
            tags: ['even', 'user:x'],
            ...(cursor === undefined ? {} : { beforeRunNumber: cursor }),
          });
          if (rows.length === 0) break;
          expect(rows.length).toBeLessThanOrEqual(3);
          seen.push(...rows);
          cursor = rows[rows.length - 1];
        }
        expect(seen).toEqual([20, 18, 16, 14, 12, 10, 8, 6, 4, 2]);
        expect(await numbersOf('A', { tags: ['even'], status: 'completed' })).toEqual([20, 16, 12, 8, 4]);
        expect(await numbersOf('A', { tags: ['even'], status: 'running', limit: 2 })).toEqual([18, 14]);
        expect(await numbersOf('A', { tags: ['odd'], status: 'completed' })).toEqual([]);
        expect(await numbersOf('A', { tags: ['odd'], beforeRunNumber: 6, limit: 2 })).toEqual([5, 3]);
      });

      it('finds the latest run with tags and status', async () => {
        const a1 = await run({ flow: 'A', user: 'alice', tags: ['prod'], systemTags: ['user:alice'] });
        const a2 = await run({ flow: 'A', user: 'bob', tags: ['prod', 'gpu'], systemTags: ['user:bob'] });
        const b1 = await run({ flow: 'B', user: 'alice', tags: ['prod'], systemTags: ['user:alice'] });
        const a3 = await run({ flow: 'A', user: 'alice', tags: ['dev'], systemTags: ['user:alice'] });
        await store.write([
          { op: 'run.update', runId: a1.id, patch: { status: 'completed' } },
          { op: 'run.update', runId: a2.id, patch: { status: 'failed' } },
          { op: 'run.update', runId: a3.id, patch: { status: 'completed' } },
        ]);
        const latest = async (q: Parameters<MetadataStore['latestRun']>[0]) => (await store.latestRun(q))?.id;
        expect(await latest({ tags: ['prod'] })).toBe(b1.id);
        expect(await latest({ flow: 'A', tags: ['prod'] })).toBe(a2.id);
        expect(await latest({ flow: 'A', tags: ['prod'], status: 'completed' })).toBe(a1.id);
        expect(await latest({ flow: 'A', status: 'completed' })).toBe(a3.id);
        expect(await latest({ status: 'running' })).toBe(b1.id);
        expect(await latest({ tags: ['prod', 'user:alice'] })).toBe(b1.id);
        expect(await latest({ flow: 'A', tags: ['prod', 'user:alice'] })).toBe(a1.id);
        expect(await latest({ user: 'bob', tags: ['gpu'], status: 'failed' })).toBe(a2.id);
        expect(await latest({ flow: 'A', tags: ['prod', 'dev'] })).toBeUndefined();
        expect(await latest({ flow: 'A', tags: ['gpu'], status: 'completed' })).toBeUndefined();
        expect(await latest({ tags: ['unknown'] })).toBeUndefined();
        expect(await latest({ tags: [] })).toBe(a3.id);
        expect(await store.latestRun({ flow: 'A', tags: ['prod'], status: 'completed' })).toEqual({
          ...a1,
          status: 'completed',
        });
      });

      it('lists flows that have a run carrying all the tags', async () => {
        await run({ flow: 'Zeta', tags: ['a'], systemTags: ['user:alice'], createdAt: T0 + 1 });
        await run({ flow: 'Zeta', tags: ['b'], systemTags: ['user:alice'], createdAt: T0 + 2 });
        await run({ flow: 'Alpha', tags: ['a', 'b'], systemTags: ['user:bob'], createdAt: T0 + 3 });
        await run({ flow: 'Mid', tags: [], systemTags: ['user:bob'], createdAt: T0 + 4 });
        const names = async (tags?: readonly string[]) =>
          (await store.listFlows(tags === undefined ? undefined : { tags })).map((f) => f.name);
        expect(await names()).toEqual(['Alpha', 'Mid', 'Zeta']);
        expect(await names([])).toEqual(['Alpha', 'Mid', 'Zeta']);
        expect((await store.listFlows({})).map((f) => f.name)).toEqual(['Alpha', 'Mid', 'Zeta']);
        expect(await names(['a'])).toEqual(['Alpha', 'Zeta']);
        // Both tags on one run: Zeta has them only on different runs.
        expect(await names(['a', 'b'])).toEqual(['Alpha']);
        expect(await names(['user:bob'])).toEqual(['Alpha', 'Mid']);
        expect(await names(['user:alice', 'b'])).toEqual(['Zeta']);
        expect(await names(['unknown'])).toEqual([]);
        expect(await store.listFlows({ tags: ['a'] })).toEqual([
          { name: 'Alpha', createdAt: T0 + 3, lastRunNumber: 1 },
          { name: 'Zeta', createdAt: T0 + 1, lastRunNumber: 2 },
        ]);
      });

      it('tells whether a flow exists and whether it has a run carrying all the tags', async () => {
        expect(await store.flowExists('A')).toBe(false);
        expect(await store.flowHasRun('A', [])).toBe(false);
        await run({ flow: 'A', tags: ['x'], systemTags: ['user:alice'] });
        await run({ flow: 'A', tags: ['y'], systemTags: ['user:alice'] });
        await run({ flow: 'B', tags: ['x', 'y'], systemTags: ['user:bob'] });
        expect(await store.flowExists('A')).toBe(true);
        expect(await store.flowExists('B')).toBe(true);
        expect(await store.flowExists('a')).toBe(false);
        expect(await store.flowExists('C')).toBe(false);
        expect(await store.flowHasRun('A', [])).toBe(true);
        expect(await store.flowHasRun('A', ['x'])).toBe(true);
        expect(await store.flowHasRun('A', ['x', 'user:alice'])).toBe(true);
        expect(await store.flowHasRun('A', ['x', 'y'])).toBe(false);
        expect(await store.flowHasRun('A', ['user:bob'])).toBe(false);
        expect(await store.flowHasRun('B', ['x', 'y', 'user:bob'])).toBe(true);
        expect(await store.flowHasRun('C', ['x'])).toBe(false);
      });

      it('keeps one tag that is both a user and a system tag findable', async () => {
        const r = await run({ tags: ['user:alice', 'n'], systemTags: ['user:alice'] });
        expect(await numbersOf('A', { tags: ['user:alice'] })).toEqual([r.runNumber]);
        await expect(store.mutateRunTags(r.id, { remove: ['user:alice'] })).rejects.toThrow(ValidationError);
        expect(await store.mutateRunTags(r.id, { remove: ['n'] })).toEqual({
          tags: ['user:alice'],
          systemTags: ['user:alice'],
        });
        expect(await numbersOf('A', { tags: ['user:alice'] })).toEqual([r.runNumber]);
        expect(await numbersOf('A', { tags: ['n'] })).toEqual([]);
      });
    });

    describe('mutateRunTags', () => {
      it('adds and removes user tags, persisted and visible to tag filters at once', async () => {
        const r = await run({ tags: ['a', 'b', 'c'], systemTags: ['user:alice', 'runtime:local'] });
        const other = await run({ tags: ['a'], systemTags: ['user:alice'] });
        expect(await store.mutateRunTags(r.id, { add: ['e', 'd'], remove: ['b'] })).toEqual({
          tags: ['a', 'c', 'e', 'd'],
          systemTags: ['user:alice', 'runtime:local'],
        });
        expect(await store.getRunById(r.id)).toEqual({ ...r, tags: ['a', 'c', 'e', 'd'] });
        const numbers = async (tags: string[]) => (await store.listRuns('A', { tags })).map((x) => x.id);
        expect(await numbers(['d'])).toEqual([r.id]);
        expect(await numbers(['e', 'd', 'user:alice'])).toEqual([r.id]);
        expect(await numbers(['b'])).toEqual([]);
        expect(await numbers(['a'])).toEqual([other.id, r.id]);
        expect(await store.flowHasRun('A', ['d', 'runtime:local'])).toBe(true);
        expect((await store.latestRun({ tags: ['e'] }))?.id).toBe(r.id);

        // Remove first, then add: the tag ends up present, at the end.
        expect((await store.mutateRunTags(r.id, { add: ['a'], remove: ['a'] })).tags).toEqual([
          'c',
          'e',
          'd',
          'a',
        ]);
        expect((await store.mutateRunTags(r.id, { remove: ['c', 'e', 'd', 'a'] })).tags).toEqual([]);
        expect((await store.getRunById(r.id))?.tags).toEqual([]);
        expect(await numbers(['a'])).toEqual([other.id]);
        // The other run is untouched.
        expect(await store.getRunById(other.id)).toEqual(other);
      });

      it('ignores adding a system tag or a present tag and removing an absent one', async () => {
        const r = await run({ tags: ['a'], systemTags: ['user:alice'] });
        expect(
          await store.mutateRunTags(r.id, { add: ['user:alice', 'a', 'b', 'b'], remove: ['zz'] }),
        ).toEqual({ tags: ['a', 'b'], systemTags: ['user:alice'] });
        expect(await store.mutateRunTags(r.id, { add: ['a'] })).toEqual({
          tags: ['a', 'b'],
          systemTags: ['user:alice'],
        });
        expect(await store.getRunById(r.id)).toEqual({ ...r, tags: ['a', 'b'] });
        expect((await store.listRuns('A', { tags: ['user:alice'] })).map((x) => x.id)).toEqual([r.id]);
      });

      it('refuses to remove a system tag, changing nothing', async () => {
        const r = await run({ tags: ['a', 'b'], systemTags: ['user:bob', 'runtime:local'] });
        const attempt = store.mutateRunTags(r.id, { add: ['c'], remove: ['a', 'user:bob'] });
        await expect(attempt).rejects.toThrow(ValidationError);
        await expect(attempt).rejects.toThrow(/Cannot remove system tag\(s\) 'user:bob'/);
        expect(await store.getRunById(r.id)).toEqual(r);
        expect((await store.listRuns('A', { tags: ['c'] })).length).toBe(0);
        expect((await store.listRuns('A', { tags: ['a', 'user:bob'] })).map((x) => x.id)).toEqual([r.id]);
      });

      it('applies the tag rules, changing nothing when one is broken', async () => {
        const r = await run({ tags: [], systemTags: ['user:alice'] });
        await expect(store.mutateRunTags(r.id, {})).rejects.toThrow(/Must add or remove at least one tag/);
        await expect(store.mutateRunTags(r.id, { add: [], remove: [] })).rejects.toThrow(ValidationError);
        await expect(store.mutateRunTags(r.id, { add: ['ok', '  '] })).rejects.toThrow(ValidationError);
        await expect(store.mutateRunTags(r.id, { add: ['x'.repeat(501)] })).rejects.toThrow(ValidationError);
        expect(await store.getRunById(r.id)).toEqual(r);

        const fifty = Array.from({ length: 50 }, (_, i) => `t${i}`);
        expect((await store.mutateRunTags(r.id, { add: fifty })).tags).toEqual(fifty);
        await expect(store.mutateRunTags(r.id, { add: ['one-too-many'] })).rejects.toThrow(/at most 50/);
        expect((await store.getRunById(r.id))?.tags).toEqual(fifty);
        expect(await store.listRuns('A', { tags: ['one-too-many'] })).toEqual([]);
        // Swapping a tag at the limit is fine.
        expect((await store.mutateRunTags(r.id, { add: ['new'], remove: ['t0'] })).tags).toEqual([
          ...fifty.slice(1),
          'new',
        ]);
        expect(
          (await store.mutateRunTags(r.id, { add: ['x'.repeat(500)], remove: ['t1'] })).tags,
        ).toHaveLength(50);
      });

      it('lets a run created with more than 50 tags shrink but not grow', async () => {
        const many = Array.from({ length: 60 }, (_, i) => `m${i}`);
        const r = await run({ tags: many, systemTags: [] });
        await expect(store.mutateRunTags(r.id, { add: ['x'] })).rejects.toThrow(ValidationError);
        expect((await store.mutateRunTags(r.id, { add: ['x'], remove: ['m0'] })).tags).toHaveLength(60);
        expect((await store.mutateRunTags(r.id, { remove: ['m1', 'm2'] })).tags).toHaveLength(58);
        expect((await store.listRuns('A', { tags: ['x', 'm59'] })).map((x) => x.id)).toEqual([r.id]);
        expect(await store.listRuns('A', { tags: ['m1'] })).toEqual([]);
      });

      it('throws NotFoundError for an unknown run', async () => {
        await expect(store.mutateRunTags(123_456, { add: ['a'] })).rejects.toThrow(NotFoundError);
      });

      it('keeps createdAt, run number, other fields and the listing order', async () => {
        const runs: RunRecord[] = [];
        for (let i = 0; i < 5; i++)
          runs.push(await run({ createdAt: T0 + i, tags: ['keep'], systemTags: ['user:alice'] }));
        const before = await store.listRuns('A');
        await store.mutateRunTags(runs[1]!.id, { add: ['late'] });
        await store.mutateRunTags(runs[3]!.id, { add: ['late'], remove: ['keep'] });
        const after = await store.listRuns('A');
        expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
        for (const [i, r] of after.entries()) {
          const old = before[i]!;
          expect({ ...r, tags: old.tags }).toEqual(old);
        }
        expect((await store.listRuns('A', { tags: ['late'] })).map((r) => r.runNumber)).toEqual([4, 2]);
        expect((await store.listRuns('A', { tags: ['keep'] })).map((r) => r.runNumber)).toEqual([5, 3, 2, 1]);
        expect((await store.latestRun({ flow: 'A' }))?.id).toBe(runs[4]!.id);
        expect((await store.latestRun({ tags: ['late'] }))?.id).toBe(runs[3]!.id);
      });

      it('applies concurrent mutations one after another, losing none', async () => {
        const r = await run({ tags: ['base'], systemTags: ['user:alice'] });
        const added = Array.from({ length: 20 }, (_, i) => `c${i}`);
        await Promise.all(added.map((tag) => store.mutateRunTags(r.id, { add: [tag] })));
        const tags = (await store.getRunById(r.id))!.tags;
        expect([...tags].sort()).toEqual(['base', ...added].sort());
        for (const tag of added)
          expect((await store.listRuns('A', { tags: [tag] })).map((x) => x.id)).toEqual([r.id]);
      });
    });

    describe('steps and task pages', () => {
      it('gets one step', async () => {
        const r = await run();
        const other = await run();
        await store.write([
          { op: 'step.upsert', step: { runId: r.id, name: 'start', createdAt: T0 + 1, finishedAt: T0 + 2 } },
          { op: 'step.upsert', step: { runId: r.id, name: 'end', createdAt: T0 + 3, finishedAt: null } },
        ]);
        expect(await store.getStep(r.id, 'start')).toEqual({
          runId: r.id,
          name: 'start',
          createdAt: T0 + 1,
          finishedAt: T0 + 2,
        });
        expect(await store.getStep(r.id, 'end')).toEqual({
          runId: r.id,
          name: 'end',
          createdAt: T0 + 3,
          finishedAt: null,
        });
        expect(await store.getStep(r.id, 'nope')).toBeUndefined();
        expect(await store.getStep(other.id, 'start')).toBeUndefined();
      });

      it('pages through tasks in task-id order with limit and afterTaskId', async () => {
        const r = await run();
        const other = await run();
        const ids = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89];
        await store.write([
          ...[...ids].reverse().map((id) => ({
            op: 'task.create' as const,
            task: task(r.id, id, { step: id % 2 === 0 ? 'even' : 'odd' }),
          })),
          { op: 'task.create', task: task(other.id, 4) },
        ]);
        const page = async (options: Parameters<MetadataStore['listTasks']>[1]) =>
          (await store.listTasks(r.id, options)).map((t) => t.taskId);
        expect(await page({ limit: 3 })).toEqual([1, 2, 3]);
        expect(await page({ limit: 3, afterTaskId: 3 })).toEqual([5, 8, 13]);
        expect(await page({ afterTaskId: 4 })).toEqual([5, 8, 13, 21, 34, 55, 89]);
        expect(await page({ afterTaskId: 89 })).toEqual([]);
        expect(await page({ afterTaskId: 0, limit: 100 })).toEqual(ids);
        expect(await page({ step: 'odd', limit: 2, afterTaskId: 1 })).toEqual([3, 5]);
        expect(await page({ step: 'even', afterTaskId: 2 })).toEqual([8, 34]);
        // Newest first, with a cursor going down.
        expect(await page({ order: 'desc', limit: 3 })).toEqual([89, 55, 34]);
        expect(await page({ order: 'desc', limit: 3, beforeTaskId: 34 })).toEqual([21, 13, 8]);
        expect(await page({ order: 'desc', step: 'odd', beforeTaskId: 13 })).toEqual([5, 3, 1]);
        expect(await page({ order: 'desc', beforeTaskId: 1 })).toEqual([]);

        const seen: number[] = [];
        let cursor: number | undefined;
        for (let i = 0; i < 20; i++) {
          const rows = await page({ limit: 4, ...(cursor === undefined ? {} : { afterTaskId: cursor }) });
          if (rows.length === 0) break;
          seen.push(...rows);
          cursor = rows[rows.length - 1];
        }
        expect(seen).toEqual(ids);
        expect((await store.listTasks(r.id, { limit: 1, afterTaskId: 20 }))[0]).toEqual(
          task(r.id, 21, { step: 'odd' }),
        );
      });
    });

    describe('the runs list and history screens', () => {
      const numbers = async (flow: string, q: Parameters<MetadataStore['listRuns']>[1]) =>
        (await store.listRuns(flow, q)).map((r) => r.runNumber);

      it('lists the newest run of every flow, by flow name, in one query', async () => {
        expect(await store.listLatestRuns()).toEqual([]);
        const b1 = await run({ flow: 'B' });
        await run({ flow: 'A' });
        const a2 = await run({ flow: 'A' });
        const c1 = await run({ flow: 'C', createdAt: T0 - 1 });
        await store.write([
          { op: 'run.update', runId: a2.id, patch: { status: 'failed', finishedAt: T0 + 5 } },
        ]);
        const before = store.queryCount;
        const latest = await store.listLatestRuns();
        expect(store.queryCount).toBe(before + 1);
        expect(latest.map((r) => [r.flow, r.runNumber])).toEqual([
          ['A', 2],
          ['B', 1],
          ['C', 1],
        ]);
        expect(latest[0]).toEqual(await store.getRunById(a2.id));
        expect(latest[1]).toEqual(b1);
        expect(latest[2]).toEqual(c1);
      });

      it('filters runs by user', async () => {
        for (const user of ['alice', 'bob', 'alice', 'carol', 'alice']) await run({ flow: 'A', user });
        await run({ flow: 'B', user: 'bob' });
        expect(await numbers('A', { user: 'alice' })).toEqual([5, 3, 1]);
        expect(await numbers('A', { user: 'bob' })).toEqual([2]);
        expect(await numbers('A', { user: 'nobody' })).toEqual([]);
        expect(await numbers('A', { user: 'alice', beforeRunNumber: 5, limit: 1 })).toEqual([3]);
      });

      it('filters runs by a creation time range, both ends inclusive', async () => {
        for (let i = 0; i < 6; i++) await run({ flow: 'A', createdAt: T0 + i * 1000 });
        expect(await numbers('A', { since: T0 + 2000 })).toEqual([6, 5, 4, 3]);
        expect(await numbers('A', { until: T0 + 2000 })).toEqual([3, 2, 1]);
        expect(await numbers('A', { since: T0 + 1500, until: T0 + 4000 })).toEqual([5, 4, 3]);
        expect(await numbers('A', { since: T0 + 9000 })).toEqual([]);
        expect(await numbers('A', { since: T0 + 4000, until: T0 + 1000 })).toEqual([]);
      });

      it('combines user, time, status and tags', async () => {
        const runs: RunRecord[] = [];
        for (let i = 0; i < 8; i++)
          runs.push(
            await run({
              flow: 'A',
              user: i % 2 === 0 ? 'alice' : 'bob',
              createdAt: T0 + i * 1000,
              tags: i % 3 === 0 ? ['nightly'] : [],
            }),
          );
        await store.write(
          runs
            .filter((_, i) => i !== 4)
            .map((r) => ({
              op: 'run.update' as const,
              runId: r.id,
              patch: { status: 'completed' as const },
            })),
        );
        expect(await numbers('A', { user: 'alice', since: T0 + 1000 })).toEqual([7, 5, 3]);
        expect(await numbers('A', { user: 'alice', status: 'completed', since: T0 + 1000 })).toEqual([7, 3]);
        expect(await numbers('A', { user: 'alice', tags: ['nightly'] })).toEqual([7, 1]);
        expect(await numbers('A', { user: 'bob', tags: ['nightly'], until: T0 + 3000 })).toEqual([4]);
      });

      it('pages back up with afterRunNumber, listing newest first', async () => {
        for (let i = 0; i < 10; i++) await run({ flow: 'A', user: i % 2 === 0 ? 'alice' : 'bob' });
        expect(await numbers('A', { afterRunNumber: 4, limit: 3 })).toEqual([7, 6, 5]);
        expect(await numbers('A', { afterRunNumber: 8, limit: 3 })).toEqual([10, 9]);
        expect(await numbers('A', { afterRunNumber: 10 })).toEqual([]);
        expect(await numbers('A', { afterRunNumber: 2, limit: 2, user: 'alice' })).toEqual([5, 3]);
        // Down then up again comes back to the same page.
        const first = await numbers('A', { limit: 4 });
        const second = await numbers('A', { limit: 4, beforeRunNumber: first[3]! });
        expect(second).toEqual([6, 5, 4, 3]);
        expect(await numbers('A', { limit: 4, afterRunNumber: second[0]! })).toEqual(first);
        // A `before` cursor wins over `after`.
        expect(await numbers('A', { beforeRunNumber: 3, afterRunNumber: 8 })).toEqual([2, 1]);
      });

      it("names a flow's steps in the order they start within a run, across its runs", async () => {
        const a = await run({ flow: 'A', createdAt: T0 });
        const b = await run({ flow: 'A', createdAt: T0 + 60_000 });
        const other = await run({ flow: 'B', createdAt: T0 });
        const step = (runId: number, name: string, at: number) => ({
          op: 'step.upsert' as const,
          step: { runId, name, createdAt: at, finishedAt: null },
        });
        await store.write([
          step(a.id, 'start', T0 + 1),
          step(a.id, 'train', T0 + 50),
          step(a.id, 'end', T0 + 90),
          // A later run with a step the first one lacked, between start and train.
          step(b.id, 'start', T0 + 60_001),
          step(b.id, 'clean', T0 + 60_020),
          step(b.id, 'train', T0 + 60_060),
          step(b.id, 'end', T0 + 60_095),
          step(other.id, 'elsewhere', T0 + 2),
        ]);
        expect(await store.listFlowStepNames('A')).toEqual(['start', 'clean', 'train', 'end']);
        expect(await store.listFlowStepNames('B')).toEqual(['elsewhere']);
        expect(await store.listFlowStepNames('Nope')).toEqual([]);
        const before = store.queryCount;
        await store.listFlowStepNames('A');
        expect(store.queryCount).toBe(before + 1);
      });

      it("summarizes each run's steps: task counts by status, caught failures, time span", async () => {
        const a = await run({ flow: 'A' });
        const b = await run({ flow: 'A' });
        const untouched = await run({ flow: 'A' });
        let id = 0;
        const t = (runId: number, step: string, overrides: Partial<TaskRecord>) => ({
          op: 'task.create' as const,
          task: task(runId, ++id, { step, ...overrides }),
        });
        const done = { status: 'completed' as const, successful: true };
        await store.write([
          t(a.id, 'start', { ...done, startedAt: T0 + 10, finishedAt: T0 + 20 }),
          // A foreach of five: three done, one caught failure, one failed.
          ...[0, 1, 2].map((i) =>
            t(a.id, 'each', { ...done, foreachPath: [i], startedAt: T0 + 30 + i, finishedAt: T0 + 40 + i }),
          ),
          t(a.id, 'each', {
            status: 'completed',
            successful: false,
            foreachPath: [3],
            startedAt: T0 + 25,
            finishedAt: T0 + 90,
          }),
          t(a.id, 'each', {
            status: 'failed',
            successful: false,
            foreachPath: [4],
            startedAt: T0 + 35,
            finishedAt: T0 + 60,
          }),
          // Run b: one step still running, one task not started.
          t(b.id, 'start', { ...done, startedAt: T0 + 100, finishedAt: T0 + 110 }),
          t(b.id, 'each', { ...done, foreachPath: [0], startedAt: T0 + 120, finishedAt: T0 + 130 }),
          t(b.id, 'each', { status: 'running', foreachPath: [1], startedAt: T0 + 125 }),
          t(b.id, 'each', { status: 'pending', foreachPath: [2] }),
        ]);
        const before = store.queryCount;
        const summaries = await store.summarizeSteps([b.id, a.id, untouched.id, 999_999]);
        expect(store.queryCount).toBe(before + 1);
        expect(summaries).toEqual([
          {
            runId: a.id,
            step: 'each',
            tasks: 5,
            counts: { completed: 4, failed: 1 },
            caught: 1,
            startedAt: T0 + 25,
            finishedAt: T0 + 90,
          },
          {
            runId: a.id,
            step: 'start',
            tasks: 1,
            counts: { completed: 1 },
            caught: 0,
            startedAt: T0 + 10,
            finishedAt: T0 + 20,
          },
          {
            runId: b.id,
            step: 'each',
            tasks: 3,
            counts: { completed: 1, running: 1, pending: 1 },
            caught: 0,
            startedAt: T0 + 120,
            finishedAt: null,
          },
          {
            runId: b.id,
            step: 'start',
            tasks: 1,
            counts: { completed: 1 },
            caught: 0,
            startedAt: T0 + 100,
            finishedAt: T0 + 110,
          },
        ]);
        expect(await store.summarizeSteps([])).toEqual([]);
      });

      it('summarizes a 10,000-task foreach as one row, and a page of many runs in bounded queries', async () => {
        const big = await run({ flow: 'A' });
        const ops = Array.from({ length: 10_000 }, (_, i) => ({
          op: 'task.create' as const,
          task: task(big.id, i + 1, {
            step: 'each',
            status: i % 100 === 0 ? ('failed' as const) : ('completed' as const),
            foreachPath: [i],
            startedAt: T0 + i,
            finishedAt: T0 + i + 5,
          }),
        }));
        await store.write(ops);
        const small: number[] = [];
        for (let i = 0; i < 450; i++) small.push((await run({ flow: 'B' })).id);
        await store.write(
          small.map((runId) => ({
            op: 'task.create' as const,
            task: task(runId, 1, { status: 'completed' }),
          })),
        );
        const before = store.queryCount;
        const [each] = await store.summarizeSteps([big.id]);
        expect(store.queryCount).toBe(before + 1);
        expect(each).toEqual({
          runId: big.id,
          step: 'each',
          tasks: 10_000,
          counts: { completed: 9_900, failed: 100 },
          caught: 0,
          startedAt: T0,
          finishedAt: T0 + 9_999 + 5,
        });
        const many = await store.summarizeSteps(small);
        expect(many.map((s) => s.runId)).toEqual(small);
        expect(store.queryCount - before).toBeLessThanOrEqual(3);
      });
    });

    describe('triggers', () => {
      const eventCause = (id: string, name = 'data_updated'): TriggerCause => ({
        type: 'event',
        name,
        id,
        timestamp: T0 + 1,
        pathspec: null,
      });
      const runCause = (id: string, pathspec: string): TriggerCause => ({
        type: 'run',
        name: pathspec.split('/')[0]!,
        id,
        timestamp: T0 + 2,
        pathspec,
      });

      it('records what triggered a run, and finds runs by event id or upstream pathspec', async () => {
        const etl = await run({ flow: 'ETLFlow', trigger: [eventCause('e-1')] });
        expect(etl.trigger).toEqual([eventCause('e-1')]);
        expect((await store.getRunById(etl.id))?.trigger).toEqual([eventCause('e-1')]);
        const training = await run({ flow: 'TrainingFlow', trigger: [runCause('c-etl', 'ETLFlow/1')] });
        const both = await run({
          flow: 'ReportFlow',
          trigger: [eventCause('e-1'), runCause('c-etl', 'ETLFlow/1'), eventCause('e-2', 'other')],
        });
        const untriggered = await run({ flow: 'ETLFlow' });
        expect(untriggered.trigger).toEqual([]);
        const ids = async (ref: string) => (await store.listRunsTriggeredBy(ref)).map((r) => r.id);
        expect(await ids('e-1')).toEqual([etl.id, both.id]);
        expect(await ids('ETLFlow/1')).toEqual([training.id, both.id]);
        expect(await ids('c-etl')).toEqual([training.id, both.id]);
        expect(await ids('e-2')).toEqual([both.id]);
        expect(await ids('nothing')).toEqual([]);
        const before = store.queryCount;
        await store.listRunsTriggeredBy('e-1');
        expect(store.queryCount).toBe(before + 1);
      });
    });

    describe('idempotency keys', () => {
      it('creates a run once per key: a repeated createRun returns the same run', async () => {
        const first = await store.createRun(newRun(), { idempotencyKey: 'create-1' });
        const again = await store.createRun(newRun(), { idempotencyKey: 'create-1' });
        expect(again).toEqual(first);
        const other = await store.createRun(newRun(), { idempotencyKey: 'create-2' });
        expect(other.runNumber).toBe(first.runNumber + 1);
        expect((await store.listRuns('A')).map((r) => r.runNumber)).toEqual([2, 1]);
      });

      it('concurrent tries with one key create one run', async () => {
        const runs = await Promise.all(
          Array.from({ length: 5 }, () => store.createRun(newRun(), { idempotencyKey: 'same' })),
        );
        expect(new Set(runs.map((r) => r.id)).size).toBe(1);
        expect(await store.listRuns('A')).toHaveLength(1);
      });

      it('applies a write batch once per key, even one that would conflict when repeated', async () => {
        const r = await run();
        const batch = [
          { op: 'task.create' as const, task: task(r.id, 1) },
          {
            op: 'logs.append' as const,
            lines: [
              { runId: r.id, taskId: 1, attempt: 0, seq: 0, stream: 'stdout' as const, ts: T0, line: 'x' },
            ],
          },
        ];
        await store.write(batch, { idempotencyKey: 'batch-1' });
        await store.write(batch, { idempotencyKey: 'batch-1' });
        expect(await store.listTasks(r.id)).toHaveLength(1);
        expect(await store.readLogs(r.id, 1)).toHaveLength(1);
        // Without a key the same batch is applied again, and the duplicate task is refused.
        await expect(store.write(batch)).rejects.toThrow();
      });

      it('prunes keys created before a time', async () => {
        await store.createRun(newRun(), { idempotencyKey: 'old' });
        expect(await store.pruneRequestKeys(Date.now() + 1000)).toBe(1);
        // The key is forgotten: the same key now creates a new run.
        const again = await store.createRun(newRun(), { idempotencyKey: 'old' });
        expect(again.runNumber).toBe(2);
        expect(await store.pruneRequestKeys(0)).toBe(0);
      });
    });

    describe('bounded queries', () => {
      it('counts the queries it sends', async () => {
        expect(typeof store.queryCount).toBe('number');
        const r = await run({ tags: ['a'] });
        const before = store.queryCount;
        await store.getRunById(r.id);
        expect(store.queryCount).toBe(before + 1);
        await store.listRuns('A', { tags: ['a', 'b'] });
        expect(store.queryCount).toBe(before + 2);
        await store.listFlows({ tags: ['a', 'b'] });
        await store.flowExists('A');
        await store.flowHasRun('A', ['a', 'b']);
        await store.getStep(r.id, 'start');
        await store.listTasks(r.id, { step: 'start', limit: 5, afterTaskId: 2 });
        expect(store.queryCount).toBe(before + 7);
        await store.mutateRunTags(r.id, { add: ['b'] });
        expect(store.queryCount).toBeGreaterThan(before + 7);
      });

      it('answers tag-filtered listings over 10,000 runs with one query each', async () => {
        const flow = 'Big';
        const total = 10_000;
        const ids: number[] = [];
        for (let start = 0; start < total; start += 500) {
          const batch = await Promise.all(
            Array.from({ length: Math.min(500, total - start) }, (_, k) => {
              const i = start + k;
              return store.createRun(
                newRun({
                  flow,
                  createdAt: T0 + i,
                  tags: i % 100 === 0 ? ['milestone'] : [],
                  systemTags: [`user:${i % 10 === 0 ? 'x' : 'y'}`, 'runtime:local'],
                }),
              );
            }),
          );
          ids.push(...batch.map((r) => r.id));
        }
        const byNumber = new Map((await store.listRuns(flow, { limit: total })).map((r) => [r.runNumber, r]));
        expect(byNumber.size).toBe(total);
        // Completed: every third run (by run number).
        await store.write(
          [...byNumber.values()]
            .filter((r) => r.runNumber % 3 === 0)
            .map((r) => ({
              op: 'run.update' as const,
              runId: r.id,
              patch: { status: 'completed' as const },
            })),
        );
        // Concurrent creation may number runs in any order, so expectations come from the stored records.
        const carries = (r: RunRecord, tags: string[]) =>
          tags.every((t) => r.tags.includes(t) || r.systemTags.includes(t));
        const newestFirst = [...byNumber.values()].sort((a, b) => b.runNumber - a.runNumber);

        let before = store.queryCount;
        const page = await store.listRuns(flow, { limit: 50, tags: ['user:x'] });
        expect(store.queryCount - before).toBe(1);
        const expected = newestFirst.filter((r) => carries(r, ['user:x'])).slice(0, 50);
        expect(page.map((r) => r.runNumber)).toEqual(expected.map((r) => r.runNumber));
        expect(page).toHaveLength(50);

        before = store.queryCount;
        const next = await store.listRuns(flow, {
          limit: 50,
          tags: ['user:x'],
          beforeRunNumber: page[49]!.runNumber,
        });
        expect(store.queryCount - before).toBe(1);
        expect(next.map((r) => r.runNumber)).toEqual(
          newestFirst
            .filter((r) => carries(r, ['user:x']))
            .slice(50, 100)
            .map((r) => r.runNumber),
        );

        before = store.queryCount;
        const latest = await store.latestRun({ flow, status: 'completed', tags: ['user:x', 'milestone'] });
        expect(store.queryCount - before).toBe(1);
        const want = [...byNumber.values()]
          .filter((r) => r.runNumber % 3 === 0 && carries(r, ['user:x', 'milestone']))
          .sort((a, b) => b.id - a.id)[0];
        expect(want).toBeDefined();
        expect(latest?.id).toBe(want!.id);

        before = store.queryCount;
        expect(await store.latestRun({ flow, status: 'failed', tags: ['user:x'] })).toBeUndefined();
        expect(await store.listRuns(flow, { limit: 50, tags: ['user:x', 'unknown'] })).toEqual([]);
        expect(await store.flowHasRun(flow, ['milestone', 'user:y'])).toBe(false);
        expect((await store.listFlows({ tags: ['milestone', 'user:x'] })).map((f) => f.name)).toEqual([flow]);
        expect(store.queryCount - before).toBe(4);
        expect(new Set(ids).size).toBe(total);
      }, 180_000); // seeding 10,000 runs through the HTTP adapter takes ~1 min on a loaded 2-core machine
    });
    // The run page (web UI, issue 11)
    describe('run page: task filters and the step summary', () => {
      it('filters tasks by status in the store and pages them by offset', async () => {
        const r = await run();
        const other = await run();
        const statuses: TaskRecord['status'][] = ['completed', 'failed', 'running', 'pending'];
        await store.write([
          ...Array.from({ length: 12 }, (_, i) => ({
            op: 'task.create' as const,
            task: task(r.id, i + 1, { step: i < 10 ? 'body' : 'end', status: statuses[i % 4]! }),
          })),
          { op: 'task.create', task: task(other.id, 1, { step: 'body', status: 'failed' }) },
        ]);
        const ids = async (options: Parameters<MetadataStore['listTasks']>[1]) =>
          (await store.listTasks(r.id, options)).map((t) => t.taskId);
        expect(await ids({ status: 'failed' })).toEqual([2, 6, 10]);
        expect(await ids({ step: 'body', status: 'completed' })).toEqual([1, 5, 9]);
        expect(await ids({ step: 'end', status: 'completed' })).toEqual([]);
        expect(await ids({ step: 'body', offset: 7 })).toEqual([8, 9, 10]);
        expect(await ids({ step: 'body', offset: 2, limit: 3 })).toEqual([3, 4, 5]);
        expect(await ids({ step: 'body', status: 'failed', offset: 1, limit: 1 })).toEqual([6]);
        expect(await ids({ order: 'desc', offset: 10 })).toEqual([2, 1]);
        expect(await ids({ offset: 50 })).toEqual([]);
      });

      it('summarizes every step of a run in a few queries: counts, timings, histogram, parent steps', async () => {
        const r = await run();
        const other = await run();
        const body = [
          { id: 3, status: 'completed' as const, start: 100, took: 10 },
          { id: 4, status: 'completed' as const, start: 105, took: 20, successful: false },
          { id: 5, status: 'failed' as const, start: 110, took: 130 },
          { id: 6, status: 'running' as const, start: 120, took: null },
          { id: 7, status: 'pending' as const, start: null, took: null },
        ];
        await store.write([
          { op: 'step.upsert', step: { runId: r.id, name: 'start', createdAt: T0, finishedAt: T0 + 50 } },
          { op: 'step.upsert', step: { runId: r.id, name: 'end', createdAt: T0 + 500, finishedAt: null } },
          {
            op: 'task.create',
            task: task(r.id, 1, { status: 'completed', startedAt: T0, finishedAt: T0 + 40 }),
          },
          {
            op: 'task.create',
            task: task(r.id, 2, {
              step: 'fan',
              status: 'completed',
              foreachCount: 5,
              parentIds: [1],
              startedAt: T0 + 50,
              finishedAt: T0 + 90,
            }),
          },
          ...body.map((b, i) => ({
            op: 'task.create' as const,
            task: task(r.id, b.id, {
              step: 'work',
              status: b.status,
              successful:
                'successful' in b
                  ? b.successful
                  : ({ completed: true, failed: false }[b.status as string] ?? null),
              foreachPath: [i],
              parentIds: [2],
              startedAt: b.start === null ? null : T0 + b.start,
              finishedAt: b.took === null || b.start === null ? null : T0 + b.start + b.took,
            }),
          })),
          { op: 'task.create', task: task(r.id, 8, { step: 'join', parentIds: [3, 4, 5, 6, 7] }) },
          { op: 'task.create', task: task(other.id, 1, { status: 'failed' }) },
        ]);
        const before = store.queryCount;
        const steps = await store.summarizeRun(r.id);
        expect(store.queryCount - before).toBeLessThanOrEqual(8);
        expect(steps.map((s) => s.step)).toEqual(['start', 'fan', 'work', 'join', 'end']);
        const [start, fan, work, join, end] = steps;
        expect(start).toMatchObject({
          total: 1,
          caught: 0,
          counts: { pending: 0, running: 0, completed: 1, failed: 0 },
          parents: [],
          firstTaskId: 1,
          inForeach: false,
          firstStartedAt: T0,
          lastFinishedAt: T0 + 40,
          minDurationMs: 40,
          maxDurationMs: 40,
        });
        expect(fan).toMatchObject({ parents: ['start'], foreachCount: 5, inForeach: false, total: 1 });
        expect(work).toMatchObject({
          total: 5,
          counts: { pending: 1, running: 1, completed: 2, failed: 1 },
          caught: 1,
          parents: ['fan'],
          firstTaskId: 3,
          inForeach: true,
          foreachCount: null,
          firstStartedAt: T0 + 100,
          lastFinishedAt: T0 + 240,
          minDurationMs: 10,
          maxDurationMs: 130,
        });
        // 10 and 20 ms fall in the first bucket of [10, 130], 130 in the last.
        expect(work!.histogram).toHaveLength(DURATION_BUCKETS);
        expect(work!.histogram[0]).toBe(2);
        expect(work!.histogram[DURATION_BUCKETS - 1]).toBe(1);
        expect(work!.histogram.reduce((a, b) => a + b, 0)).toBe(3);
        expect(join).toMatchObject({
          parents: ['work'],
          total: 1,
          counts: { pending: 1 },
          minDurationMs: null,
        });
        expect(join!.histogram.every((n) => n === 0)).toBe(true);
        expect(end).toMatchObject({ step: 'end', total: 0, firstTaskId: null, parents: [] });
        expect(await store.summarizeRun(999_999)).toEqual([]);
      });
    });
  });
}
