/**
 * Client read benchmark: `node --import tsx bench/client-read.ts`. Prints figures, asserts nothing.
 *
 * After a 100-task foreach (bench/flows/fanout.ts):
 * - warm: in one process, read the artifact `out` of each of the 100 `work` tasks through the client
 *   API (`for await (const t of Step.get(...)) await t.data.out`), median of 20 passes after a warm-up;
 * - cold: a fresh `node` process that imports the client from dist/ and reads one artifact, whole
 *   process wall time, median of 5 (a bare `node -e 0` is timed alongside for reference).
 * With Metaflow's source at METAFLOW_SRC (default /tmp/metaflow-src) the same reads run in Metaflow's
 * client on the same machine and the ratios are printed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const METAFLOW_SRC = process.env.METAFLOW_SRC ?? '/tmp/metaflow-src';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function wall(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = root): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, cwd, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-client-bench-'));
const env = { ...process.env, FLOWTRAIL_HOME: home };
wall(
  process.execPath,
  [
    path.join(root, 'bin/flowtrail.js'),
    'run',
    path.join(root, 'bench/flows/fanout.ts'),
    '--n',
    '100',
    '--quiet',
  ],
  env,
);

// Warm reads in this process.
const { metadata, Step } = await import(path.join(root, 'dist/index.js'));
metadata(home);
const readAll = async (): Promise<number> => {
  let sum = 0;
  for await (const t of Step.get('FanoutFlow/1/work')) sum += (await t.data.out) as number;
  return sum;
};
if ((await readAll()) !== 9900) throw new Error('wrong sum');
const warm: number[] = [];
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  await readAll();
  warm.push(performance.now() - t0);
}

// Cold: a new process importing the client and reading one artifact.
const script = `import { Step } from ${JSON.stringify(path.join(root, 'dist/index.js'))}; const v = await Step.get('FanoutFlow/1/join').task.data.total; if (v !== 9900) process.exit(3);`;
const cold: number[] = [];
const bare: number[] = [];
for (let i = 0; i < 5; i++) {
  bare.push(wall(process.execPath, ['-e', '0'], env));
  cold.push(wall(process.execPath, ['--input-type=module', '-e', script], env));
}
const results: Record<string, number> = {
  warm_100_reads_ms: median(warm),
  cold_process_ms: median(cold),
  bare_node_ms: median(bare),
};
console.log(`warm: 100 artifact reads (one per foreach task) ${median(warm).toFixed(1)} ms (target ≤ 15 ms)`);
console.log(
  `cold: new process, import client, read one artifact ${median(cold).toFixed(0)} ms (target ≤ 200 ms; bare node -e 0: ${median(bare).toFixed(0)} ms)`,
);

if (fs.existsSync(path.join(METAFLOW_SRC, 'metaflow', '__init__.py'))) {
  const mfDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mf-client-bench-'));
  fs.writeFileSync(
    path.join(mfDir, 'fanout_flow.py'),
    `from metaflow import FlowSpec, step\nclass FanoutFlow(FlowSpec):\n    @step\n    def start(self):\n        self.items = list(range(100))\n        self.next(self.work, foreach='items')\n    @step\n    def work(self):\n        self.out = self.input * 2\n        self.next(self.join)\n    @step\n    def join(self, inputs):\n        self.total = sum(i.out for i in inputs)\n        self.next(self.end)\n    @step\n    def end(self):\n        pass\nif __name__ == '__main__':\n    FanoutFlow()\n`,
  );
  const mfEnv = {
    ...process.env,
    PYTHONPATH: METAFLOW_SRC,
    USERNAME: 'bench',
    METAFLOW_DEFAULT_METADATA: 'local',
  };
  const r = spawnSync('python3', ['fanout_flow.py', 'run'], { cwd: mfDir, env: mfEnv, encoding: 'utf8' });
  if (r.status === 0) {
    const warmPy = `
import time
from metaflow import Flow, Step, namespace
namespace(None)
run = Flow('FanoutFlow').latest_run
p = run.pathspec + '/work'
sum(t.data.out for t in Step(p))
xs = []
for _ in range(5):
    t0 = time.perf_counter(); s = sum(t.data.out for t in Step(p)); xs.append((time.perf_counter() - t0) * 1000)
xs.sort(); print(xs[len(xs)//2])
`;
    const w = spawnSync('python3', ['-c', warmPy], { cwd: mfDir, env: mfEnv, encoding: 'utf8' });
    const mfWarm = Number(w.stdout.trim().split('\n').pop());
    const coldPy = `from metaflow import Flow, namespace\nnamespace(None)\nFlow('FanoutFlow').latest_run.data.total`;
    const mfCold = median([0, 1, 2].map(() => wall('python3', ['-c', coldPy], mfEnv, mfDir)));
    results.metaflow_warm_100_reads_ms = mfWarm;
    results.metaflow_cold_ms = mfCold;
    console.log(
      `metaflow warm: ${mfWarm.toFixed(0)} ms → flowtrail ${(mfWarm / results.warm_100_reads_ms!).toFixed(1)}× faster`,
    );
    console.log(
      `metaflow cold: ${mfCold.toFixed(0)} ms → flowtrail ${(mfCold / results.cold_process_ms!).toFixed(1)}× faster`,
    );
  } else {
    console.log(`metaflow run failed: ${r.stderr.slice(-500)}`);
  }
  fs.rmSync(mfDir, { recursive: true, force: true });
} else {
  console.log(`metaflow: source not found at ${METAFLOW_SRC} — no ratio`);
}
fs.rmSync(home, { recursive: true, force: true });
console.log(JSON.stringify({ bench: 'client-read', ...results }));
