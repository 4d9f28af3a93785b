import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserTests, launchBrowser, screenshot, waitForExpression, watchPage } from './browser.ts';
import { cliRun, startCliRun, TEST_FLOWS } from './run-home.ts';
import { startUiHome, type UiHome } from './ui-home.ts';

interface RunJson {
  id: number;
  status: string;
  tags: string[];
  systemTags: string[];
}

browserTests('web UI: the run page, its graph, timeline and trigger chain, and the step page', () => {
  let ui: UiHome;
  let browser: Browser;
  let tmp: string;
  const api = async <T>(p: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(`${ui.server.url}${p}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) },
    });
    if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const open = async (p: string): Promise<{ page: Page; watch: ReturnType<typeof watchPage> }> => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const watch = watchPage(page, ui.server.url);
    await page.goto(`${ui.server.url}${p}`);
    return { page, watch };
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-run-page-'));
    [ui, browser] = await Promise.all([startUiHome(), launchBrowser()]);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('draws every step of ForeachFlow/1 with its status, the foreach as one aggregate node, and the timeline', async () => {
    const { page, watch } = await open('/runs/ForeachFlow/1');
    const graph = page.getByTestId('step-graph');
    await graph.waitFor();
    for (const step of ['start', 'score', 'audit', 'join', 'end'])
      await page.locator(`.step-node[data-step="${step}"]`).waitFor();
    const status = async (step: string) =>
      page.locator(`.step-node[data-step="${step}"]`).getAttribute('data-status');
    expect(await status('start')).toBe('completed');
    expect(await status('end')).toBe('completed');
    // `score` is a foreach body of three items: one aggregate node with counts and a histogram.
    const score = page.locator('.step-node[data-step="score"]');
    expect(await score.getAttribute('data-total')).toBe('3');
    expect(await score.getAttribute('data-completed')).toBe('3');
    await score.getByText('3 completed').waitFor();
    expect(await score.locator('.step-histogram rect').count()).toBeGreaterThan(0);
    // `audit` failed for item c, caught: its task completed unsuccessfully, and the node says so.
    const audit = page.locator('.step-node[data-step="audit"]');
    expect(await audit.getAttribute('data-caught')).toBe('1');
    await audit.getByText('1 caught').waitFor();

    const timeline = page.getByTestId('timeline');
    await timeline.waitFor();
    await waitForExpression(
      page,
      "Number(document.querySelector('.timeline-canvas')?.dataset.bars ?? 0) > 0",
    );
    // 5 group rows + 1 + 3 + 3 + 1 + 1 task rows.
    expect(await timeline.getAttribute('data-rows')).toBe('14');
    await page.getByRole('button', { name: /score \(3\)/ }).click();
    await waitForExpression(page, "document.querySelector('[data-testid=timeline]')?.dataset.rows === '11'");
    await page.getByRole('button', { name: 'zoom in' }).click();
    await page.getByTestId('timeline-span').getByText('(zoomed)').waitFor();
    await page.getByRole('button', { name: /score \(3\)/ }).click();
    await screenshot(page, 'run-page');
    await graph.screenshot({
      path: path.join(path.dirname(await screenshot(page, 'run-page')), 'run-graph.png'),
    });
    await timeline.screenshot({
      path: path.join(path.dirname(await screenshot(page, 'run-page')), 'run-timeline.png'),
    });

    // The aggregate node opens the step's task table.
    await score.getByRole('link', { name: /step score/ }).click();
    await page.getByRole('table', { name: 'tasks of score' }).waitFor();
    await page.locator('[data-task-status="completed"]').first().waitFor();
    expect(await page.locator('.task-table tbody tr').count()).toBe(3);
    await page.getByLabel('status filter').selectOption('failed');
    await page.waitForURL(/status=failed/);
    await waitForExpression(page, "document.querySelectorAll('.task-table tbody tr').length === 0");
    await screenshot(page, 'step-table-filtered');
    expect(watch.problems).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });

  it('shows the parameters of ParamsFlow/1, and adds and removes a user tag (system tags stay)', async () => {
    const { page, watch } = await open('/runs/ParamsFlow/1');
    const params = page.getByRole('region', { name: 'parameters' });
    await params.getByText('"sales"').waitFor();
    await params.getByText('0.5', { exact: true }).waitFor();
    await params.getByText('{"layers":[4,2]}').waitFor();
    const tags = page.getByRole('list', { name: 'tags' });
    await tags.getByText('user:demo').waitFor();
    expect(await tags.getByRole('button', { name: 'remove tag user:demo' }).count()).toBe(0);
    await page.getByLabel('new tag').fill('reviewed');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await tags.getByRole('button', { name: 'remove tag reviewed' }).waitFor();
    const run = await api<RunJson>('/api/v1/flows/ParamsFlow/runs/1');
    expect(run.tags).toContain('reviewed');
    await screenshot(page, 'run-params-tags');
    await tags.getByRole('button', { name: 'remove tag reviewed' }).click();
    await tags.getByText('reviewed').waitFor({ state: 'detached' });
    expect((await api<RunJson>('/api/v1/flows/ParamsFlow/runs/1')).tags).not.toContain('reviewed');
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it('follows the trigger chain of TrainingFlow/1 up to ETLFlow/1 and down to PredictionFlow/1', async () => {
    const { page, watch } = await open('/runs/TrainingFlow/1');
    const chain = page.getByRole('region', { name: 'trigger chain' });
    await chain.getByRole('list', { name: 'started by' }).getByRole('link', { name: 'ETLFlow/1' }).waitFor();
    // And what started ETLFlow/1: the data_updated event.
    await chain
      .getByRole('list', { name: 'started by' })
      .getByRole('link', { name: 'data_updated' })
      .waitFor();
    await chain
      .getByRole('list', { name: 'started' })
      .getByRole('link', { name: 'PredictionFlow/1' })
      .waitFor();
    // The screenshot shows the whole page, graph included (it loads lazily).
    await page.locator('.step-node').first().waitFor();
    await screenshot(page, 'run-trigger-chain');
    await chain.getByRole('link', { name: 'ETLFlow/1' }).click();
    await page.getByText('ETLFlow/1', { exact: true }).first().waitFor();
    await chain
      .getByRole('list', { name: 'started' })
      .getByRole('link', { name: 'TrainingFlow/1' })
      .waitFor();
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it('turns a running run from running to completed on screen, without a reload', async () => {
    const gate = path.join(tmp, 'go');
    const child = startCliRun(ui.home, path.join(TEST_FLOWS, 'wait-for-file.ts'), {
      env: { WAIT_FOR_FILE: gate },
    });
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    try {
      // The run exists once the CLI created it.
      let runNumber = 0;
      for (let i = 0; i < 400 && runNumber === 0; i++) {
        const res = await fetch(`${ui.server.url}/api/v1/flows/WaitFlow/runs?limit=1`);
        if (res.ok)
          runNumber = ((await res.json()) as { runs: { runNumber: number }[] }).runs[0]?.runNumber ?? 0;
        if (runNumber === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(runNumber).toBeGreaterThan(0);
      const { page, watch } = await open(`/runs/WaitFlow/${runNumber}`);
      await page.locator('[data-testid=run-status][data-status=running]').waitFor();
      await page.locator('.step-node[data-step="wait"][data-status="running"]').waitFor();
      await screenshot(page, 'run-live-running');
      let reloaded = false;
      page.on('framenavigated', (f) => {
        if (f === page.mainFrame()) reloaded = true;
      });
      // A zoomed timeline stays zoomed through live updates.
      await page.getByTestId('timeline').waitFor();
      await page.getByRole('button', { name: 'zoom in' }).click();
      const zoomed = await page.getByTestId('timeline-span').textContent();
      expect(zoomed).toContain('(zoomed)');
      fs.writeFileSync(gate, 'go');
      await page.locator('[data-testid=run-status][data-status=completed]').waitFor({ timeout: 30_000 });
      await page.locator('.step-node[data-step="end"][data-status="completed"]').waitFor();
      await page.locator('[data-testid=timeline][data-tasks="3"]').waitFor();
      expect(await page.getByTestId('timeline-span').textContent()).toBe(zoomed);
      expect(reloaded).toBe(false);
      await screenshot(page, 'run-live-completed');
      expect(await exited).toBe(0);
      expect(watch.problems).toEqual([]);
      await page.close();
    } finally {
      if (child.exitCode === null) child.kill();
    }
  }, 60_000);

  it('tells a silent orchestrator ("lost?") and a crashed run honestly', async () => {
    const old = Date.now() - 120_000;
    const run = await api<RunJson>('/api/v1/runs', {
      method: 'POST',
      body: JSON.stringify({
        run: {
          flow: 'GhostFlow',
          user: 'tester',
          tags: [],
          systemTags: ['user:tester'],
          params: {},
          flowFile: null,
          codeSha: null,
          originRunNumber: null,
          createdAt: old,
          orchestratorPid: 999_999,
          orchestratorHost: 'elsewhere',
        },
      }),
    });
    const { page, watch } = await open('/runs/GhostFlow/1');
    await page
      .getByRole('status')
      .getByText(/lost\? no heartbeat for 1\d\d s/)
      .waitFor();
    await screenshot(page, 'run-lost');
    await api(`/api/v1/runs/${run.id}/crash`, {
      method: 'POST',
      body: JSON.stringify({
        at: Date.now(),
        reason: {
          type: 'OrchestratorCrashed',
          message: 'The orchestrator of GhostFlow/1 stopped.',
          stack: '',
        },
      }),
    });
    await page.reload();
    await page.locator('[data-testid=run-status][data-status=crashed]').waitFor();
    await page
      .getByRole('alert')
      .getByText(/Crashed: OrchestratorCrashed: The orchestrator of GhostFlow\/1 stopped\./)
      .waitFor();
    expect(await page.getByRole('status').count()).toBe(0);
    await page.getByText('No step has started yet.').waitFor();
    await screenshot(page, 'run-crashed');
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it('shows a 10,000-task foreach as one aggregate node whose task table scrolls to the last index', async () => {
    await cliRun(ui.home, path.join(TEST_FLOWS, 'wide-foreach.ts'), { args: ['--max-num-splits', '10000'] });
    const { page, watch } = await open('/runs/WideForeachFlow/1');
    const work = page.locator('.step-node[data-step="work"]');
    await work.waitFor();
    expect(await work.getAttribute('data-total')).toBe('10000');
    await work.getByText('10,000 completed').waitFor();
    expect(await page.locator('.step-node').count()).toBe(4);
    await waitForExpression(
      page,
      "document.querySelector('[data-testid=timeline]')?.dataset.tasks === '10003'",
    );
    // The canvas paints only what is in view.
    expect(Number(await page.locator('.timeline-canvas').getAttribute('data-bars'))).toBeLessThan(40);
    expect(await page.locator('.timeline *').count()).toBeLessThan(100);
    await screenshot(page, 'run-10k');
    await work.getByRole('link', { name: /step work/ }).click();
    const scroll = page.getByTestId('task-scroll');
    await scroll.waitFor();
    await page.locator('[data-task-status="completed"]').first().waitFor();
    expect(await page.locator('.task-table tbody tr').count()).toBeLessThan(80);
    await scroll.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await page
      .locator('[aria-rowindex="10000"] .task-cell-index')
      .getByText('9999', { exact: true })
      .waitFor();
    await screenshot(page, 'step-table-10k');
    expect(watch.problems).toEqual([]);
    await page.close();
  }, 120_000);
});
