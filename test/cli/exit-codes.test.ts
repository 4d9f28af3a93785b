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
    ['cancel', 'F//'],
  ])('a malformed pathspec: flowtrail %s %s', async (...args) => {
    await using home = await tempHome();
    const r = cli(args, home.path);
    expect(r.stderr).toContain('[INVALID_PATHSPEC]');
    expect(r.code).toBe(2);
  });

  it.each([
    [
      'an invalid graph',
      'invalid-graph.ts',
      "Step 'stray' of InvalidGraphFlow is unreachable",
      '[INVALID_GRAPH]',
    ],
    ['a flow file that defines no flow', 'no-flow.ts', 'exports no flow class', '[FLOW_LOAD]'],
  ])('%s, for run and show', async (_, file, message, code) => {
    await using home = await tempHome();
    for (const command of ['run', 'show']) {
      const r = cli([command, fixture(file)], home.path);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain(code);
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
