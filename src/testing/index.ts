/**
 * Helpers for testing flows (also used by Flowtrail's own tests): a throw-away home directory and
 * running a flow in-process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type { RunResult } from '../runtime/execute-run.ts';
export { resumeRun } from '../runtime/resume-run.ts';
export { runFlow } from '../runtime/run-flow.ts';
export { openEmbeddedStores, type Stores } from '../store/embedded.ts';

/** A temporary Flowtrail home, removed on dispose. */
export interface TempHome extends AsyncDisposable {
  path: string;
}

/**
 * @example
 * await using home = await tempHome();
 * await runFlow({ file: 'examples/hello.ts', home: home.path });
 */
export async function tempHome(prefix = 'flowtrail-test-'): Promise<TempHome> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
  return {
    path: dir,
    async [Symbol.asyncDispose]() {
      await fs.promises.rm(dir, { recursive: true, force: true });
    },
  };
}
