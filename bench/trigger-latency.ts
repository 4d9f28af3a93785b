/**
 * Trigger latency benchmark: `node --import tsx bench/trigger-latency.ts`. Prints figures, asserts
 * nothing. Needs `npm run build` (dist/).
 *
 * Embedded mode: a `flowtrail server` child process on a fresh embedded store (SQLite), a deployed
 * flow triggered by `bench_ping` (`bench/flows/triggered.ts`). For each of N events (default 30,
 * one at a time), the time from the event's acceptance (the emit call returned) to the triggered
 * run's first task running (its `startedAt`). Baseline in the same session: `flowtrail run` of the
 * same flow started by hand, from process start to its first task running.
 *
 * The same measurement runs on the baseline commits' builds (`BENCH_BASELINE`, see `baseline.ts`;
 * default `HEAD`, `none` for none), `BENCH_TRIGGER_ROUNDS` times each (default 3), alternating; the
 * medians of the rounds' p50s are compared. `FLOWTRAIL_TIMINGS=1` makes each server print where
 * each triggered run's time went (from its event's arrival).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateEvent } from '../src/events/validate-event.ts';
import { openServiceStores } from '../src/store/http/index.ts';
import { openSqliteStores } from '../src/store/sql/sqlite/sqlite-stores.ts';
import { baselineCheckouts } from './baseline.ts';
import { freePort, percentile, sleep } from './lib.ts';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_TRIGGERS ?? 30);
const ROUNDS = Number(process.env.BENCH_TRIGGER_ROUNDS ?? 3);

/** One round on the checkout at `root` (built): triggered-start latencies, and manual starts. */
async function measure(root: string): Promise<{ latencies: number[]; manual: number[] }> {
  const CLI = path.join(root, 'bin/flowtrail.js');
  const FLOW = path.join(root, 'bench/flows/triggered.ts');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-bench-trigger-'));
  const env = { ...process.env, FLOWTRAIL_HOME: home };
  const deployed = spawnSync(process.execPath, [CLI, 'deploy', FLOW], { env, encoding: 'utf8' });
  if (deployed.status !== 0) throw new Error(deployed.stderr);
  const port = await freePort();
  const server = spawn(
    process.execPath,
    [CLI, 'server', '--port', String(port), '--database', home, '--quiet'],
    {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const local = openSqliteStores(path.join(home, 'flowtrail.db'));
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/api/v1/health`)).ok) break;
      } catch {}
      if (i > 400) throw new Error('the server did not start');
      await sleep(50);
    }
    const remote = openServiceStores({ url });
    const latencies: number[] = [];
    for (let i = 0; i < N + 2; i++) {
      const event = validateEvent({
        event: 'bench_ping',
        resource: { 'flowtrail.resource.id': 'bench' },
        payload: { seq: i },
      });
      await remote.events.append([event]);
      const accepted = Date.now();
      let started: number | null = null;
      for (let polls = 0; started === null; polls++) {
        const [run] = await local.metadata.listRunsTriggeredBy(event.id);
        if (run) {
          const [task] = await local.metadata.listTasks(run.id, { step: 'start' });
          started = task?.startedAt ?? null;
        }
        if (started === null) {
          if (polls > 2000) throw new Error(`no run started for event ${i}`);
          await sleep(5);
        }
      }
      if (i >= 2) latencies.push(started - accepted); // the first two warm the module cache
      // Let the run finish before the next event.
      for (;;) {
        const [run] = await local.metadata.listRunsTriggeredBy(event.id);
        if (run && run.status !== 'running') break;
        await sleep(20);
      }
    }
    // Baseline: the same flow started by hand with the CLI.
    const manual: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = Date.now();
      const r = spawnSync(process.execPath, [CLI, 'run', FLOW, '--quiet', '--seq', String(i)], {
        env,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(r.stderr);
      const run = (await local.metadata.latestRun({ flow: 'TriggeredFlow' }))!;
      const [task] = await local.metadata.listTasks(run.id, { step: 'start' });
      manual.push(task!.startedAt! - before);
    }
    return { latencies, manual };
  } finally {
    server.kill('SIGTERM');
    await local.metadata.close();
    await sleep(300);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (!fs.existsSync(path.join(here, 'dist/cli.js')))
  spawnSync('npm', ['run', 'build'], { cwd: here, stdio: 'inherit' });
const checkouts = [{ label: 'this checkout', dir: here }, ...baselineCheckouts()];
const rounds = new Map(checkouts.map((c) => [c, [] as { latencies: number[]; manual: number[] }[]]));
for (let round = 0; round < ROUNDS; round++)
  for (const c of checkouts) rounds.get(c)!.push(await measure(c.dir));
const summary: Record<string, number> = {};
let mine = 0;
for (const c of checkouts) {
  const rs = rounds.get(c)!;
  const p50s = rs.map((r) => percentile(r.latencies, 50));
  const p95s = rs.map((r) => percentile(r.latencies, 95));
  const p50 = percentile(p50s, 50);
  const manualP50 = percentile(
    rs.map((r) => percentile(r.manual, 50)),
    50,
  );
  if (c.dir === here) {
    mine = p50;
    console.log(
      `event accepted → triggered run's first task running (embedded SQLite, ${N} events × ${ROUNDS} rounds): p50 ${p50} ms (rounds: ${p50s.join(', ')}), p95 ${percentile(p95s, 50)} ms (rounds: ${p95s.join(', ')}) (target p50 ≤ 50 ms)`,
    );
    console.log(
      `  \`flowtrail run\` by hand → first task running: p50 ${manualP50} ms → triggered start is ${(p50 / manualP50).toFixed(2)}× the manual start`,
    );
    Object.assign(summary, {
      trigger_p50_ms: p50,
      trigger_p95_ms: percentile(p95s, 50),
      manual_start_p50_ms: manualP50,
    });
  } else {
    console.log(
      `  baseline ${c.label}: p50 ${p50} ms (rounds: ${p50s.join(', ')}), p95 ${percentile(p95s, 50)} ms → this checkout's p50 is ${(mine / p50).toFixed(2)}× the baseline's`,
    );
    summary[`baseline_${c.label}_trigger_p50_ms`] = p50;
  }
}
console.log(JSON.stringify(summary));
