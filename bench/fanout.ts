/**
 * Fan-out benchmark: `BENCH_BASELINE=93771c6 node --import tsx bench/fanout.ts`. Prints figures,
 * asserts nothing.
 *
 * Whole `flowtrail run` wall time (process start to exit) of a foreach over N trivial tasks
 * (bench/flows/fanout.ts), N = 100 and 1,000 (median of BENCH_RUNS, default 3) and 10,000 (median
 * of BENCH_RUNS_BIG, default 1, with the orchestrator's peak RSS), for this checkout and for the
 * baseline commit (`bench/baseline.ts`), alternating run by run so both see the same machine; the
 * ratios are printed. Before each size, one untimed run per checkout (`BENCH_WARMUP=0`: none), and
 * homes are deleted only at the end (see `runHomes`). Each run gets a fresh home; this checkout's runs start with the compiled-
 * bundle cache of a warm-up run (as a user's second run does). Then one `FLOWTRAIL_TIMINGS=1` run
 * per size shows where the time goes. When Metaflow's source is available (METAFLOW_SRC, default
 * /tmp/metaflow-src: a checkout of Netflix/metaflow) the same 100-task foreach runs with Metaflow
 * and the ratio is printed. Needs `npm run build` (dist/) first.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { baselineCheckout } from './baseline.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const RUNS_BIG = Math.max(1, Number(process.env.BENCH_RUNS_BIG ?? 1));
/** `BENCH_WARMUP=0` skips the untimed run of each size (see `main`). */
const WARMUP = process.env.BENCH_WARMUP !== '0';
const METAFLOW_SRC = process.env.METAFLOW_SRC ?? '/tmp/metaflow-src';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs a command, returning wall seconds and the peak RSS (MB) of the process itself, polled from /proc. */
function timed(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd = root,
): Promise<{ seconds: number; peakMb: number; code: number; stderr: string }> {
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
      resolve({ seconds, peakMb: peakKb / 1024, code: code ?? 1, stderr });
    });
  });
}

/** A checkout to run: this one, or the baseline's. */
interface Target {
  label: string;
  dir: string;
  /** A home whose `build/` (the compiled-bundle cache) each run starts with. */
  warmHome?: string;
}

/** One `flowtrail run` of the fan-out flow of `target` in `home`. */
async function flowtrailRun(target: Target, home: string, n: number, env: NodeJS.ProcessEnv = {}) {
  const r = await timed(
    process.execPath,
    [
      path.join(target.dir, 'bin/flowtrail.js'),
      'run',
      path.join(target.dir, 'bench/flows/fanout.ts'),
      '--n',
      String(n),
      '--max-num-splits',
      String(n),
      '--quiet',
    ],
    { ...process.env, ...env, FLOWTRAIL_HOME: home },
  );
  if (r.code !== 0) throw new Error(`flowtrail run failed for n=${n} (${target.label})`);
  return r;
}

/**
 * The runs' homes, deleted only when the benchmark ends. This machine is a VM whose balloon takes
 * freed memory back: deleting a 10,000-task run's home (~150 MB just written, in the page cache)
 * between runs made the next run fault its memory back from the host and take ~5.7 s instead of
 * ~3 s, whichever checkout ran; that measured the VM, not Flowtrail.
 */
const runHomes: string[] = [];

/** A run in a fresh home (seeded with the target's bundle cache, if it has one). */
async function flowtrailFanout(
  target: Target,
  n: number,
  env: NodeJS.ProcessEnv = {},
): Promise<{ seconds: number; peakMb: number; stderr: string }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-bench-'));
  runHomes.push(home);
  if (target.warmHome)
    fs.cpSync(path.join(target.warmHome, 'build'), path.join(home, 'build'), { recursive: true });
  return await flowtrailRun(target, home, n, env);
}

/** A home holding the bundle cache of one finished run of `target`. */
async function warmHomeFor(target: Target): Promise<string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-bench-warm-'));
  await flowtrailRun(target, home, 10);
  return home;
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

const fmt = (xs: number[]) => xs.map((t) => t.toFixed(2)).join(', ');

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(root, 'dist/cli.js')))
    spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  const base = baselineCheckout();
  const current: Target = { label: 'this checkout', dir: root };
  current.warmHome = await warmHomeFor(current);
  const targets: Target[] = [current];
  if (base) {
    const baseline: Target = { label: base.label, dir: base.dir };
    // Warms the OS cache and builds the checkout; the baseline has no bundle cache to keep.
    fs.rmSync(await warmHomeFor(baseline), { recursive: true, force: true });
    targets.push(baseline);
  }
  const results: Record<string, number> = {};
  try {
    for (const [n, runs] of [
      [100, RUNS],
      [1000, RUNS],
      [10_000, RUNS_BIG],
    ] as const) {
      const times = targets.map(() => [] as number[]);
      const peaks = targets.map(() => [] as number[]);
      // One untimed run of this size per checkout first: the first large run after smaller ones
      // pays for the VM handing memory back (see `runHomes`), ~2 s at 10,000 tasks.
      if (WARMUP) for (const target of targets) await flowtrailFanout(target, n);
      // Alternating, so a noisy moment hits both sides.
      for (let i = 0; i < runs; i++)
        for (const [t, target] of targets.entries()) {
          const r = await flowtrailFanout(target, n);
          times[t]!.push(r.seconds);
          peaks[t]!.push(r.peakMb);
        }
      const [now, then] = times.map(median);
      const [peakNow, peakThen] = peaks.map((p) => Math.max(...p));
      results[`flowtrail_${n}_s`] = now!;
      results[`orchestrator_peak_mb_${n}`] = peakNow!;
      let line = `flowtrail foreach ${String(n).padStart(5)} tasks: ${now!.toFixed(2)} s (median of ${runs}: ${fmt(times[0]!)}), orchestrator peak RSS ${peakNow!.toFixed(0)} MB`;
      if (then !== undefined) {
        results[`baseline_${n}_s`] = then;
        results[`speedup_${n}`] = then / now!;
        line += `\n  baseline ${targets[1]!.label}: ${then.toFixed(2)} s (${fmt(times[1]!)}), peak ${peakThen!.toFixed(0)} MB → ${(then / now!).toFixed(2)}× faster, peak RSS ${(peakNow! / peakThen!).toFixed(2)}× the baseline's`;
      }
      console.log(line);
    }
    for (const n of [100, 10_000]) {
      const r = await flowtrailFanout(current, n, { FLOWTRAIL_TIMINGS: '1' });
      console.log(`where the time goes, ${n} tasks (one run, ${r.seconds.toFixed(2)} s):`);
      process.stdout.write(r.stderr.slice(r.stderr.indexOf('flowtrail timings')));
    }
  } finally {
    fs.rmSync(current.warmHome, { recursive: true, force: true });
    for (const home of runHomes) fs.rmSync(home, { recursive: true, force: true });
  }
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
  console.log(
    JSON.stringify({
      bench: 'fanout',
      cpus: os.availableParallelism(),
      baseline: base?.label ?? null,
      ...results,
    }),
  );
}

await main();
