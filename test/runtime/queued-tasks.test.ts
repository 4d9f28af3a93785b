import { describe, expect, it } from 'vitest';
import { runFlow, tempHome } from '../../src/testing/index.ts';
import { fixture, readHome, stepTasks, withEnv } from '../helpers.ts';

const queued = fixture('queued-tasks.ts');

/** The work tasks in the order the one worker ran them, with their attempts. */
async function workTasks(home: string, runId: number) {
  await using stores = readHome(home);
  const run = (await stores.metadata.getRunById(runId))!;
  const tasks = await stepTasks(stores, run, 'work');
  const out = [];
  for (const { task, data } of tasks) {
    const attempts = await stores.metadata.listAttempts(run.id, task.taskId);
    out.push({ task, attempts, ranFrom: data.ranFrom as number, ranUntil: data.ranUntil as number });
  }
  return out.sort((a, b) => a.ranFrom - b.ranFrom);
}

describe('tasks sent to a busy worker', () => {
  for (const [label, ms] of [
    ['short tasks (queued behind the running one)', '0'],
    ['tasks taking most of their timeout', '700'],
  ] as const) {
    it(`${label}: each attempt and its timeout start when the worker takes the task up`, async () => {
      await using home = await tempHome();
      const result = await withEnv({ QUEUED_TASK_MS: ms }, () =>
        runFlow({ file: queued, home: home.path, maxWorkers: 1 }),
      );
      // Timed from when they were sent, the later tasks would time out behind the first.
      expect(result.status).toBe('completed');
      const tasks = await workTasks(home.path, result.run.id);
      expect(tasks).toHaveLength(3);
      for (const [i, t] of tasks.entries()) {
        expect(t.attempts.map((a) => a.status)).toEqual(['completed']);
        expect(t.task.startedAt).toBe(t.attempts[0]!.startedAt);
        // One worker: a task's attempt starts only after the task before it finished running.
        if (i > 0) expect(t.attempts[0]!.startedAt).toBeGreaterThanOrEqual(tasks[i - 1]!.ranUntil);
      }
    });
  }
});
