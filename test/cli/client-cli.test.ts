/**
 * The CLI's read commands over the client API: `show PATHSPEC`, `logs`, `dump`, `tag`, and their
 * namespace options. Flows run in-process once (beforeAll); each CLI call is a spawned
 * `bin/flowtrail.js`, and independent calls run concurrently to keep the file fast.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUiLink } from '../../src/cli/ui-link.ts';
import { runFlow, type TempHome, tempHome } from '../../src/testing/index.ts';
import { type CliResult, example, fixture, readHome, repoRoot, runCli, withEnv } from '../helpers.ts';

const BIN = path.join(repoRoot, 'bin/flowtrail.js');
const USER = 'tester';

let home: TempHome;

function cliEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FLOWTRAIL_HOME: home.path,
    FLOWTRAIL_USER: USER,
    FLOWTRAIL_PRODUCTION_TOKEN: '',
    ...env,
  };
}

const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  runCli(args, cliEnv(env));

/** Runs a CLI call that must succeed with `--json` and returns the parsed output. */
async function json<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const r = await cli([...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** A CLI call that must fail with one line `flowtrail: … [CODE]` and the given exit code. */
async function fails(
  args: string[],
  code: number,
  errorCode: string,
  message?: string | RegExp,
): Promise<string> {
  const r = await cli(args);
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^flowtrail: .* \\[${errorCode}\\]$`));
  if (message !== undefined) expect(lines[0]).toMatch(message);
  return lines[0]!;
}

interface TaskRow {
  id: string;
  index: number | null;
  status: string;
  successful: boolean;
  attempts: number;
}

beforeAll(async () => {
  home = await tempHome();
  const run = (file: string, env: Record<string, string> = {}, tags: string[] = []) =>
    withEnv({ FLOWTRAIL_USER: USER, FLOWTRAIL_PRODUCTION_TOKEN: undefined, ...env }, () =>
      runFlow({ file, home: home.path, tags }),
    );
  await run(example('foreach.ts'), {}, ['nightly']); // ForeachFlow/1
  await run(fixture('failures.ts'), { FAILURE_MODE: 'retry-exhausted' }); // FailuresFlow/1
  await run(fixture('context.ts')); // ContextFlow/1
  await run(fixture('logs.ts')); // LogsFlow/1 (no gate: runs straight through)
  await run(example('hello.ts')); // HelloFlow/1, tester's
  await run(example('hello.ts'), { FLOWTRAIL_USER: 'other' }); // HelloFlow/2, other's
});

afterAll(async () => {
  await home?.[Symbol.asyncDispose]();
});

describe('flowtrail show PATHSPEC', () => {
  it('Flow: the runs newest first, in the namespace, a page of --limit', async () => {
    const [text, flow, hello, page] = await Promise.all([
      cli(['show', 'ForeachFlow']),
      json<{ flow: string; runs: Record<string, unknown>[]; more: boolean; limit: number }>([
        'show',
        'ForeachFlow',
      ]),
      json<{ runs: { id: string }[]; more: boolean }>(['show', 'HelloFlow', '--all-namespaces']),
      json<{ runs: { id: string }[]; more: boolean; limit: number }>([
        'show',
        'HelloFlow',
        '--all-namespaces',
        '--limit',
        '1',
      ]),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Flow ForeachFlow');
    expect(text.stdout).toMatch(/RUN\s+STATUS\s+CREATED\s+FINISHED\s+DURATION\s+TAGS/);
    expect(text.stdout).toMatch(
      /\n\s+1\s+completed\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+\S+\s+nightly\n/,
    );
    expect(flow).toMatchObject({ flow: 'ForeachFlow', limit: 20, more: false });
    expect(flow.runs).toEqual([
      expect.objectContaining({
        id: '1',
        pathspec: 'ForeachFlow/1',
        status: 'completed',
        tags: ['nightly'],
        createdAt: expect.any(String),
        finishedAt: expect.any(String),
        durationMs: expect.any(Number),
      }),
    ]);
    expect(hello.runs.map((r) => r.id)).toEqual(['2', '1']);
    expect(hello.more).toBe(false);
    expect(page).toMatchObject({ limit: 1, more: true });
    expect(page.runs.map((r) => r.id)).toEqual(['2']);
  });

  it('Run: status, times, parameters, tags, steps with task counts (text and JSON)', async () => {
    const [text, run] = await Promise.all([
      cli(['show', 'ForeachFlow/1']),
      json<{
        status: string;
        tags: string[];
        systemTags: string[];
        parameters: unknown;
        originPathspec: string | null;
        error: unknown;
        durationMs: number;
        steps: Record<string, unknown>[];
      }>(['show', 'ForeachFlow/1']),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Run ForeachFlow/1');
    expect(text.stdout).toMatch(/Status:\s+completed/);
    expect(text.stdout).toMatch(/User tags:\s+nightly/);
    expect(text.stdout).toMatch(/System tags:\s+user:tester, runtime:dev/);
    expect(text.stdout).toMatch(/Origin run:\s+\(none\)/);
    expect(text.stdout).not.toContain('Error:');
    expect(text.stdout).toMatch(/\n\s+score\s+completed\s+3\s+3\s+0\s+0\s+0\s/);
    expect(text.stdout).toMatch(/\n\s+audit\s+completed\s+3\s+3 \(1 caught\)\s+0\s/);
    expect(run).toMatchObject({ status: 'completed', tags: ['nightly'], originPathspec: null, error: null });
    expect(run.systemTags).toContain('user:tester');
    expect(run.parameters).toEqual({});
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(run.steps.map((s) => s.name)).toEqual(['start', 'score', 'audit', 'join', 'end']);
    expect(run.steps[1]).toMatchObject({
      name: 'score',
      status: 'completed',
      tasks: 3,
      completed: 3,
      failed: 0,
    });
    expect(run.steps[2]).toMatchObject({ name: 'audit', tasks: 3, completed: 3, caught: 1 });
  });

  it("prints the run's web UI link: FLOWTRAIL_UI_URL, else the service URL, else the default server address", async () => {
    const [plain, custom, asJson] = await Promise.all([
      cli(['show', 'ForeachFlow/1']),
      cli(['show', 'ForeachFlow/1'], { FLOWTRAIL_UI_URL: 'https://flowtrail.internal/ui/' }),
      json<{ ui: string }>(['show', 'ForeachFlow/1']),
    ]);
    expect(plain.stdout).toMatch(/\n\s+UI:\s+http:\/\/127\.0\.0\.1:8787\/runs\/ForeachFlow\/1\n/);
    expect(custom.stdout).toMatch(/\n\s+UI:\s+https:\/\/flowtrail\.internal\/ui\/runs\/ForeachFlow\/1\n/);
    expect(asJson.ui).toBe('http://127.0.0.1:8787/runs/ForeachFlow/1');
    // Remote mode: the service serves the UI at its root.
    expect(runUiLink('ETLFlow', 3, { FLOWTRAIL_SERVICE_URL: 'http://127.0.0.9:9000/' })).toBe(
      'http://127.0.0.9:9000/runs/ETLFlow/3',
    );
    expect(
      runUiLink('ETLFlow', 3, {
        FLOWTRAIL_SERVICE_URL: 'http://127.0.0.9:9000',
        FLOWTRAIL_UI_URL: 'http://ui:1',
      }),
    ).toBe('http://ui:1/runs/ETLFlow/3');
  });

  it('a failed run: status failed, its error, the failing step; the task shows every attempt with its exception', async () => {
    const [text, run, step] = await Promise.all([
      cli(['show', 'FailuresFlow/1']),
      json<{ status: string; error: { type: string; message: string }; steps: Record<string, unknown>[] }>([
        'show',
        'FailuresFlow/1',
      ]),
      json<{ tasks: TaskRow[] }>(['show', 'FailuresFlow/1/flaky']),
    ]);
    expect(text.stdout).toMatch(/Status:\s+failed/);
    expect(text.stdout).toMatch(/Error:\s+Error: Step 'flaky' .*always failing, attempt 2/);
    expect(text.stdout).toMatch(/\n\s+flaky\s+failed\s+1\s+0\s+1\s/);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ type: 'Error', message: expect.stringContaining("Step 'flaky'") });
    expect(run.steps.map((s) => [s.name, s.status, s.failed])).toEqual([
      ['start', 'completed', 0],
      ['flaky', 'failed', 1],
    ]);
    expect(step.tasks).toEqual([
      expect.objectContaining({ index: null, status: 'failed', successful: false, attempts: 3 }),
    ]);
    const pathspec = `FailuresFlow/1/flaky/${step.tasks[0]!.id}`;
    const [taskText, task] = await Promise.all([
      cli(['show', pathspec]),
      json<{ status: string; successful: boolean; attempts: { status: string; exception: unknown }[] }>([
        'show',
        pathspec,
      ]),
    ]);
    expect(taskText.stdout).toMatch(/Status:\s+failed/);
    expect(taskText.stdout).toMatch(/Successful:\s+no/);
    for (const n of [0, 1, 2])
      expect(taskText.stdout).toMatch(
        new RegExp(`\\n\\s+${n}\\s+failed\\s.*Error: always failing, attempt ${n}\\n`),
      );
    expect(task).toMatchObject({ status: 'failed', successful: false });
    expect(task.attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'failed']);
    expect(task.attempts[1]!.exception).toMatchObject({
      type: 'Error',
      message: 'always failing, attempt 1',
    });
  });

  it('Step: every task of a foreach with index, status, successful, attempts, duration', async () => {
    const [text, step] = await Promise.all([
      cli(['show', 'ForeachFlow/1/score']),
      json<{ pathspec: string; tasks: (TaskRow & { durationMs: number })[] }>([
        'show',
        'ForeachFlow/1/score',
      ]),
    ]);
    expect(text.stdout).toContain('Step ForeachFlow/1/score');
    expect(text.stdout).toContain('Tasks (3):');
    expect(text.stdout).toMatch(/TASK\s+INDEX\s+STATUS\s+SUCCESSFUL\s+ATTEMPTS\s+DURATION/);
    expect(text.stdout).toMatch(/\n\s+\d+\s+1\s+completed\s+yes\s+3\s+\S+\n/);
    expect(step.pathspec).toBe('ForeachFlow/1/score');
    expect(step.tasks.map((t) => [t.index, t.status, t.successful, t.attempts])).toEqual(
      expect.arrayContaining([
        [0, 'completed', true, 1],
        [1, 'completed', true, 3],
        [2, 'completed', true, 1],
      ]),
    );
    expect(step.tasks).toHaveLength(3);
    for (const t of step.tasks) expect(t.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('Task and DataArtifact: status, attempts, environment, artifacts; the artifact metadata', async () => {
    const [text, task, artText, art] = await Promise.all([
      cli(['show', 'ContextFlow/1/start/1']),
      json<{
        status: string;
        successful: boolean;
        index: null;
        originPathspec: null;
        attempts: unknown[];
        environmentInfo: Record<string, unknown>;
        artifacts: { name: string; size: number; encoding: string }[];
      }>(['show', 'ContextFlow/1/start/1']),
      cli(['show', 'ContextFlow/1/start/1/values']),
      json<{ pathspec: string; sha: string; size: number; encoding: string; createdAt: string }>([
        'show',
        'ContextFlow/1/start/1/values',
      ]),
    ]);
    expect(text.stdout).toContain('Task ContextFlow/1/start/1');
    expect(text.stdout).toMatch(/Successful:\s+yes/);
    expect(text.stdout).toMatch(/Foreach index:\s+\(not in a foreach\)/);
    expect(text.stdout).toMatch(/Origin:\s+\(none\)/);
    expect(text.stdout).toMatch(/\n\s+0\s+completed\s/);
    expect(text.stdout).toMatch(/Environment \(attempt 0\):\n\s+node:\s+v\d+/);
    expect(text.stdout).toMatch(/\n\s+values\s+\d+ B\s+msgpackr-v1\n/);
    expect(text.stdout).toContain('Values: flowtrail dump ContextFlow/1/start/1');
    expect(task).toMatchObject({ status: 'completed', successful: true, index: null, originPathspec: null });
    expect(task.attempts).toHaveLength(1);
    expect(task.environmentInfo.node).toMatch(/^v\d+/);
    expect(task.artifacts.map((a) => a.name)).toEqual(['pid', 'seen', 'values']);
    expect(task.artifacts[2]).toMatchObject({ encoding: 'msgpackr-v1', size: expect.any(Number) });
    expect(artText.stdout).toContain('DataArtifact ContextFlow/1/start/1/values');
    expect(artText.stdout).toMatch(/SHA:\s+[0-9a-f]{64}\n/);
    expect(artText.stdout).toMatch(/Encoding:\s+msgpackr-v1/);
    expect(artText.stdout).toContain('flowtrail dump ContextFlow/1/start/1/values');
    expect(art).toMatchObject({ pathspec: 'ContextFlow/1/start/1/values', encoding: 'msgpackr-v1' });
    expect(art.sha).toMatch(/^[0-9a-f]{64}$/);
    expect(art.size).toBe(task.artifacts[2]!.size);
    expect(Date.parse(art.createdAt)).not.toBeNaN();
  });

  it('bad pathspecs (exit 2) and missing objects (exit 1) are the client errors, one line; files still show as flows', async () => {
    await Promise.all([
      fails(['show', 'ForeachFlow/x'], 2, 'INVALID_PATHSPEC', /run id 'x' must be a positive integer/),
      fails(['show', 'A/1/b/2/c/d'], 2, 'INVALID_PATHSPEC', /malformed/),
      fails(['show', 'ForeachFlow/99'], 1, 'NOT_FOUND', /Run\('ForeachFlow\/99'\) does not exist/),
      fails(['show', 'NoSuchFlow'], 1, 'NOT_FOUND', /Flow\('NoSuchFlow'\) does not exist/),
      fails(['show', 'ForeachFlow/1/nostep'], 1, 'NOT_FOUND'),
      fails(['show', 'ForeachFlow/1/start/999'], 1, 'NOT_FOUND'),
      fails(['show', 'ContextFlow/1/start/1/nothing'], 1, 'NOT_FOUND'),
      fails(['show', 'no-such-file.ts'], 2, 'FLOW_LOAD', /no-such-file\.ts does not exist/),
      fails(['show', 'ForeachFlow', '--limit', '0'], 2, 'USAGE', /--limit must be a positive integer/),
    ]);
  });
});

describe('flowtrail logs', () => {
  const stdoutLines = [
    'first line: héllo wörld 🌍',
    'no newline at first... then the rest',
    ...[0, 1, 2, 3, 4].map((i) => `line ${i}`),
    'trailing without newline',
  ];

  it('prints stdout (default), stderr, or both in order with timestamps; a step with one task works', async () => {
    const [out, err, both, step] = await Promise.all([
      cli(['logs', 'LogsFlow/1/start/1']),
      cli(['logs', 'LogsFlow/1/start/1', '--stderr']),
      cli(['logs', 'LogsFlow/1/start/1', '--both', '--timestamps']),
      cli(['logs', 'LogsFlow/1/start']),
    ]);
    expect(out).toEqual({ code: 0, stdout: stdoutLines.map((l) => `${l}\n`).join(''), stderr: '' });
    expect(err).toEqual({ code: 0, stdout: 'an error line: ошибка\n', stderr: '' });
    expect(step.stdout).toBe(out.stdout);
    const parsed = both.stdout
      .trimEnd()
      .split('\n')
      .map((l) => /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) \[(stdout|stderr)\] (.*)$/.exec(l));
    expect(parsed.every(Boolean)).toBe(true);
    expect(parsed.map((m) => [m![2], m![3]])).toEqual([
      ['stdout', stdoutLines[0]],
      ['stderr', 'an error line: ошибка'],
      ...stdoutLines.slice(1).map((l) => ['stdout', l]),
    ]);
    const times = parsed.map((m) => Date.parse(m![1]!));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
  });

  it('--json gives [{ timestamp, stream, line }]; --both without --timestamps marks the streams', async () => {
    const [lines, stderrOnly, both] = await Promise.all([
      json<{ timestamp: string; stream: string; line: string }[]>(['logs', 'LogsFlow/1/start/1', '--both']),
      json<{ stream: string; line: string }[]>(['logs', 'LogsFlow/1/start/1', '--stderr']),
      cli(['logs', 'LogsFlow/1/start/1', '--both']),
    ]);
    expect(lines).toHaveLength(9);
    expect(lines[1]).toEqual({
      timestamp: expect.any(String),
      stream: 'stderr',
      line: 'an error line: ошибка',
    });
    expect(lines.map((l) => l.line)).toEqual([
      stdoutLines[0],
      'an error line: ошибка',
      ...stdoutLines.slice(1),
    ]);
    for (const l of lines) expect(new Date(l.timestamp).toISOString()).toBe(l.timestamp);
    expect(stderrOnly).toEqual([
      expect.objectContaining({ stream: 'stderr', line: 'an error line: ошибка' }),
    ]);
    expect(both.stdout.split('\n').slice(0, 2)).toEqual([
      `[stdout] ${stdoutLines[0]}`,
      '[stderr] an error line: ошибка',
    ]);
  });

  it('--attempt picks an attempt; a finished task with --follow prints everything (NDJSON with --json) and exits', async () => {
    const [attempt0, final, follow] = await Promise.all([
      cli(['logs', 'FailuresFlow/1/flaky', '--stderr', '--attempt', '0']),
      cli(['logs', 'FailuresFlow/1/flaky', '--stderr']),
      cli(['logs', 'LogsFlow/1/start/1', '--follow', '--json']),
      fails(['logs', 'FailuresFlow/1/flaky', '--attempt', '7'], 1, 'NOT_FOUND', /has no attempt 7/),
      fails(['logs', 'FailuresFlow/1/flaky', '--attempt', 'first'], 2, 'USAGE', /--attempt must be/),
    ]);
    expect(attempt0.code).toBe(0);
    expect(attempt0.stdout).toContain('Error: always failing, attempt 0');
    expect(attempt0.stdout).not.toContain('attempt 2');
    expect(final.stdout).toContain('Error: always failing, attempt 2');
    expect(follow.code).toBe(0);
    const objects = follow.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: string; stream: string });
    expect(objects.map((o) => o.line)).toEqual(stdoutLines);
  });

  it('a step with several tasks is an error listing task ids; other pathspec levels are refused', async () => {
    const step = await json<{ tasks: TaskRow[] }>(['show', 'ForeachFlow/1/score']);
    const message = await fails(['logs', 'ForeachFlow/1/score'], 2, 'USAGE', /has 3 tasks; pick one/);
    for (const t of step.tasks) expect(message).toContain(`ForeachFlow/1/score/${t.id}`);
    await Promise.all([
      fails(['logs', 'ForeachFlow/1'], 2, 'USAGE', /task pathspec/),
      fails(['logs', 'ForeachFlow/1/nostep'], 1, 'NOT_FOUND'),
      fails(['logs', 'ForeachFlow/1/score/x'], 2, 'INVALID_PATHSPEC'),
    ]);
  });

  it('--follow prints the lines of a running task as they come and exits 0 when it finishes', async () => {
    const gate = path.join(home.path, 'follow-gate');
    const children: ChildProcess[] = [];
    const exited = (child: ChildProcess) =>
      new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.once('close', (code) => resolve(code));
      });
    try {
      const runner = spawn(process.execPath, [BIN, 'run', fixture('follow-gate.ts'), '--quiet'], {
        env: cliEnv({ FOLLOW_GATE_FILE: gate }),
        stdio: 'ignore',
      });
      children.push(runner);
      // Wait until the run's `start` task exists (read through the store, like any observer would).
      {
        await using stores = readHome(home.path);
        const deadline = Date.now() + 30_000;
        for (;;) {
          const run = await stores.metadata.latestRun({ flow: 'FollowGateFlow' });
          const tasks = run ? await stores.metadata.listTasks(run.id, { step: 'start' }) : [];
          if (tasks.length > 0) break;
          if (Date.now() > deadline) throw new Error('the FollowGateFlow start task never appeared');
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      const follower = spawn(process.execPath, [BIN, 'logs', 'FollowGateFlow/1/start/1', '--follow'], {
        env: cliEnv(),
      });
      children.push(follower);
      let out = '';
      let err = '';
      follower.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
      follower.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
      const deadline = Date.now() + 60_000;
      while (!out.includes('before the gate') && Date.now() < deadline && follower.exitCode === null)
        await new Promise((r) => setTimeout(r, 50));
      expect(out, `follower exit ${follower.exitCode}, stderr: ${err}`).toBe('before the gate\n');
      expect(follower.exitCode).toBeNull(); // still following: the task waits at the gate

      const running = await json<{ status: string; steps: { name: string; running: number }[] }>([
        'show',
        'FollowGateFlow/1',
      ]);
      expect(running.status).toBe('running');
      expect(running.steps.find((s) => s.name === 'start')).toMatchObject({ running: 1 });

      fs.writeFileSync(gate, '');
      expect(await exited(follower)).toBe(0);
      expect(out).toBe('before the gate\nafter the gate\n');
      expect(err).toBe('');
      expect(await exited(runner)).toBe(0);
    } finally {
      for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid);
    }
  });
});

describe('flowtrail dump', () => {
  it('a task: every artifact as name = value, Map/Set/BigInt/Buffer readable; a one-task step works alike', async () => {
    const [task, step] = await Promise.all([
      cli(['dump', 'ContextFlow/1/start/1']),
      cli(['dump', 'ContextFlow/1/start']),
    ]);
    expect(task.code).toBe(0);
    expect(task.stdout).toMatch(/^pid = \d+\n/);
    expect(task.stdout).toContain("seen = {\n  flowName: 'ContextFlow',");
    expect(task.stdout).toContain("map: Map(1) { 'a' => 1 }");
    expect(task.stdout).toContain('set: Set(2) { 1, 2 }');
    expect(task.stdout).toContain('big: 1180591620717411303424n');
    expect(task.stdout).toContain('bytes: <Buffer 72 61 77 20 62 79 74 65 73>');
    expect(task.stdout).toContain('when: 1970-01-01T00:00:00.000Z');
    expect(step.stdout).toBe(task.stdout);
  });

  it('--json keeps types recognisable ($map, $set, $bigint, $bytes, $date, $typedArray)', async () => {
    const [artifact, task] = await Promise.all([
      json<{ pathspec: string; name: string; value: Record<string, unknown> }>([
        'dump',
        'ContextFlow/1/start/1/values',
      ]),
      json<{ pathspec: string; artifacts: Record<string, unknown> }>(['dump', 'ContextFlow/1/start']),
    ]);
    expect(artifact.pathspec).toBe('ContextFlow/1/start/1/values');
    expect(artifact.value).toEqual({
      map: { $map: [['a', 1]] },
      set: { $set: [1, 2] },
      when: { $date: '1970-01-01T00:00:00.000Z' },
      big: { $bigint: (2n ** 70n).toString() },
      floats: { $typedArray: 'Float64Array', length: 2, values: [1.5, 2.5] },
      bytes: { $bytes: 9, base64: Buffer.from('raw bytes').toString('base64') },
      nested: { list: [1, { deep: true }] },
    });
    expect(task.pathspec).toBe('ContextFlow/1/start/1');
    expect(Object.keys(task.artifacts)).toEqual(['pid', 'seen', 'values']);
    expect(task.artifacts.values).toEqual(artifact.value);
  });

  it('--max-length cuts long values and says so; bad targets are errors', async () => {
    const [cutJson, cutText, artifactText] = await Promise.all([
      json<{ value: { bytes: unknown; seen: unknown } }>([
        'dump',
        'ContextFlow/1/start/1/values',
        '--max-length',
        '4',
      ]),
      cli(['dump', 'ContextFlow/1/start/1/seen', '--max-length', '20']),
      cli(['dump', 'ContextFlow/1/start/1/seen']),
      fails(['dump', 'ForeachFlow/1/score'], 2, 'USAGE', /has 3 tasks; pick one/),
      fails(['dump', 'ForeachFlow/1'], 2, 'USAGE', /takes a task pathspec/),
      fails(['dump', 'ContextFlow/1/start/1/nothing'], 1, 'NOT_FOUND'),
      fails(['dump', 'ContextFlow/1/start/1', '--max-length', '-1'], 2, 'USAGE'),
    ]);
    expect(cutJson.value.bytes).toEqual({ $bytes: 9, base64: 'cmF3', truncated: true });
    expect(artifactText.stdout.startsWith("{\n  flowName: 'ContextFlow',")).toBe(true);
    expect(cutText.stdout).toBe(
      `${artifactText.stdout.slice(0, 20)}… (truncated at 20 characters; --max-length 0 shows everything)\n`,
    );
  });
});

describe('flowtrail tag', () => {
  it('add, remove, replace (both forms) and list print the resulting user tags', async () => {
    expect(await cli(['tag', 'add', 'HelloFlow/1', 'a', 'b', 'c'])).toEqual({
      code: 0,
      stdout: 'a\nb\nc\n',
      stderr: '',
    });
    expect((await cli(['tag', 'remove', 'HelloFlow/1', 'a'])).stdout).toBe('b\nc\n');
    expect((await cli(['tag', 'replace', 'HelloFlow/1', 'b', 'bee'])).stdout).toBe('c\nbee\n');
    const replaced = await json<{ pathspec: string; tags: string[]; systemTags: string[] }>([
      'tag',
      'replace',
      'HelloFlow/1',
      '--remove',
      'c',
      'bee',
      '--add',
      'd',
      'e',
    ]);
    expect(replaced).toMatchObject({ pathspec: 'HelloFlow/1', tags: ['d', 'e'] });
    expect(replaced.systemTags).toContain('user:tester');
    const [list, listJson, shown] = await Promise.all([
      cli(['tag', 'list', 'HelloFlow/1']),
      json<{ tags: string[] }>(['tag', 'list', 'HelloFlow/1']),
      json<{ tags: string[] }>(['show', 'HelloFlow/1']),
    ]);
    expect(list.stdout).toBe('d\ne\n');
    expect(listJson.tags).toEqual(['d', 'e']);
    expect(shown.tags).toEqual(['d', 'e']);
    expect((await json<{ tags: string[] }>(['tag', 'add', 'HelloFlow/1', 'f'])).tags).toEqual([
      'd',
      'e',
      'f',
    ]);
    expect((await json<{ tags: string[] }>(['tag', 'remove', 'HelloFlow/1', 'd', 'e', 'f'])).tags).toEqual(
      [],
    );
    expect(await cli(['tag', 'list', 'HelloFlow/1'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('validation errors exit 2 and change nothing; bad runs are client errors', async () => {
    await Promise.all([
      fails(['tag', 'add', 'ForeachFlow/1', ''], 2, 'VALIDATION', /must not be empty/),
      fails(['tag', 'add', 'ForeachFlow/1', 'x'.repeat(501)], 2, 'VALIDATION', /at most 500/),
      fails(
        ['tag', 'remove', 'ForeachFlow/1', 'nightly', 'user:tester'],
        2,
        'VALIDATION',
        /Cannot remove system tag/,
      ),
      fails(['tag', 'replace', 'ForeachFlow/1', 'only-one'], 2, 'USAGE', /OLD NEW/),
      fails(['tag', 'replace', 'ForeachFlow/1', 'a', '--add', 'b'], 2, 'USAGE', /not both/),
      fails(['tag', 'list', 'ForeachFlow'], 2, 'INVALID_PATHSPEC'),
      fails(['tag', 'add', 'ForeachFlow/42', 'x'], 1, 'NOT_FOUND'),
    ]);
    const missingTags = await cli(['tag', 'add', 'ForeachFlow/1']);
    expect(missingTags.code).toBe(2);
    expect(missingTags.stderr).toContain("missing required argument 'tags'");
    expect((await json<{ tags: string[] }>(['tag', 'list', 'ForeachFlow/1'])).tags).toEqual(['nightly']);
  });
});

describe('namespace options', () => {
  it('default: your own namespace; --namespace NS switches; --all-namespaces sees everything', async () => {
    const [mine, all, others, otherRunAll] = await Promise.all([
      json<{ runs: { id: string }[] }>(['show', 'HelloFlow']),
      json<{ runs: { id: string }[] }>(['show', 'HelloFlow', '--all-namespaces']),
      json<{ runs: { id: string }[] }>(['show', 'HelloFlow', '--namespace', 'user:other']),
      json<{ status: string; systemTags: string[] }>(['show', 'HelloFlow/2', '--all-namespaces']),
      fails(
        ['show', 'HelloFlow/2'],
        1,
        'NAMESPACE_MISMATCH',
        /not in the current namespace 'user:tester'.*--all-namespaces/,
      ),
      fails(['show', 'ForeachFlow/1', '--namespace', 'user:other'], 1, 'NAMESPACE_MISMATCH', /'user:other'/),
      fails(['show', 'ForeachFlow', '--namespace', 'user:other'], 1, 'NAMESPACE_MISMATCH'),
      fails(['show', 'HelloFlow', '--namespace', 'user:other', '--all-namespaces'], 2, 'USAGE', /not both/),
    ]);
    expect(mine.runs.map((r) => r.id)).toEqual(['1']);
    expect(all.runs.map((r) => r.id)).toEqual(['2', '1']);
    expect(others.runs.map((r) => r.id)).toEqual(['2']);
    expect(otherRunAll.status).toBe('completed');
    expect(otherRunAll.systemTags).toContain('user:other');
  });

  it('logs, dump and tag take the namespace options too', async () => {
    const end = await json<{ tasks: { id: string }[] }>(['show', 'HelloFlow/2/end', '--all-namespaces']);
    const endTask = `HelloFlow/2/end/${end.tasks[0]!.id}`;
    const [logs, logsOther, dumped] = await Promise.all([
      cli(['logs', 'HelloFlow/2/hello', '--all-namespaces']),
      cli(['logs', 'HelloFlow/2/hello', '--namespace', 'user:other']),
      json<{ artifacts: Record<string, unknown> }>(['dump', endTask, '--namespace', 'user:other']),
      fails(['dump', endTask], 1, 'NAMESPACE_MISMATCH'),
      fails(['tag', 'list', 'HelloFlow/2'], 1, 'NAMESPACE_MISMATCH'),
      fails(['logs', 'HelloFlow/2/hello'], 1, 'NAMESPACE_MISMATCH'),
    ]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('Hello from Flowtrail');
    expect(logsOther.stdout).toBe(logs.stdout);
    expect(Object.keys(dumped.artifacts).length).toBeGreaterThan(0);
    expect(
      (await json<{ tags: string[] }>(['tag', 'add', 'HelloFlow/2', 'seen', '--all-namespaces'])).tags,
    ).toEqual(['seen']);
    expect(
      (await json<{ tags: string[] }>(['tag', 'list', 'HelloFlow/2', '--namespace', 'user:other'])).tags,
    ).toEqual(['seen']);
  });
});

describe('help', () => {
  it('documents the read commands and their options', async () => {
    const [top, show, logs, dump, tag] = await Promise.all([
      cli(['--help']),
      cli(['show', '--help']),
      cli(['logs', '--help']),
      cli(['dump', '--help']),
      cli(['tag', 'replace', '--help']),
    ]);
    for (const name of ['show', 'logs', 'dump', 'tag'])
      expect(top.stdout).toMatch(new RegExp(`\\n\\s+${name} `));
    expect(show.stdout).toContain('--limit <n>');
    expect(show.stdout).toContain('--all-namespaces');
    for (const flag of [
      '--stderr',
      '--both',
      '--timestamps',
      '--attempt <k>',
      '--follow',
      '--json',
      '--namespace <ns>',
    ])
      expect(logs.stdout).toContain(flag);
    expect(dump.stdout).toContain('--max-length <n>');
    expect(tag.stdout).toContain('--remove <tags...>');
  });
});
