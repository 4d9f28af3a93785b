/**
 * Fan-out benchmark: `node --import tsx bench/fanout.ts`. Prints figures, asserts nothing.
 *
 * Whole `flowtrail run` wall time (process start to exit) of a foreach over N trivial tasks
 * (bench/flows/fanout.ts), N = 100 and 1,000 (median of BENCH_RUNS, default 3), and the
 * orchestrator's peak RSS for N = 10,000. When Metaflow's source is available (METAFLOW_SRC, default
 * /tmp/metaflow-src: a checkout of Netflix/metaflow) the same 100-task foreach runs with Metaflow in
 * the same session and the ratio is printed. Needs `npm run build` (dist/) first.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const METAFLOW_SRC = process.env.METAFLOW_SRC ?? '/tmp/metaflow-src';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs a command, returning wall seconds and the peak RSS (MB) of the process itself, polled from /proc. */
function timed(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd = root,
): Promise<{ seconds: number; peakMb: number; code: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c) => {
      stderr += c;
    });
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {}
    }, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) process.stderr.write(stderr);
      resolve({ seconds, peakMb: peakKb / 1024, code: code ?? 1 });
    });
  });
}

async function flowtrailFanout(n: number): Promise<{ seconds: number; peakMb: number }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-bench-'));
  try {
    const r = await timed(
      process.execPath,
      [
        path.join(root, 'bin/flowtrail.js'),
        'run',
        path.join(root, 'bench/flows/fanout.ts'),
        '--n',
        String(n),
        '--max-num-splits',
        String(n),
        '--quiet',
      ],
      { ...process.env, FLOWTRAIL_HOME: home },
    );
    if (r.code !== 0) throw new Error(`flowtrail run failed for n=${n}`);
    return r;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const METAFLOW_FLOW = `
from metaflow import FlowSpec, step

class FanoutFlow(FlowSpec):
    @step
    def start(self):
        self.items = list(range(100))
        self.next(self.work, foreach='items')

    @step
    def work(self):
        self.out = self.input * 2
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.out for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        pass

if __name__ == '__main__':
    FanoutFlow()
`;

async function metaflowFanout(): Promise<number | undefined> {
  if (!fs.existsSync(path.join(METAFLOW_SRC, 'metaflow', '__init__.py'))) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mf-bench-'));
  try {
    fs.writeFileSync(path.join(dir, 'fanout_flow.py'), METAFLOW_FLOW);
    const r = await timed(
      'python3',
      ['fanout_flow.py', 'run'],
      { ...process.env, PYTHONPATH: METAFLOW_SRC, USERNAME: 'bench', METAFLOW_DEFAULT_METADATA: 'local' },
      dir,
    );
    return r.code === 0 ? r.seconds : undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(root, 'dist/cli.js')))
    spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  const results: Record<string, number> = {};
  await flowtrailFanout(10); // warm the OS cache and the build directory
  for (const n of [100, 1000]) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push((await flowtrailFanout(n)).seconds);
    results[`flowtrail_${n}_s`] = median(times);
    console.log(
      `flowtrail foreach ${String(n).padStart(5)} tasks: ${median(times).toFixed(2)} s (median of ${RUNS}: ${times.map((t) => t.toFixed(2)).join(', ')})`,
    );
  }
  const big = await flowtrailFanout(10_000);
  results.flowtrail_10000_s = big.seconds;
  results.orchestrator_peak_mb_10000 = big.peakMb;
  console.log(
    `flowtrail foreach 10000 tasks: ${big.seconds.toFixed(2)} s, orchestrator peak RSS ${big.peakMb.toFixed(0)} MB (target ≤ 200 MB)`,
  );
  const mf = await metaflowFanout();
  if (mf === undefined) {
    console.log(
      `metaflow: source not found at ${METAFLOW_SRC} (set METAFLOW_SRC to a Netflix/metaflow checkout) — no ratio`,
    );
  } else {
    results.metaflow_100_s = mf;
    results.speedup_vs_metaflow_100 = mf / results.flowtrail_100_s!;
    console.log(
      `metaflow foreach   100 tasks: ${mf.toFixed(2)} s → flowtrail is ${(mf / results.flowtrail_100_s!).toFixed(1)}× faster`,
    );
  }
  console.log(JSON.stringify({ bench: 'fanout', cpus: os.availableParallelism(), ...results }));
}

await main();
