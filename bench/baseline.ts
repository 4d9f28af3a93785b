/**
 * A built checkout of an earlier commit, so a benchmark can print its figures as ratios against
 * that commit measured in the same run (the machine is shared and noisy: figures from different
 * runs do not compare).
 *
 * `BENCH_BASELINE=<git revision>` picks the commit (default `HEAD`, i.e. the last commit when the
 * change under test is still uncommitted). The checkout is extracted with `git archive` into the
 * temp folder once per commit, shares this checkout's `node_modules`, and is built with its own
 * `scripts/build.mjs`. `BENCH_BASELINE=none` turns the comparison off.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Baseline {
  /** The commit's full sha. */
  readonly sha: string;
  /** The commit's short sha, for printing. */
  readonly label: string;
  /** Root of the built checkout (has `bin/flowtrail.js`, `src/`, `dist/`). */
  readonly dir: string;
}

/** The baseline checkout named by `BENCH_BASELINE`, built on first use; null when turned off. */
export function baselineCheckout(rev = process.env.BENCH_BASELINE ?? 'HEAD'): Baseline | null {
  if (rev === 'none') return null;
  const sha = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], {
    cwd: root,
    encoding: 'utf8',
  }).trim();
  const dir = path.join(os.tmpdir(), `flowtrail-baseline-${sha.slice(0, 12)}`);
  if (!fs.existsSync(path.join(dir, '.built'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', sha], { cwd: root, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'inherit' });
    fs.writeFileSync(path.join(dir, '.built'), `${sha}\n`);
  }
  return { sha, label: sha.slice(0, 7), dir };
}

/**
 * Every baseline named by `BENCH_BASELINE`, which may list several revisions separated by commas
 * (e.g. the commit before a change and the branch point): each built as {@link baselineCheckout}.
 */
export function baselineCheckouts(revs = process.env.BENCH_BASELINE ?? 'HEAD'): Baseline[] {
  return revs
    .split(',')
    .map((rev) => baselineCheckout(rev.trim()))
    .filter((b): b is Baseline => b !== null);
}

/** "1.84× (baseline 93771c6)": how many times faster `current` is than `baseline` (times in any unit). */
export function speedup(baseline: number, current: number, label: string): string {
  return `${(baseline / current).toFixed(2)}× faster than ${label}`;
}
