/** Runs a flow file into a UI test home with the CLI, as a user would, in the foreground or background. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../helpers.ts';

export const TEST_FLOWS = path.join(repoRoot, 'test', 'web', 'fixtures', 'flows');

export interface CliRunOptions {
  env?: Record<string, string>;
  args?: readonly string[];
}

export function startCliRun(home: string, file: string, options: CliRunOptions = {}): ChildProcess {
  return spawn(
    process.execPath,
    [path.join(repoRoot, 'bin', 'flowtrail.js'), 'run', file, ...(options.args ?? [])],
    {
      cwd: repoRoot,
      env: { ...process.env, FLOWTRAIL_HOME: home, FLOWTRAIL_USER: 'tester', ...options.env },
      // stdout is not read: a pipe nobody drains would stop the run once its buffer fills.
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
}

/** Runs to the end; rejects with the CLI's stderr when it fails. */
export function cliRun(home: string, file: string, options: CliRunOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = startCliRun(home, file, options);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`flowtrail run ${file} exited ${code}: ${err}`)),
    );
  });
}
