/**
 * Service benchmark: `node --import tsx bench/server.ts`. Prints figures, asserts nothing.
 * Needs `npm run build` (dist/) and PostgreSQL (FLOWTRAIL_BENCH_POSTGRES_URL, default the local
 * service; a fresh schema is created and dropped).
 *
 * A `flowtrail server` child process on PostgreSQL, on loopback; this process is the load generator.
 * 1. Event ingest over HTTP, batched (500 per request, 4 concurrent senders), 100,000 events; then
 *    every id is checked to be stored (no loss). Baseline: the same batches appended straight to
 *    the PostgreSQL event store from this process.
 * 2. Metadata reads under 50 concurrent clients (a mix of run, task-list, artifact-list and log
 *    reads of a 100-task foreach run), 10 s: p50/p95/p99 latency, with each client paced at
 *    BENCH_PACED_RPS (default 10 and 30) requests a second, and closed loop (as fast as answers come:
 *    the saturation point). Baseline: one client, closed loop.
 * 3. The 100-task foreach (`bench/flows/fanout.ts`) in remote mode (metadata through the server),
 *    wall time of `flowtrail run`; baseline: the same run in local (embedded SQLite) mode.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { FlowtrailEvent } from '../src/events/model.ts';
import { validateEvent } from '../src/events/validate-event.ts';
import { openServiceStores } from '../src/store/http/index.ts';
import { openDatabaseStores, parseDatabaseSpec } from '../src/store/open.ts';
import { freePort, percentile, sleep } from './lib.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(root, 'bin/flowtrail.js');
const PG_URL = process.env.FLOWTRAIL_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const BATCH = 500;
const SENDERS = 4;
const READERS = 50;
const READ_SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 10);
/** Requests a second each paced client sends (one measurement per rate). */
const PACED_RPS = (process.env.BENCH_PACED_RPS ?? '10,30').split(',').map(Number);

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`flowtrail ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function startServer(database: string): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, 'server', '--port', String(port), '--database', database, '--quiet'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) break;
    } catch {}
    if (i > 600) throw new Error('the server did not start');
    await sleep(50);
  }
  return { url, stop: () => child.kill('SIGTERM') };
}

function makeBatches(n: number): FlowtrailEvent[][] {
  const batches: FlowtrailEvent[][] = [];
  for (let i = 0; i < n; i += BATCH)
    batches.push(
      Array.from({ length: Math.min(BATCH, n - i) }, (_, k) =>
        validateEvent({
          event: `bench.${(i + k) % 10}.happened`,
          resource: { 'flowtrail.resource.id': `bench.resource.${(i + k) % 100}`, region: 'eu' },
          related: [{ 'flowtrail.resource.id': 'bench.owner', 'flowtrail.resource.role': 'owner' }],
          payload: { i: i + k, note: 'a short payload' },
        }),
      ),
    );
  return batches;
}

/** Sends batches with `senders` concurrent loops; returns events per second. */
async function ingest(
  batches: FlowtrailEvent[][],
  send: (b: FlowtrailEvent[]) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < batches.length) await send(batches[next++]!);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return batches.reduce((s, b) => s + b.length, 0) / seconds;
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(root, 'dist/cli.js')))
    spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  const schema = `ft_bench_${process.pid}`;
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  const database = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const baselineSchema = `${schema}_direct`;
  const baselineDb = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${baselineSchema}`;
  const results: Record<string, number> = {};
  try {
    const key = (
      JSON.parse(cli(['server', 'keys', 'create', '--scope', 'admin', '--database', database, '--json'])) as {
        key: string;
      }
    ).key;
    const server = await startServer(database);
    try {
      const remote = openServiceStores({ url: server.url, apiKey: key });

      // 1. Ingest.
      const direct = await openDatabaseStores(parseDatabaseSpec(baselineDb));
      await ingest(makeBatches(5000), (b) => direct.events.append(b)); // warm-up
      const directRate = await ingest(makeBatches(EVENTS), (b) => direct.events.append(b));
      await direct.close();
      await ingest(makeBatches(5000), (b) => remote.events.append(b)); // warm-up
      const batches = makeBatches(EVENTS);
      const before = await remote.events.total({});
      const httpRate = await ingest(batches, (b) => remote.events.append(b));
      const stored = (await remote.events.total({})) - before;
      const ids = batches.flat().map((e) => e.id);
      const { rows } = await admin.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${schema}".events WHERE id = ANY($1)`,
        [ids],
      );
      results.ingest_http_events_per_s = httpRate;
      results.ingest_direct_events_per_s = directRate;
      console.log(
        `event ingest over HTTP into PostgreSQL (batches of ${BATCH}, ${SENDERS} senders, ${EVENTS} events): ${Math.round(httpRate)} events/s (target ≥ 5,000); straight into the store: ${Math.round(directRate)} events/s → ${(httpRate / directRate).toFixed(2)}× of direct. Stored ${stored}/${EVENTS}, ids found ${rows[0]!.n} (loss: ${EVENTS - Number(rows[0]!.n)})`,
      );

      // 3 (first, so the reads below have a 100-task run to read). Remote vs local foreach.
      const fanoutArgs = ['run', path.join(root, 'bench/flows/fanout.ts'), '--n', '100', '--quiet'];
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-bench-remote-'));
      const localHome = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-bench-local-'));
      try {
        const remoteEnv = {
          ...process.env,
          FLOWTRAIL_HOME: home,
          FLOWTRAIL_SERVICE_URL: server.url,
          FLOWTRAIL_API_KEY: key,
        };
        const localEnv = { ...process.env, FLOWTRAIL_HOME: localHome };
        cli(fanoutArgs, remoteEnv); // warm-up (build cache, server caches)
        cli(fanoutArgs, localEnv);
        const timeIt = (env: NodeJS.ProcessEnv) => {
          const t0 = performance.now();
          cli(fanoutArgs, env);
          return (performance.now() - t0) / 1000;
        };
        const remoteTimes = [timeIt(remoteEnv), timeIt(remoteEnv), timeIt(remoteEnv)].sort((a, b) => a - b);
        const localTimes = [timeIt(localEnv), timeIt(localEnv), timeIt(localEnv)].sort((a, b) => a - b);
        results.foreach100_remote_s = remoteTimes[1]!;
        results.foreach100_local_s = localTimes[1]!;
        console.log(
          `100-task foreach, remote mode (server on PostgreSQL): ${remoteTimes[1]!.toFixed(2)} s median of 3 (target ≤ 3 s); local mode: ${localTimes[1]!.toFixed(2)} s → ${(remoteTimes[1]! / localTimes[1]!).toFixed(2)}× local`,
        );
      } finally {
        fs.rmSync(home, { recursive: true, force: true });
        fs.rmSync(localHome, { recursive: true, force: true });
      }

      // 2. Reads under 50 concurrent clients.
      const run = (await remote.metadata.latestRun({ flow: 'FanoutFlow' }))!;
      const tasks = await remote.metadata.listTasks(run.id, { step: 'work' });
      const reads: (() => Promise<unknown>)[] = [
        () => remote.metadata.getRun('FanoutFlow', run.runNumber),
        () => remote.metadata.listTasks(run.id, { step: 'work', limit: 50 }),
        () => {
          const t = tasks[Math.floor(Math.random() * tasks.length)]!;
          return remote.metadata.listArtifacts(run.id, t.taskId);
        },
        () => {
          const t = tasks[Math.floor(Math.random() * tasks.length)]!;
          return remote.metadata.readLogs(run.id, t.taskId);
        },
        () => remote.metadata.listRuns('FanoutFlow', { limit: 20 }),
      ];
      /**
       * `clients` concurrent clients for `seconds`. Closed loop (`perClientRps` undefined): each
       * sends its next request as soon as the last one answered — the server's saturation point.
       * Paced: each sends `perClientRps` requests a second on a fixed schedule, and a latency is
       * measured from when the request was due (so a stalled server is not hidden).
       */
      const measure = async (clients: number, seconds: number, perClientRps?: number) => {
        const latencies: number[] = [];
        const start = performance.now();
        const end = start + seconds * 1000;
        await Promise.all(
          Array.from({ length: clients }, async (_, c) => {
            const interval = perClientRps ? 1000 / perClientRps : 0;
            let due = start + (interval * c) / clients;
            for (let i = c; performance.now() < end; i++) {
              if (interval) {
                const wait = due - performance.now();
                if (wait > 0) await sleep(wait);
              }
              const t0 = interval ? due : performance.now();
              await reads[i % reads.length]!();
              latencies.push(performance.now() - t0);
              due += interval;
            }
          }),
        );
        latencies.sort((a, b) => a - b);
        return {
          n: latencies.length,
          rps: latencies.length / seconds,
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
        };
      };
      const show = (m: Awaited<ReturnType<typeof measure>>) =>
        `${Math.round(m.rps)} req/s, p50 ${m.p50.toFixed(1)} ms, p95 ${m.p95.toFixed(1)} ms, p99 ${m.p99.toFixed(1)} ms`;
      await measure(10, 1); // warm-up
      const one = await measure(1, Math.max(2, READ_SECONDS / 3));
      const paced = [];
      for (const rate of PACED_RPS) paced.push({ rate, m: await measure(READERS, READ_SECONDS, rate) });
      const saturated = await measure(READERS, READ_SECONDS);
      for (const { rate, m } of paced) results[`read_p99_ms_50_clients_${rate}_rps_each`] = m.p99;
      results.read_p99_ms_50_clients_closed_loop = saturated.p99;
      results.read_rps_closed_loop = saturated.rps;
      results.read_p99_ms_1_client = one.p99;
      console.log(`metadata reads (run, task page, artifacts, logs, run page), ${READ_SECONDS} s each:`);
      console.log(`  1 client, closed loop:                     ${show(one)}`);
      for (const { rate, m } of paced)
        console.log(
          `${`  ${READERS} clients × ${rate} req/s (paced):`.padEnd(45)}${show(m)} (target p99 ≤ 25 ms)`,
        );
      console.log(`  ${READERS} clients, closed loop (saturation):   ${show(saturated)}`);
    } finally {
      server.stop();
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await admin.query(`DROP SCHEMA IF EXISTS "${baselineSchema}" CASCADE`).catch(() => {});
    await admin.end();
  }
  console.log(JSON.stringify(results));
}

await main();
