/**
 * UI benchmark section: the runs list of a flow with 10,000 runs (`/flows/$flow`).
 * Alone: `node --import tsx bench/ui/runs-list.ts` (needs `npm run build:web` for dist/web and
 * Chromium at /usr/bin/chromium or FLOWTRAIL_TEST_CHROMIUM). `bench/ui.ts` imports `run()`.
 *
 * `run()` builds a temp SQLite home with a flow of 10,000 runs (BENCH_RUNS) — created through the
 * metadata store's `createRun` and `write` ops, each with three steps' tasks, statuses in a cycle
 * with 1 % failed — and a flow of 10 runs as the baseline, serves it with `flowtrail server` in this
 * process, and measures (median of 5, BENCH_REPEATS):
 * - `firstRowsMs`: a fresh browser context (cold cache) opens `/flows/<flow>`; time from navigation
 *   start to the first row of the runs table in the DOM (`performance.now()`, polled every frame).
 *   `firstRowsSmallMs`: the same for the 10-run flow; `firstRowsRatio`: big ÷ small.
 * - `apiFirstPageMs`: the list's request alone (`GET /api/v1/flows/<flow>/runs?limit=51`) from Node.
 *   `apiFailedPageMs`: with `status=failed` (1 % of runs: the scan reads ~5,000 rows for 50);
 *   `apiDeepPageMs`: a page 9,000 runs down (`before=1000`); `apiHistoryMs`: the history tab's one
 *   request (50 runs with their steps summarized); `apiStepNamesMs`: its columns over all runs.
 * - `seedMs`: how long the 10,000 runs took to write; `plan`: SQLite's plan for the first page.
 * Prints nothing; returns the figures. Target (issue 11): first rows ≤ 500 ms.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { homePaths } from '../../src/core/config.ts';
import type { MetadataWrite, NewRun, RunStatus } from '../../src/store/metadata-store.ts';
import { openSqliteMetadataStore } from '../../src/store/sql/sqlite/sqlite-stores.ts';
import { newRunRecord } from '../../test/helpers.ts';
import { launchBrowser } from '../../test/web/browser.ts';
import { serveHome } from '../../test/web/ui-home.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const BIG = 'TenThousandRunsFlow';
const SMALL = 'TenRunsFlow';
const STEPS = ['start', 'train', 'end'];

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (ms: number) => Number(ms.toFixed(1));

function newRun(flow: string, i: number, t0: number): NewRun {
  const user = i % 3 === 0 ? 'alice' : 'bob';
  return newRunRecord(flow, {
    user,
    tags: i % 50 === 0 ? ['nightly'] : [],
    systemTags: [`user:${user}`, 'runtime:local'],
    createdAt: t0 + i * 1_000,
  });
}

/** A finished run's writes: its status, and a task per step. */
function finishOps(runId: number, i: number, createdAt: number): MetadataWrite[] {
  const status: RunStatus = i % 100 === 7 ? 'failed' : 'completed';
  const ops: MetadataWrite[] = [];
  STEPS.forEach((step, k) => {
    const at = createdAt + k * 100;
    ops.push({ op: 'step.upsert', step: { runId, name: step, createdAt: at, finishedAt: at + 90 } });
    ops.push({
      op: 'task.create',
      task: {
        runId,
        taskId: k + 1,
        step,
        status: status === 'failed' && step === 'train' ? 'failed' : 'completed',
        successful: !(status === 'failed' && step === 'train'),
        foreachPath: [],
        foreachCount: null,
        parentIds: k === 0 ? [] : [k],
        attempts: 1,
        finalAttempt: 0,
        createdAt: at,
        startedAt: at + 1,
        finishedAt: at + 90,
        originPathspec: null,
      },
    });
  });
  ops.push({ op: 'run.update', runId, patch: { status, finishedAt: createdAt + 400 } });
  return ops;
}

async function seed(database: string): Promise<number> {
  const store = openSqliteMetadataStore(database);
  const t0 = Date.UTC(2026, 0, 1);
  const started = performance.now();
  try {
    for (const [flow, count] of [
      [BIG, RUNS],
      [SMALL, 10],
    ] as const) {
      for (let start = 0; start < count; start += 500) {
        const runs = await Promise.all(
          Array.from({ length: Math.min(500, count - start) }, (_, k) =>
            store.createRun(newRun(flow, start + k, t0)),
          ),
        );
        await store.write(runs.flatMap((r) => finishOps(r.id, r.runNumber - 1, r.createdAt)));
      }
    }
  } finally {
    await store.close();
  }
  return performance.now() - started;
}

function plan(database: string): string {
  const db = new BetterSqlite3(database, { readonly: true });
  try {
    const rows = db
      .prepare(`EXPLAIN QUERY PLAN SELECT * FROM runs WHERE flow_name = ? ORDER BY run_number DESC LIMIT 51`)
      .all(BIG) as { detail: string }[];
    return rows.map((r) => r.detail).join('; ');
  } finally {
    db.close();
  }
}

async function timeRequest(url: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < REPEATS + 1; i++) {
    const t = performance.now();
    const answer = await fetch(url);
    if (!answer.ok) throw new Error(`${url} answered ${answer.status}`);
    await answer.arrayBuffer();
    if (i > 0) times.push(performance.now() - t); // the first warms the statement cache
  }
  return times;
}

export async function run(): Promise<Record<string, number | string>> {
  const home = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-bench-ui-runs-'));
  const paths = homePaths(home);
  await fsp.mkdir(path.dirname(paths.database), { recursive: true });
  const seedMs = await seed(paths.database);
  const server = await serveHome(home, { triggers: false });
  const browser = await launchBrowser();
  try {
    const firstRows = async (flow: string): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${server.url}/flows/${flow}`, { waitUntil: 'commit' });
        const handle = await page.waitForFunction(
          // Runs in the page (a function: a string would be polled through eval, which the CSP refuses).
          () => {
            const page = globalThis as unknown as { document: { querySelector(selector: string): unknown } };
            return page.document.querySelector('table.runs-table tbody tr') ? performance.now() : null;
          },
          undefined,
          { polling: 'raf', timeout: 30_000 },
        );
        times.push(Number(await handle.jsonValue()));
        await context.close();
      }
      return times;
    };
    // One untimed visit first, so the server's first-request work (statement preparation) is not counted.
    await firstRows(SMALL).then(() => undefined);
    const big = median(await firstRows(BIG));
    const small = median(await firstRows(SMALL));
    const api = `${server.url}/api/v1/flows/${BIG}`;
    return {
      runs: RUNS,
      seedMs: Math.round(seedMs),
      firstRowsMs: round(big),
      firstRowsSmallMs: round(small),
      firstRowsRatio: Number((big / small).toFixed(2)),
      apiFirstPageMs: round(median(await timeRequest(`${api}/runs?limit=51`))),
      apiFailedPageMs: round(median(await timeRequest(`${api}/runs?limit=51&status=failed`))),
      apiDeepPageMs: round(median(await timeRequest(`${api}/runs?limit=51&before=1000`))),
      apiHistoryMs: round(median(await timeRequest(`${api}/history?limit=51`))),
      apiStepNamesMs: round(median(await timeRequest(`${api}/steps`))),
      plan: plan(paths.database),
    };
  } finally {
    await browser.close();
    await server.close();
    await fsp.rm(home, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await run();
  console.log(JSON.stringify({ bench: 'ui/runs-list', node: process.version, figures }, null, 2));
}
