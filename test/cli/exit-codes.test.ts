import { describe, expect, it } from 'vitest';
import { tempHome } from '../../src/testing/index.ts';
import { fixture, runCliSync } from '../helpers.ts';

const cli = (args: string[], home: string) => runCliSync(args, { ...process.env, FLOWTRAIL_HOME: home });

// docs/flows.md: exit 0 when the run completed, 1 when it failed, 2 for invalid input.
describe('exit codes: invalid input exits 2 from every command', () => {
  it.each([
    ['show', 'F/'],
    ['show', 'F//start'],
    ['logs', 'F//start'],
    ['dump', 'F/1/'],
    ['tag', 'list', 'F//'],
  ])('a malformed pathspec: flowtrail %s %s', async (...args) => {
    await using home = await tempHome();
    const r = cli(args, home.path);
    expect(r.stderr).toContain('[INVALID_PATHSPEC]');
    expect(r.code).toBe(2);
  });

  it('an invalid graph, for run and show', async () => {
    await using home = await tempHome();
    for (const command of ['run', 'show']) {
      const r = cli([command, fixture('invalid-graph.ts')], home.path);
      expect(r.stderr).toContain('[INVALID_GRAPH]');
      expect(r.stderr).toContain("Step 'stray' of InvalidGraphFlow is unreachable");
      expect(r.code).toBe(2);
    }
  });

  it('a flow file that defines no flow, for run and show', async () => {
    await using home = await tempHome();
    for (const command of ['run', 'show']) {
      const r = cli([command, fixture('no-flow.ts')], home.path);
      expect(r.stderr).toContain('exports no flow class');
      expect(r.code).toBe(2);
    }
  });

  it('a failed run still exits 1, and a missing run (not input) 1', async () => {
    await using home = await tempHome();
    const missing = cli(['show', 'NoSuchFlow/1'], home.path);
    expect(missing.stderr).toContain('[NOT_FOUND]');
    expect(missing.code).toBe(1);
  });
});
