import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { coalesceWrites } from '../../src/runtime/write-coalescing.ts';
import { openEmbeddedStores } from '../../src/store/embedded.ts';
import type { MetadataStore, MetadataWrite } from '../../src/store/metadata-store.ts';
import type { SqlMetadataStore } from '../../src/store/sql/sql-metadata-store.ts';
import { newRunRecord } from '../helpers.ts';

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

function store(): MetadataStore {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-coalesce-'));
  homes.push(home);
  return openEmbeddedStores(home).metadata;
}

/** A task's whole life in one batch, a retried one, a step and a run update. */
function batch(runId: number): MetadataWrite[] {
  const ops: MetadataWrite[] = [
    { op: 'step.upsert', step: { runId, name: 'work', createdAt: 1, finishedAt: null } },
  ];
  for (const taskId of [1, 2]) {
    ops.push({
      op: 'task.create',
      task: {
        runId,
        taskId,
        step: 'work',
        status: 'pending',
        successful: null,
        foreachPath: [taskId - 1],
        foreachCount: null,
        parentIds: [],
        attempts: 0,
        finalAttempt: null,
        createdAt: 1,
        startedAt: null,
        finishedAt: null,
        originPathspec: null,
      },
    });
  }
  for (const [taskId, attempt] of [
    [1, 0],
    [2, 0],
    [2, 1],
  ] as const) {
    ops.push(
      {
        op: 'attempt.start',
        attempt: {
          runId,
          taskId,
          attempt,
          status: 'running',
          startedAt: 2,
          finishedAt: null,
          exception: null,
          envInfo: {},
        },
      },
      { op: 'task.update', runId, taskId, patch: { status: 'running', startedAt: 2, attempts: attempt + 1 } },
      {
        op: 'logs.append',
        lines: [{ runId, taskId, attempt, seq: 0, stream: 'stdout', ts: 3, line: `t${taskId}a${attempt}` }],
      },
    );
    const failed = taskId === 2 && attempt === 0;
    ops.push(
      {
        op: 'attempt.finish',
        runId,
        taskId,
        attempt,
        status: failed ? 'failed' : 'completed',
        finishedAt: 4,
        exception: failed ? { type: 'Error', message: 'boom', stack: '' } : null,
      },
      {
        op: 'artifacts.add',
        artifacts: [
          {
            runId,
            taskId,
            attempt,
            name: 'out',
            sha: `sha${taskId}${attempt}`,
            codec: 'msgpack',
            size: 1,
            createdAt: 4,
          },
        ],
      },
    );
    // A caught failure adds the attempt's artifacts again (with the error): the later row wins.
    if (failed)
      ops.push({
        op: 'artifacts.add',
        artifacts: [
          { runId, taskId, attempt, name: 'out', sha: 'caught', codec: 'msgpack', size: 2, createdAt: 5 },
        ],
      });
    if (!failed)
      ops.push({
        op: 'task.update',
        runId,
        taskId,
        patch: { status: 'completed', successful: true, finalAttempt: attempt, finishedAt: 5 },
      });
  }
  ops.push(
    { op: 'step.upsert', step: { runId, name: 'work', createdAt: 6, finishedAt: 6 } },
    { op: 'run.update', runId, patch: { heartbeatAt: 7 } },
    { op: 'run.update', runId, patch: { status: 'completed', finishedAt: 8 } },
  );
  return ops;
}

async function endState(s: MetadataStore, runId: number) {
  const tasks = await s.listTasks(runId);
  const run = await s.getRunById(runId);
  return {
    run: { status: run?.status, finishedAt: run?.finishedAt, heartbeatAt: run?.heartbeatAt },
    steps: await s.listSteps(runId),
    tasks,
    attempts: await Promise.all(tasks.map((t) => s.listAttempts(runId, t.taskId))),
    artifacts: await Promise.all(
      tasks.flatMap((t) => [0, 1].map((attempt) => s.listArtifacts(runId, t.taskId, { attempt }))),
    ),
    logs: await Promise.all(
      tasks.flatMap((t) => [0, 1].map((attempt) => s.readLogs(runId, t.taskId, { attempt }))),
    ),
  };
}

describe('coalesced writes', () => {
  it('leave the store in the same state as the writes one by one, in fewer statements', async () => {
    const plain = store();
    const folded = store();
    const [a, b] = [await plain.createRun(newRunRecord('F')), await folded.createRun(newRunRecord('F'))];
    const ops = batch(a.id);
    await plain.write(ops);
    const coalesced = coalesceWrites(batch(b.id));
    await folded.write(coalesced);
    expect(await endState(folded, b.id)).toEqual(await endState(plain, a.id));
    // Per task: one insert, per attempt: one insert; artifacts, logs: one multi-row write each.
    expect(coalesced.map((op) => op.op)).toEqual([
      'step.upsert',
      'task.create',
      'task.create',
      'attempt.start',
      'attempt.start',
      'attempt.start',
      'run.update',
      'artifacts.add',
      'logs.append',
    ]);
    // One multi-row upsert must not touch a row twice (PostgreSQL refuses it).
    const rows = coalesced.flatMap((op) => (op.op === 'artifacts.add' ? op.artifacts : []));
    const keys = rows.map((a) => `${a.taskId}:${a.attempt}:${a.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    await plain.close();
    await folded.close();
  });

  it('groups task and attempt inserts of interleaved tasks into one multi-row insert each', async () => {
    const plain = store() as SqlMetadataStore;
    const folded = store() as SqlMetadataStore;
    const [a, b] = [await plain.createRun(newRunRecord('F')), await folded.createRun(newRunRecord('F'))];
    // Tasks created and started one after the other, as a scheduler dispatching a fan-out does.
    const interleaved = (runId: number) => {
      const ops = batch(runId);
      const creates = ops.filter((op) => op.op === 'task.create');
      const starts = ops.filter((op) => op.op === 'attempt.start');
      const rest = ops.filter((op) => op.op !== 'task.create' && op.op !== 'attempt.start');
      return [creates[0]!, starts[0]!, creates[1]!, starts[1]!, starts[2]!, ...rest];
    };
    await plain.write(interleaved(a.id));
    const coalesced = coalesceWrites(interleaved(b.id));
    expect(coalesced.map((op) => op.op).slice(0, 5)).toEqual([
      'task.create',
      'task.create',
      'attempt.start',
      'attempt.start',
      'attempt.start',
    ]);
    const before = folded.queryCount;
    await folded.write(coalesced);
    // BEGIN, one task insert, one attempt insert, step, run, artifacts, logs, COMMIT (11 one by one).
    expect(folded.queryCount - before).toBeLessThanOrEqual(8);
    expect(await endState(folded, b.id)).toEqual(await endState(plain, a.id));
    await plain.close();
    await folded.close();
  });

  it('leaves the queued operations untouched', () => {
    const ops = batch(1);
    const copy = structuredClone(ops);
    coalesceWrites(ops);
    expect(ops).toEqual(copy);
  });
});
