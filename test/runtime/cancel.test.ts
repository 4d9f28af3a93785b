/**
 * Cancelling a run (issue 12 part 5): a long foreach run by a `flowtrail run` process is cancelled
 * from this one through the client; the orchestrator stops it, no task starts afterwards, and
 * `resume` finishes it. A step that ignores SIGTERM is SIGKILLed after the grace.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { metadata, namespace, Run } from '../../src/index.ts';
import { resumeRun, runFlow, tempHome } from '../../src/testing/index.ts';
import { fixture, readHome, repoRoot, stepTasks, withEnv } from '../helpers.ts';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(() => {
  namespace(null);
});

describe('cancel', () => {
  it('a long foreach cancelled mid-way from another process ends cancelled, starts no task after it, and resume completes it', async () => {
    await using home = await tempHome();
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin/flowtrail.js'), 'run', fixture('long-foreach.ts'), '--max-workers', '2'],
      { env: { ...process.env, FLOWTRAIL_HOME: home.path, LONG_SLEEP_MS: '400' }, stdio: 'pipe' },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await using stores = readHome(home.path);
    const started = await waitFor(
      'the run',
      async () => (await stores.metadata.latestRun({ flow: 'LongForeachFlow' })) ?? undefined,
    );
    await waitFor('a few finished splits', async () => {
      const work = await stores.metadata.listTasks(started.id, { step: 'work' });
      return work.filter((t) => t.status === 'completed').length >= 4 ? true : undefined;
    });

    // Another process's view: the client on the same home.
    metadata(home.path);
    namespace(null);
    const { outcome, run } = await Run.get('LongForeachFlow/1').cancel({ reason: 'wrong input', wait: true });
    expect(outcome).toBe('requested');
    expect(run.status).toBe('cancelled');
    expect(run.finished).toBe(true);
    expect(run.successful).toBe(false);
    expect(run.error?.type).toBe('RunCancelled');
    expect(run.error?.message).toContain('flowtrail resume LongForeachFlow/1');

    // `flowtrail run` says so and exits 3.
    expect(await exited).toBe(3);
    expect(stdout).toMatch(/Run LongForeachFlow\/1 cancelled: .*wrong input/);

    const record = (await stores.metadata.getRunById(started.id))!;
    expect(record.status).toBe('cancelled');
    expect(record.cancelRequest).toMatchObject({ reason: 'wrong input' });
    const endedAt = record.finishedAt!;
    expect(endedAt).toBeGreaterThanOrEqual(record.cancelRequest!.at);
    const work = await stores.metadata.listTasks(started.id, { step: 'work' });
    expect(work).toHaveLength(40);
    const byStatus = (s: string) => work.filter((t) => t.status === s);
    expect(byStatus('completed').length).toBeGreaterThanOrEqual(4);
    expect(byStatus('cancelled').length).toBeGreaterThan(0);
    expect(byStatus('completed').length + byStatus('cancelled').length).toBe(40);
    // No attempt started after the orchestrator noticed the cancel (when it ended the run).
    for (const t of work)
      for (const a of await stores.metadata.listAttempts(started.id, t.taskId)) {
        expect(a.startedAt).toBeLessThanOrEqual(endedAt);
        expect(a.status).toBe(t.status === 'completed' ? 'completed' : 'cancelled');
        if (a.status === 'cancelled') expect(a.finishedAt).toBe(endedAt);
      }
    // Nothing after the foreach was created, and nothing is left unfinished.
    expect((await stores.metadata.listTasks(started.id)).map((t) => t.step)).not.toContain('join');
    expect((await stores.metadata.listTasks(started.id)).filter((t) => t.finishedAt === null)).toEqual([]);

    const page = await stores.events.query({ event: { name: ['flowtrail.run.cancelled'] } });
    expect(page.events).toHaveLength(1);
    expect(page.events[0]!.resource['flowtrail.resource.id']).toBe('flowtrail.run.LongForeachFlow/1');
    expect(page.events[0]!.payload).toMatchObject({ reason: 'wrong input' });

    // Cancelling it again is a no-op.
    expect((await Run.get('LongForeachFlow/1').cancel()).outcome).toBe('already-cancelled');

    const resumed = await withEnv({ LONG_SLEEP_MS: '0' }, () =>
      resumeRun({ run: 'LongForeachFlow/1', home: home.path }),
    );
    expect(resumed.status).toBe('completed');
    const again = await stepTasks(stores, resumed.run, 'work');
    expect(again.filter((t) => t.task.originPathspec !== null)).toHaveLength(byStatus('completed').length);
    const [join] = await stepTasks(stores, resumed.run, 'join');
    expect(join!.data.total).toBe(2 * ((39 * 40) / 2));
  });

  it('a step that ignores SIGTERM is killed after the grace', async () => {
    await using home = await tempHome();
    const pidFile = path.join(home.path, 'stubborn.pid');
    const result = withEnv({ STUBBORN_PID_FILE: pidFile }, () =>
      runFlow({ file: fixture('stubborn.ts'), home: home.path }),
    );
    const pid = await waitFor('the spinning step', () =>
      fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8') !== ''
        ? Number(fs.readFileSync(pidFile, 'utf8'))
        : undefined,
    );
    metadata(home.path);
    namespace(null);
    const { outcome } = await Run.get('StubbornFlow/1').cancel();
    expect(outcome).toBe('requested');
    const done = await result;
    expect(done.status).toBe('cancelled');
    await waitFor('the stubborn worker to be killed', () => (alive(pid) ? undefined : true));
    await using stores = readHome(home.path);
    const [spin] = await stores.metadata.listTasks(done.run.id, { step: 'spin' });
    expect(spin!.status).toBe('cancelled');
    expect((await stores.metadata.listAttempts(done.run.id, spin!.taskId))[0]!.status).toBe('cancelled');
  });
});
