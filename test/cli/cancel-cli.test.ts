/**
 * `flowtrail cancel RUN`: exit 0 for a cancelled (or already cancelled) run, 1 for one that already
 * ended otherwise, 2 for a pathspec that is not `Flow/N`. The runs here have no live orchestrator,
 * so the cancel applies at once (an orchestrated run is cancelled in test/runtime/cancel.test.ts).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStores, type TempHome, tempHome } from '../../src/testing/index.ts';
import { newRunRecord, runCli } from '../helpers.ts';

const USER = 'tester';
let home: TempHome;

const cli = (args: string[]) =>
  runCli(args, { ...process.env, FLOWTRAIL_HOME: home.path, FLOWTRAIL_USER: USER });

beforeAll(async () => {
  home = await tempHome();
  await using stores = openEmbeddedStores(home.path);
  const gone = spawnSync(process.execPath, ['-e', '']).pid!;
  for (let i = 0; i < 3; i++)
    await stores.metadata.createRun(
      newRunRecord('JobFlow', {
        systemTags: [`user:${USER}`],
        orchestratorPid: gone,
        orchestratorHost: os.hostname(),
      }),
    );
  const done = (await stores.metadata.getRun('JobFlow', 3))!;
  await stores.metadata.write([
    { op: 'run.update', runId: done.id, patch: { status: 'completed', finishedAt: Date.now() } },
  ]);
});

afterAll(async () => {
  await home[Symbol.asyncDispose]();
});

describe('flowtrail cancel', () => {
  it('cancels a run (exit 0), and again is a no-op (exit 0)', async () => {
    const r = await cli(['cancel', 'JobFlow/1', '--reason', 'not needed']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Run JobFlow/1 cancelled (its orchestrator was gone)');
    expect(r.stdout).toContain('flowtrail resume JobFlow/1');
    const again = await cli(['cancel', 'JobFlow/1', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      pathspec: 'JobFlow/1',
      outcome: 'already-cancelled',
      status: 'cancelled',
    });
    const shown = await cli(['show', 'JobFlow/1', '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ status: 'cancelled', error: { type: 'RunCancelled' } });
    await using stores = openEmbeddedStores(home.path);
    expect((await stores.metadata.getRun('JobFlow', 1))?.cancelRequest).toMatchObject({
      by: USER,
      reason: 'not needed',
    });
  });

  it('--no-wait returns once the cancel is recorded', async () => {
    const r = await cli(['cancel', 'JobFlow/2', '--no-wait', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ pathspec: 'JobFlow/2', status: 'cancelled' });
  });

  it('a finished run is a conflict (exit 1) naming its status', async () => {
    const r = await cli(['cancel', 'JobFlow/3']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^flowtrail: Run JobFlow\/3 already completed; .* \[CONFLICT\]\n$/);
  });

  it('a pathspec that is not a run exits 2; an unknown run 1', async () => {
    for (const bad of ['JobFlow', 'JobFlow/1/start', 'not a/pathspec']) {
      const r = await cli(['cancel', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/\[INVALID_PATHSPEC\]\n$/);
    }
    const missing = await cli(['cancel', 'JobFlow/99']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\[NOT_FOUND\]\n$/);
  });
});
