import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.ts';

/** The layering check of `npm run lint`, run on a fixture tree (its own `src/`). */
function depcruise(fixtureDir: string): { code: number | null; output: string } {
  const r = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
      'src',
      '--config',
      path.join(repoRoot, '.dependency-cruiser.cjs'),
      '--output-type',
      'err',
    ],
    { cwd: path.join(repoRoot, 'test/fixtures/layering', fixtureDir), encoding: 'utf8' },
  );
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('layering check (dependency-cruiser)', () => {
  it('fails on a cycle of value imports and on an upward (type-only) import', () => {
    const r = depcruise('violations');
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/error no-circular: src\/store\/ring-a\.ts →\s+src\/store\/ring-b\.ts/);
    expect(r.output).toContain('error layer-core: src/core/clock.ts → src/runtime/worker.ts');
    expect(r.output).toContain('2 dependency violations');
  });

  it('passes on a tree whose imports only go down the layers (a ring closed by an import type is no cycle)', () => {
    const r = depcruise('clean');
    expect(r.output).toContain('no dependency violations found');
    expect(r.code).toBe(0);
  });
});
