/**
 * The foreach example run by the real CLI and read back by the client API in a second process —
 * the same test in local mode and in remote mode (through a server on SQLite and on PostgreSQL):
 * every mode must see exactly the same run.
 */
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { example, repoRoot } from '../helpers.ts';
import { postgresTests } from '../store/postgres-test-db.ts';
import { postgresDatabases, startTestServer, type TestServer } from './server-fixture.ts';

const exec = promisify(execFile);

/** The environment of a child process: ours without any Flowtrail setting, plus `vars`. */
function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('FLOWTRAIL_')) env[k] = v;
  return { ...env, FLOWTRAIL_USER: 'remote-tester', ...vars };
}

async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await exec(process.execPath, [path.join(repoRoot, 'bin/flowtrail.js'), ...args], {
    env,
    cwd: repoRoot,
    timeout: 120_000,
  });
  return stdout;
}

async function inspect(env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const { stdout } = await exec(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'test/server/fixtures/inspect-foreach.ts')],
    { env, cwd: repoRoot, timeout: 120_000 },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}

const scoreTask = (item: string, points: number, attempts: string[]) => ({
  successful: true,
  artifacts: ['item', 'items', 'points'],
  item,
  points,
  attempts,
  stdout: `scored ${item} = ${points} (attempt ${attempts.length - 1})`,
});

/** What local mode saw: every remote mode must see exactly the same. */
let localView: Record<string, unknown> | undefined;

type Mode = 'local' | 'remote → sqlite' | 'remote → postgres';

function describeMode(mode: Mode, database?: () => string): void {
  describe(`the foreach example, ${mode}`, () => {
    let dir: string;
    let server: TestServer | undefined;
    let seen: Record<string, unknown>;

    beforeAll(async () => {
      dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-remote-'));
      const home = path.join(dir, 'client-home');
      let runEnv: NodeJS.ProcessEnv;
      let readEnv: NodeJS.ProcessEnv;
      if (mode === 'local') {
        runEnv = readEnv = childEnv({ FLOWTRAIL_HOME: home });
      } else {
        server = await startTestServer({
          dir: path.join(dir, 'server'),
          ...(database ? { database: database() } : {}),
        });
        const remote = { FLOWTRAIL_SERVICE_URL: server.server.url, FLOWTRAIL_HOME: home };
        // The run writes artifacts to the store the server reads (a shared directory here; S3 in a team).
        runEnv = childEnv({
          ...remote,
          FLOWTRAIL_API_KEY: server.keys.write,
          FLOWTRAIL_ARTIFACTS: path.join(dir, 'server', 'artifacts'),
        });
        readEnv = childEnv({ ...remote, FLOWTRAIL_API_KEY: server.keys.read });
      }
      await runCli(['run', example('foreach.ts'), '--quiet'], runEnv);
      seen = await inspect(readEnv);
    }, 180_000);

    afterAll(async () => {
      await server?.stop();
      await fsp.rm(dir, { recursive: true, force: true });
    });

    it('the client in another process sees the same run', () => {
      expect(seen.provider).toBe(mode === 'local' ? 'local' : 'service');
      expect(seen).toMatchObject({
        pathspec: 'ForeachFlow/1',
        successful: true,
        finished: true,
        scores: [1, 2, 3],
        failures: 1,
      });
      const steps = seen.steps as Record<string, unknown[]>;
      expect(Object.keys(steps).sort()).toEqual(['audit', 'end', 'join', 'score', 'start']);
      expect(steps.score).toEqual([
        scoreTask('a', 1, ['completed']),
        scoreTask('b', 2, ['failed', 'failed', 'completed']),
        scoreTask('c', 3, ['completed']),
      ]);
      const auditErrors = (steps.audit as { auditError?: string }[])
        .map((t) => t.auditError ?? 'none')
        .sort();
      expect(auditErrors).toEqual(['audit refused item c', 'none', 'none']);
      expect((steps.end as { stdout: string }[])[0]!.stdout).toBe('scores=1,2,3 failures=1');
    });

    it('lifecycle events are there: run, steps, tasks (with the retries), artifacts', () => {
      const events = seen.events as string[];
      const count = (name: string) => events.filter((e) => e === name).length;
      expect(count('flowtrail.run.started')).toBe(1);
      expect(count('flowtrail.run.completed')).toBe(1);
      expect(count('flowtrail.task.retrying')).toBe(2);
      expect(count('flowtrail.step.completed')).toBe(5);
    });

    it(mode === 'local' ? 'is the reference view' : 'sees exactly what local mode saw', () => {
      const { provider: _provider, ...view } = seen;
      if (mode === 'local') localView = view;
      else expect(view).toEqual(localView);
    });
  });
}

describeMode('local');
describeMode('remote → sqlite');
postgresTests('remote mode on PostgreSQL', (db) => describeMode('remote → postgres', postgresDatabases(db)));
