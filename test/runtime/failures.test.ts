import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFlow, tempHome } from '../../src/testing/index.ts';
import { fixture, readHome, stepTask, withEnv } from '../helpers.ts';

const failures = fixture('failures.ts');

describe('retry, catch, timeout and failures', () => {
  it('retry: a step that fails twice then succeeds ends successful with 3 attempts recorded', async () => {
    await using home = await tempHome();
    const result = await withEnv({ FAILURE_MODE: 'retry' }, () =>
      runFlow({ file: failures, home: home.path }),
    );
    expect(result.status).toBe('completed');
    await using stores = readHome(home.path);
    const flaky = await stepTask(stores, result.run, 'flaky');
    expect(flaky.task).toMatchObject({ status: 'completed', successful: true, attempts: 3, finalAttempt: 2 });
    expect(flaky.data.attemptsSeen).toBe(3);
    const attempts = await stores.metadata.listAttempts(result.run.id, flaky.task.taskId);
    expect(attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'completed']);
    expect(attempts[0]!.exception).toMatchObject({ type: 'Error', message: 'flaky attempt 0' });
    expect(attempts[0]!.exception!.stack).toContain('flaky attempt 0');
    expect(attempts[1]!.exception!.message).toBe('flaky attempt 1');
    // A failed attempt keeps no attemptsSeen; the final attempt's artifacts are the task's.
    expect(
      await stores.metadata.listArtifacts(result.run.id, flaky.task.taskId, { attempt: 0 }),
    ).not.toContainEqual(expect.objectContaining({ name: 'attemptsSeen' }));
  });

  it('a step that keeps failing fails the task and the run, with the exception recorded', async () => {
    await using home = await tempHome();
    const result = await withEnv({ FAILURE_MODE: 'retry-exhausted' }, () =>
      runFlow({ file: failures, home: home.path }),
    );
    expect(result.status).toBe('failed');
    expect(result.run.status).toBe('failed');
    expect(result.run.finishedAt).not.toBeNull();
    expect(result.error!.message).toContain("Step 'flaky'");
    expect(result.error!.message).toContain('always failing, attempt 2');
    await using stores = readHome(home.path);
    const flaky = (await stores.metadata.listTasks(result.run.id, { step: 'flaky' }))[0]!;
    expect(flaky).toMatchObject({ status: 'failed', successful: false, attempts: 3 });
    expect(await stores.metadata.listTasks(result.run.id, { step: 'slow' })).toEqual([]);
  });

  it('a NonRetriableError skips the remaining retries', async () => {
    await using home = await tempHome();
    const result = await withEnv({ FAILURE_MODE: 'non-retriable' }, () =>
      runFlow({ file: failures, home: home.path }),
    );
    expect(result.status).toBe('failed');
    await using stores = readHome(home.path);
    const flaky = (await stores.metadata.listTasks(result.run.id, { step: 'flaky' }))[0]!;
    expect(flaky.attempts).toBe(1);
    const [attempt] = await stores.metadata.listAttempts(result.run.id, flaky.taskId);
    expect(attempt!.exception).toMatchObject({ type: 'NonRetriableError', message: 'do not retry me' });
  });

  it('catch: the run continues and the error is in the named artifact', async () => {
    await using home = await tempHome();
    const result = await withEnv({ FAILURE_MODE: 'catch' }, () =>
      runFlow({ file: failures, home: home.path }),
    );
    expect(result.status).toBe('completed');
    await using stores = readHome(home.path);
    const guarded = await stepTask(stores, result.run, 'guarded');
    expect(guarded.task).toMatchObject({ status: 'completed', successful: false });
    expect(guarded.data.caught).toMatchObject({ type: 'TypeError', message: 'guarded step broke' });
    const end = await stepTask(stores, result.run, 'end');
    expect(end.data.caught).toMatchObject({ type: 'TypeError' });
    const logs = await stores.metadata.readLogs(result.run.id, guarded.task.taskId, { stream: 'stderr' });
    expect(logs.map((l) => l.line).join('\n')).toContain('guarded step broke');
  });

  it('timeout: the attempt is stopped and recorded as a timeout, then retried', async () => {
    await using home = await tempHome();
    const t0 = Date.now();
    const result = await withEnv({ FAILURE_MODE: 'timeout' }, () =>
      runFlow({ file: failures, home: home.path }),
    );
    expect(result.status).toBe('failed');
    await using stores = readHome(home.path);
    const slow = (await stores.metadata.listTasks(result.run.id, { step: 'slow' }))[0]!;
    const attempts = await stores.metadata.listAttempts(result.run.id, slow.taskId);
    expect(attempts.map((a) => a.status)).toEqual(['timeout', 'timeout']);
    expect(attempts[0]!.exception).toMatchObject({ type: 'TimeoutError', code: 'STEP_TIMEOUT' });
    expect(attempts[0]!.exception!.message).toContain('timed out after 1 s');
    // Two 1-second attempts of a busy loop, stopped by the orchestrator (the loop would run 60 s).
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('a worker killed with SIGKILL mid-task is a failed attempt, retried by the step policy', async () => {
    await using home = await tempHome();
    const pidFile = path.join(home.path, 'worker.pid');
    const killer = setInterval(() => {
      if (!fs.existsSync(pidFile)) return;
      const pid = Number(fs.readFileSync(pidFile, 'utf8'));
      fs.rmSync(pidFile);
      process.kill(pid, 'SIGKILL');
    }, 20);
    const result = await withEnv({ FAILURE_MODE: 'kill-worker', PID_FILE: pidFile }, () =>
      runFlow({ file: failures, home: home.path }),
    ).finally(() => clearInterval(killer));
    expect(result.status).toBe('completed');
    await using stores = readHome(home.path);
    const flaky = await stepTask(stores, result.run, 'flaky');
    const attempts = await stores.metadata.listAttempts(result.run.id, flaky.task.taskId);
    expect(attempts.map((a) => a.status)).toEqual(['killed', 'completed']);
    expect(attempts[0]!.exception).toMatchObject({ type: 'WorkerDied' });
    expect(attempts[0]!.exception!.message).toContain('SIGKILL');
    expect(flaky.data.attemptsSeen).toBe(2);
  });

  it('foreach on a missing, non-iterable or empty value, or too many splits, is a typed error naming the step, not retried', async () => {
    await using home = await tempHome();
    const cases: [string, string][] = [
      ['missing', "Foreach variable 'this.items' in step 'start' does not exist"],
      ['scalar', "'this.items' in step 'start' is not iterable"],
      ['empty', "Foreach in step 'start' produced zero splits"],
      ['many', "Foreach in step 'start' yielded 7 child steps, more than the maximum of 5"],
    ];
    await using stores = readHome(home.path);
    for (const [mode, message] of cases) {
      const result = await withEnv({ FOREACH_MODE: mode }, () =>
        runFlow({ file: fixture('foreach-errors.ts'), home: home.path, maxNumSplits: 5 }),
      );
      expect(result.status, mode).toBe('failed');
      const start = (await stores.metadata.listTasks(result.run.id, { step: 'start' }))[0]!;
      expect(start.attempts).toBe(1);
      const [attempt] = await stores.metadata.listAttempts(result.run.id, start.taskId);
      expect(attempt!.exception).toMatchObject({ type: 'InvalidForeachError', code: 'INVALID_FOREACH' });
      expect(attempt!.exception!.message).toContain(message);
      expect(await stores.metadata.listTasks(result.run.id, { step: 'work' })).toEqual([]);
    }
  });

  it('mergeArtifacts conflicts and missing include names are errors listing the names', async () => {
    await using home = await tempHome();
    await using stores = readHome(home.path);
    const conflict = await runFlow({ file: fixture('merge-conflict.ts'), home: home.path });
    expect(conflict.status).toBe('failed');
    expect(conflict.error!.message).toContain("inputs disagree on 'differs'");
    const missing = await withEnv({ MERGE_MODE: 'include-missing' }, () =>
      runFlow({ file: fixture('merge-conflict.ts'), home: home.path }),
    );
    expect(missing.error!.message).toContain("'nothere' listed in include but found in no input");
    const join = (await stores.metadata.listTasks(missing.run.id, { step: 'join' }))[0]!;
    const [attempt] = await stores.metadata.listAttempts(missing.run.id, join.taskId);
    expect(attempt!.exception!.type).toBe('MergeConflictError');
  });

  it('an artifact that cannot be stored is a typed error naming it', async () => {
    await using home = await tempHome();
    const result = await runFlow({ file: fixture('unstorable.ts'), home: home.path });
    expect(result.status).toBe('failed');
    expect(result.error!.message).toContain("'callback'");
    await using stores = readHome(home.path);
    const start = (await stores.metadata.listTasks(result.run.id, { step: 'start' }))[0]!;
    const [attempt] = await stores.metadata.listAttempts(result.run.id, start.taskId);
    expect(attempt!.exception).toMatchObject({ type: 'ArtifactEncodeError', code: 'ARTIFACT_ENCODE' });
  });
});
