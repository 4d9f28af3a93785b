/**
 * Trigger latency benchmark: `node --import tsx bench/trigger-latency.ts`. Prints figures, asserts
 * nothing. Needs `npm run build` (dist/).
 *
 * Embedded mode: a `flowtrail server` child process on a fresh embedded store (SQLite), a deployed
 * flow triggered by `bench_ping` (`bench/flows/triggered.ts`). For each of N events (default 30,
 * one at a time), the time from the event's acceptance (the emit call returned) to the triggered
 * run's first task running (its `startedAt`). Baseline in the same session: `flowtrail run` of the
 * same flow started by hand, from process start to its first task running.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateEvent } from '../src/events/validate-event.ts';
import { openServiceStores } from '../src/store/http/index.ts';
import { openSqliteStores } from '../src/store/sql/sqlite/sqlite-stores.ts';
import { freePort, percentile, sleep } from './lib.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(root, 'bin/flowtrail.js');
const FLOW = path.join(root, 'bench/flows/triggered.ts');
const N = Number(process.env.BENCH_TRIGGERS ?? 30);

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(root, 'dist/cli.js')))
    spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
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
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    const manualP50 = percentile(manual, 50);
    console.log(
      `event accepted → triggered run's first task running (embedded SQLite, ${latencies.length} events): p50 ${p50} ms, p95 ${p95} ms, max ${Math.max(...latencies)} ms (target p50 ≤ 300 ms, p95 ≤ 1 s)`,
    );
    console.log(
      `baseline, \`flowtrail run\` by hand → first task running: p50 ${manualP50} ms → triggered start is ${(p50 / manualP50).toFixed(2)}× the manual start`,
    );
    console.log(JSON.stringify({ trigger_p50_ms: p50, trigger_p95_ms: p95, manual_start_p50_ms: manualP50 }));
  } finally {
    server.kill('SIGTERM');
    await local.metadata.close();
    await sleep(300);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

await main();
