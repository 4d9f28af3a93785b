import { describe, expect, it } from 'vitest';
import { tempHome } from '../../src/testing/index.ts';
import { example, fixture, runCliSync } from '../helpers.ts';

const cli = (args: string[], home: string, env: Record<string, string> = {}) =>
  runCliSync(args, { ...process.env, FLOWTRAIL_HOME: home, ...env });

describe('flowtrail CLI', () => {
  it('runs the hello example and prints progress and the run id', async () => {
    await using home = await tempHome();
    const r = cli(['run', example('hello.ts')], home.path);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Run HelloFlow/1 started');
    expect(r.stdout).toMatch(/\[hello\/2\] Hello from Flowtrail, says hello/);
    expect(r.stdout).toContain('Run HelloFlow/1 completed');
  });

  it('passes --param values, tags and --json output', async () => {
    await using home = await tempHome();
    const r = cli(
      [
        'run',
        example('params.ts'),
        '--dataset',
        'sales',
        '--alpha=0.25',
        '--config',
        '{"layers":[3]}',
        '--tag',
        'a',
        'b',
        '--json',
      ],
      home.path,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      pathspec: 'ParamsFlow/1',
      status: 'completed',
      runNumber: 1,
      error: null,
    });
  });

  it('bad input is a clear one-line error with a non-zero exit, never a stack dump', async () => {
    await using home = await tempHome();
    const missing = cli(['run', example('params.ts')], home.path);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(
      'flowtrail: Parameter --dataset is required (dataset name); pass --dataset <value>. [INVALID_PARAMETER]',
    );
    // A flow file that does not exist is invalid input too (FLOW_LOAD, exit 2: cli/exit-codes.ts).
    const nofile = cli(['run', 'does-not-exist.ts'], home.path);
    expect(nofile.code).toBe(2);
    expect(nofile.stderr).toContain('Flow file does-not-exist.ts does not exist');
    expect(nofile.stderr).not.toContain('    at ');
    const workers = cli(['run', example('hello.ts'), '--max-workers', 'zero'], home.path);
    expect(workers.code).toBe(2);
    expect(workers.stderr).toContain('--max-workers must be a positive integer');
  });

  it('a failed run exits 1 and names the failing step', async () => {
    await using home = await tempHome();
    const r = cli(['run', fixture('failures.ts')], home.path, { FAILURE_MODE: 'retry-exhausted' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Run FailuresFlow/1 failed: Step 'flaky'");
  });

  it('show FILE prints the graph, parameters and triggers (text and JSON)', async () => {
    await using home = await tempHome();
    const text = cli(['show', example('foreach.ts')], home.path);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Flow ForeachFlow');
    expect(text.stdout).toContain('start [foreach] → score (foreach items)');
    expect(text.stdout).toContain('score [linear] → audit  {retry ×2}');
    expect(text.stdout).toContain('audit [linear] → join  {catch → auditError}');
    expect(text.stdout).toContain('join [join] → end');
    const json = JSON.parse(cli(['show', example('params.ts'), '--json'], home.path).stdout);
    expect(json.parameters).toContainEqual(
      expect.objectContaining({ name: 'alpha', cliName: 'alpha', type: 'number', default: 0.01 }),
    );
    expect(json.triggers).toBeNull();
  });

  it('resume finishes the latest run', async () => {
    await using home = await tempHome();
    const failed = cli(['run', fixture('failures.ts'), '--quiet'], home.path, { FAILURE_MODE: 'catch' });
    expect(failed.code).toBe(0);
    const resumed = cli(['resume', '--json'], home.path, { FAILURE_MODE: 'catch' });
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ pathspec: 'FailuresFlow/2', status: 'completed' });
  });
});
