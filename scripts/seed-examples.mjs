// Runs the examples into a Flowtrail home whose store has no flows yet: hello, params, branch, the
// foreach (retries and a caught failure), and the trigger chain (ETLFlow → TrainingFlow →
// PredictionFlow, deployed and started by a `data_updated` event through a real trigger engine).
// Used by `npm start` (scripts/start.mjs) and by the web UI's tests. Exported so both share it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'flowtrail.js');

const execFileAsync = promisify(execFile);

/** Runs the CLI without blocking this process (a server in it must keep answering). */
async function cli(args, env) {
  return (await execFileAsync(process.execPath, [bin, ...args], { env, cwd: root, encoding: 'utf8' })).stdout;
}

/** The `show --json` output of a flow's runs, or null while the flow has none. */
async function flowRuns(home, flow) {
  try {
    return await cli(['show', flow, '--json', '--all-namespaces'], { ...process.env, FLOWTRAIL_HOME: home });
  } catch {
    return null;
  }
}

/** Whether the home's store holds any flow. */
export async function homeHasFlows(home) {
  const file = path.join(home, 'flowtrail.db');
  if (!fs.existsSync(file)) return false;
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'flows'").get() !==
        undefined && db.prepare('SELECT count(*) AS n FROM flows').get().n > 0
    );
  } finally {
    db.close();
  }
}

/**
 * Runs the examples into `home`. The chain needs the trigger engine: `startEngine(home)` must start
 * a server on that home and resolve to a function that stops it (the caller's, so tests and
 * `npm start` choose their own port and logging).
 */
export async function seedExamples(home, { log = () => {}, withChain } = {}) {
  const env = { ...process.env, FLOWTRAIL_HOME: home, FLOWTRAIL_USER: process.env.FLOWTRAIL_USER ?? 'demo' };
  for (const [file, args] of [
    ['examples/hello.ts', []],
    ['examples/params.ts', ['--alpha', '0.5', '--dataset', 'sales', '--config', '{"layers":[4,2]}']],
    ['examples/branch.ts', []],
  ]) {
    log(`running ${file}`);
    await cli(['run', file, ...args], env);
  }
  log('running examples/foreach.ts (retries, and a caught failure)');
  try {
    await cli(['run', 'examples/foreach.ts', '--tag', 'demo'], env);
  } catch (e) {
    // A failed run is also worth showing; it is stored either way.
    log(
      `examples/foreach.ts ended with an error: ${String(e.stderr ?? e.message)
        .trim()
        .split('\n')
        .pop()}`,
    );
  }
  if (withChain) {
    log('deploying the trigger chain (examples/chain)');
    await cli(
      ['deploy', 'examples/chain/etl.ts', 'examples/chain/training.ts', 'examples/chain/prediction.ts'],
      env,
    );
    await withChain(async () => {
      log('emitting data_updated (ETLFlow → TrainingFlow → PredictionFlow)');
      await cli(
        [
          'events',
          'emit',
          'data_updated',
          '--resource-id',
          'dataset.orders',
          '--payload',
          '{"table":"orders"}',
        ],
        env,
      );
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const out = await flowRuns(home, 'PredictionFlow');
        if (out && /"status":\s*"(completed|failed)"/.test(out)) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error('The trigger chain did not reach PredictionFlow within 60 s.');
    });
  }
}
