/**
 * Bench section: the run page of a 10,000-task foreach run. A temp home gets the run (through the
 * CLI, as a user would make it), a server on it, and Chromium opens `/runs/WideForeachFlow/1` in
 * a fresh context (cold cache) three times. Time to interactive = navigation start → every graph
 * node visible and a click on the page answered (the tag input takes a typed character). Also:
 * the whole timeline (10,003 tasks) drawn, and the step table scrolled to its last row.
 *
 *   node --import tsx bench/ui/run-page.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchBrowser } from '../../test/web/browser.ts';
import { cliRun, TEST_FLOWS } from '../../test/web/run-home.ts';
import { serveHome } from '../../test/web/ui-home.ts';
import { percentile } from '../lib.ts';

const TASKS = 10_000;
const REPEATS = 3;

export async function run(): Promise<Record<string, number | string>> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-bench-run-page-'));
  const made = Date.now();
  await cliRun(home, path.join(TEST_FLOWS, 'wide-foreach.ts'), {
    args: ['--max-num-splits', String(TASKS)],
    env: { WIDE_ITEMS: String(TASKS) },
  });
  const runSeconds = (Date.now() - made) / 1000;
  // The baseline, measured the same way on the same machine: the same flow with one item (WideForeachFlow/2).
  await cliRun(home, path.join(TEST_FLOWS, 'wide-foreach.ts'), { env: { WIDE_ITEMS: '1' } });
  const server = await serveHome(home);
  const browser = await launchBrowser();
  const baseline: number[] = [];
  const tti: number[] = [];
  const graph: number[] = [];
  const timeline: number[] = [];
  let scrollMs = 0;
  /** Navigation start → every graph node of the run visible and a click answered. */
  const interactive = async (page: import('playwright-core').Page, runNumber: number): Promise<number[]> => {
    const t0 = Date.now();
    await page.goto(`${server.url}/runs/WideForeachFlow/${runNumber}`, { waitUntil: 'commit' });
    for (const step of ['start', 'work', 'join', 'end'])
      await page.locator(`.step-node[data-step="${step}"][data-total]`).waitFor();
    const graphAt = Date.now() - t0;
    const input = page.getByLabel('new tag');
    await input.click();
    await input.pressSequentially('x');
    await page
      .getByLabel('new tag')
      .and(page.locator('input'))
      .evaluate((el) => {
        if ((el as unknown as { value: string }).value !== 'x') throw new Error('the click was not answered');
      });
    return [graphAt, Date.now() - t0];
  };
  try {
    for (let i = 0; i < REPEATS; i++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      baseline.push((await interactive(await context.newPage(), 2))[1]!);
      await context.close();
    }
    for (let i = 0; i < REPEATS; i++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const t0 = Date.now();
      const [graphAt, ttiAt] = await interactive(page, 1);
      graph.push(graphAt!);
      tti.push(ttiAt!);
      await page.locator(`[data-testid=timeline][data-tasks="${TASKS + 3}"]`).waitFor();
      await page.locator('.timeline-canvas[data-bars]').waitFor({ state: 'attached' });
      timeline.push(Date.now() - t0);
      if (i === REPEATS - 1) {
        const s0 = Date.now();
        await page.locator('.step-node[data-step="work"]').getByRole('link').click();
        const scroll = page.getByTestId('task-scroll');
        await page.locator('[data-task-status]').first().waitFor();
        await scroll.evaluate((el) => {
          el.scrollTop = el.scrollHeight;
        });
        await page.locator(`[aria-rowindex="${TASKS}"][data-task-status]`).waitFor();
        scrollMs = Date.now() - s0;
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
  const median = (xs: number[]) => percentile(xs, 50);
  return {
    'run page: tasks': TASKS,
    'run page: making the run with the CLI (s)': Number(runSeconds.toFixed(1)),
    'run page: graph visible, median of 3 (ms)': median(graph),
    'run page: time to interactive, median of 3 (ms)': median(tti),
    'run page: time to interactive, target (ms)': 1500,
    'run page: baseline, the same flow with 1 item, time to interactive, median of 3 (ms)': median(baseline),
    'run page: 10,000 tasks / 1 item': Number((median(tti) / median(baseline)).toFixed(2)),
    'run page: timeline of every task drawn, median of 3 (ms)': median(timeline),
    'run page: open the step table and scroll to the last row (ms)': scrollMs,
    'run page: anchor': "Prefect's graph asks before drawing over 2,000 nodes",
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const [name, value] of Object.entries(await run())) console.log(`${name}: ${value}`);
}
