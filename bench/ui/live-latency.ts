/**
 * Bench section: task commit → visible on the open run page. A run of 50 foreach tasks, each
 * waiting for its own file, is started with the CLI into a temp home with a server on it; Chromium
 * opens the run page; the bench then releases the tasks one by one. The page records (with a
 * MutationObserver) when the aggregate node's completed count reaches each value; each latency is
 * that moment minus the store's `finishedAt` of the task that made the count (same machine, same
 * clock). Figures: p50, p90 and max.
 *
 *   node --import tsx bench/ui/live-latency.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchBrowser } from '../../test/web/browser.ts';
import { startCliRun, TEST_FLOWS } from '../../test/web/run-home.ts';
import { serveHome } from '../../test/web/ui-home.ts';
import { percentile, sleep } from '../lib.ts';

const TASKS = 50;
/** Pause between two releases, so each completion is its own update. */
const GAP_MS = 150;

interface TaskJson {
  finishedAt: number | null;
}

export async function run(): Promise<Record<string, number | string>> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-bench-live-'));
  const gates = path.join(home, 'gates');
  fs.mkdirSync(gates);
  const server = await serveHome(home);
  const child = startCliRun(home, path.join(TEST_FLOWS, 'wait-each.ts'), {
    env: { WAIT_DIR: gates, WAIT_ITEMS: String(TASKS) },
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // The run exists once the CLI created it.
    for (let i = 0; i < 600; i++) {
      const res = await fetch(`${server.url}/api/v1/flows/WaitEachFlow/runs/1`);
      if (res.ok) break;
      await sleep(50);
    }
    await page.goto(`${server.url}/runs/WaitEachFlow/1`);
    // The scheduler records a foreach task when it dispatches it, so the node grows as they start.
    await page.locator('.step-node[data-step="work"]').waitFor({ timeout: 60_000 });
    await page.locator('.live-live').waitFor();
    await page.evaluate(`(() => {
      const seen = (window.__seen = {});
      const el = document.querySelector('.step-node[data-step="work"]');
      const note = () => {
        const n = Number(document.querySelector('.step-node[data-step="work"]')?.dataset.completed ?? 0);
        for (let k = 1; k <= n; k++) if (!(k in seen)) seen[k] = Date.now();
      };
      new MutationObserver(note).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-completed'], childList: true });
      note();
    })()`);
    for (let k = 0; k < TASKS; k++) {
      fs.writeFileSync(path.join(gates, `go-${k}`), '');
      await page.waitForFunction(
        (n) => (globalThis as { __seen?: Record<number, number> }).__seen?.[n] !== undefined,
        k + 1,
        { timeout: 30_000 },
      );
      await sleep(GAP_MS);
    }
    const seen = (await page.evaluate('window.__seen')) as Record<string, number>;
    const runRecord = (await (await fetch(`${server.url}/api/v1/flows/WaitEachFlow/runs/1`)).json()) as {
      id: number;
    };
    const tasks = (
      (await (
        await fetch(`${server.url}/api/v1/runs/${runRecord.id}/tasks?step=work&status=completed&limit=1000`)
      ).json()) as { tasks: TaskJson[] }
    ).tasks;
    const finished = tasks.map((t) => t.finishedAt ?? 0).sort((a, b) => a - b);
    const latencies = finished.map((at, i) => (seen[String(i + 1)] ?? Number.NaN) - at);
    await page.close();
    return {
      'live: tasks released one by one': TASKS,
      'live: task commit → visible on the run page, p50 (ms)': percentile(latencies, 50),
      'live: p90 (ms)': percentile(latencies, 90),
      'live: max (ms)': Math.max(...latencies),
      'live: p50 target (ms)': 500,
      'live: anchor': 'Prefect polls the run page every 5–60 s',
    };
  } finally {
    await browser.close();
    if (child.exitCode === null) {
      for (let k = 0; k < TASKS; k++) fs.writeFileSync(path.join(gates, `go-${k}`), '');
      await new Promise((r) => child.once('exit', r));
    }
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const [name, value] of Object.entries(await run())) console.log(`${name}: ${value}`);
}
