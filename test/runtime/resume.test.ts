import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resumeRun, runFlow, tempHome } from '../../src/testing/index.ts';
import { fixture, readHome, repoRoot, stepTask, stepTasks, withEnv } from '../helpers.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('resume', () => {
  it('after a failure at a join, re-runs only what failed and what follows it', async () => {
    await using home = await tempHome();
    const flag = path.join(home.path, 'join-broken');
    fs.writeFileSync(flag, '');
    const failed = await withEnv({ JOIN_FAIL_FILE: flag, RUN_TAG: 'first' }, () =>
      runFlow({ file: fixture('join-failure.ts'), home: home.path, tags: ['exp'] }),
    );
    expect(failed.status).toBe('failed');
    fs.rmSync(flag);
    const resumed = await withEnv({ JOIN_FAIL_FILE: flag, RUN_TAG: 'second' }, () =>
      resumeRun({ run: failed.pathspec, home: home.path }),
    );
    expect(resumed.status).toBe('completed');
    expect(resumed.pathspec).toBe('JoinFailureFlow/2');
    expect(resumed.run.originRunNumber).toBe(1);
    expect(resumed.run.tags).toEqual(['exp']);
    await using stores = readHome(home.path);
    const byStep = async (s: string) => stepTask(stores, resumed.run, s);
    for (const s of ['start', 'a', 'b']) {
      const t = await byStep(s);
      const origin = (await stores.metadata.listTasks(failed.run.id, { step: s }))[0]!;
      expect(t.task.originPathspec, s).toBe(`JoinFailureFlow/1/${s}/${origin.taskId}`);
      const [attempt] = await stores.metadata.listAttempts(resumed.run.id, t.task.taskId);
      expect(attempt!.status).toBe('cloned');
    }
    // Cloned: start's artifact comes from the first run, not re-executed.
    expect((await byStep('start')).data.ranIn).toBe('start@first');
    const join = await byStep('join');
    expect(join.task.originPathspec).toBeNull();
    expect(join.data.sum).toBe(3);
    expect((await byStep('end')).data.sum).toBe(3);
  });

  it('--step re-runs that step and everything after it even where the origin succeeded', async () => {
    await using home = await tempHome();
    const first = await withEnv({ RUN_TAG: 'one' }, () =>
      runFlow({ file: fixture('join-failure.ts'), home: home.path }),
    );
    expect(first.status).toBe('completed');
    const again = await withEnv({ RUN_TAG: 'two' }, () =>
      resumeRun({ run: first.pathspec, step: 'b', home: home.path }),
    );
    expect(again.status).toBe('completed');
    await using stores = readHome(home.path);
    expect((await stepTask(stores, again.run, 'a')).task.originPathspec).not.toBeNull();
    expect((await stepTask(stores, again.run, 'b')).task.originPathspec).toBeNull();
    expect((await stepTask(stores, again.run, 'join')).task.originPathspec).toBeNull();
    await expect(resumeRun({ run: first.pathspec, step: 'nope', home: home.path })).rejects.toThrow(
      "Step 'nope' does not exist",
    );
    await expect(resumeRun({ run: 'JoinFailureFlow/99', home: home.path })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('a killed orchestrator leaves a run marked crashed (never running forever) that resume finishes', async () => {
    await using home = await tempHome();
    const gate = path.join(home.path, 'gate');
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin/flowtrail.js'), 'run', fixture('slow.ts'), '--quiet'],
      {
        env: { ...process.env, FLOWTRAIL_HOME: home.path, SLOW_GATE_FILE: gate },
        stdio: 'ignore',
      },
    );
    await using stores = readHome(home.path);
    // Wait until the two quick splits are done and the two gated ones are running.
    const run = await waitFor(
      'the run',
      async () => (await stores.metadata.latestRun({ flow: 'SlowFlow' })) ?? undefined,
    );
    await waitFor('two finished splits', async () => {
      const work = await stores.metadata.listTasks(run.id, { step: 'work' });
      return work.filter((t) => t.status === 'completed').length === 2 &&
        work.filter((t) => t.status === 'running').length === 2
        ? true
        : undefined;
    });
    const workerPids = fs
      .readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    expect(workerPids.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // Workers notice their orchestrator is gone and exit.
    await waitFor('workers to exit', () => (workerPids.every((p) => !alive(p)) ? true : undefined), 10_000);
    fs.writeFileSync(gate, '');
    const resumed = await resumeRun({ run: `SlowFlow/${run.runNumber}`, home: home.path });
    expect(resumed.status).toBe('completed');
    const crashed = (await stores.metadata.getRun('SlowFlow', run.runNumber))!;
    expect(crashed.status).toBe('crashed');
    expect(crashed.finishedAt).not.toBeNull();
    expect(crashed.error!.message).toContain('flowtrail resume SlowFlow/1');
    const work = await stepTasks(stores, resumed.run, 'work');
    expect(work.filter((t) => t.task.originPathspec !== null)).toHaveLength(2);
    expect((await stepTask(stores, resumed.run, 'end')).data.total).toBe(1 + 4 + 9 + 16);
    const orphanAttempts = await stores.metadata.listTasks(run.id, { step: 'work' });
    expect(orphanAttempts.filter((t) => t.status === 'running')).toEqual([]);
  });
});
