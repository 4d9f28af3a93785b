/**
 * The flows-and-runs screens in a real browser: a flow's runs list (filters from the URL, keyset
 * pages, the trigger mark leading to the upstream run and to the event page, live new runs), the
 * runs × steps history, long names, and the event page. Screenshots go to test-results/screens/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { homePaths } from '../../src/core/config.ts';
import type { MetadataStore, MetadataWrite, RunStatus } from '../../src/store/metadata-store.ts';
import { openSqliteMetadataStore } from '../../src/store/sql/sqlite/sqlite-stores.ts';
import { newRunRecord } from '../helpers.ts';
import { browserTests, launchBrowser, screenshot, watchPage } from './browser.ts';
import { startUiHome, type UiHome } from './ui-home.ts';

const PAGED = 'PagedFlow';
const LONG_FLOW = `AFlowWhoseNameGoesOnAndOn${'AndOn'.repeat(14)}`;
const LONG_TAG = `experiment:${'a-very-long-tag-value-'.repeat(8)}end`;
const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const STATUSES: RunStatus[] = ['completed', 'completed', 'failed', 'completed', 'crashed'];

/**
 * A finished run's writes: `start`, a foreach `each` of four (one fails in a failed or crashed run),
 * and `end` when it completed.
 */
function stepTasks(runId: number, status: RunStatus, at: number): MetadataWrite[] {
  const ops: MetadataWrite[] = [];
  const task = (
    taskId: number,
    step: string,
    ok: boolean,
    foreachPath: number[],
    start: number,
  ): MetadataWrite => ({
    op: 'task.create',
    task: {
      runId,
      taskId,
      step,
      status: ok ? 'completed' : 'failed',
      successful: ok,
      foreachPath,
      foreachCount: step === 'start' ? 4 : null,
      parentIds: [],
      attempts: 1,
      finalAttempt: 0,
      createdAt: at + start,
      startedAt: at + start,
      finishedAt: at + start + 200,
      originPathspec: null,
    },
  });
  const steps = status === 'completed' ? ['start', 'each', 'end'] : ['start', 'each'];
  for (const [k, name] of steps.entries())
    ops.push({
      op: 'step.upsert',
      step: { runId, name, createdAt: at + k * 300, finishedAt: at + k * 300 + 250 },
    });
  ops.push(task(1, 'start', true, [], 0));
  for (let i = 0; i < 4; i++)
    ops.push(task(2 + i, 'each', status === 'completed' || i < 3, [i], 300 + i * 10));
  if (status === 'completed') ops.push(task(6, 'end', true, [], 600));
  ops.push({ op: 'run.update', runId, patch: { status, finishedAt: at + 1_500 } });
  return ops;
}

/** Run numbers shown by the runs table, top to bottom. */
async function shownRuns(page: Page): Promise<number[]> {
  const cells = await page
    .locator('table.runs-table tbody td.run-cell a:not(.trigger-icon)')
    .allTextContents();
  return cells.map(Number);
}

async function waitForRuns(page: Page, first: number): Promise<void> {
  await page.locator('table.runs-table tbody tr').first().locator(`a:text-is("${first}")`).waitFor();
}

browserTests('web UI: the runs of a flow, its history and the event page', () => {
  let ui: UiHome;
  let browser: Browser;
  let store: MetadataStore;

  beforeAll(async () => {
    [ui, browser] = await Promise.all([startUiHome(), launchBrowser()]);
    store = openSqliteMetadataStore(homePaths(ui.home).database);
    // 60 runs: statuses in a cycle of five, two users, one a minute.
    for (let i = 0; i < 60; i++) {
      const run = await store.createRun(
        newRunRecord(PAGED, {
          user: i % 2 === 0 ? 'alice' : 'bob',
          createdAt: T0 + i * 60_000,
          tags: i % 10 === 0 ? ['nightly'] : [],
        }),
      );
      await store.write([...stepTasks(run.id, STATUSES[i % 5]!, T0 + i * 60_000)]);
    }
    const long = await store.createRun(newRunRecord(LONG_FLOW, { tags: [LONG_TAG, 'short'] }));
    await store.write([
      { op: 'run.update', runId: long.id, patch: { status: 'completed', finishedAt: Date.now() } },
    ]);
    // A long tag on a real example run too, through the service's tag route.
    const foreach = await store.getRun('ForeachFlow', 1);
    const tagged = await fetch(`${ui.server.url}/api/v1/runs/${foreach!.id}/tags`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ add: [LONG_TAG] }),
    });
    expect(tagged.status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await store?.close();
    await browser?.close();
    await ui?.stop();
  });

  it('shows only failed runs for ?status=failed, with the filter set in the toolbar', async () => {
    const page = await browser.newPage();
    const watch = watchPage(page, ui.server.url);
    await page.goto(`${ui.server.url}/flows/${PAGED}?status=failed`);
    await waitForRuns(page, 58);
    const numbers = await shownRuns(page);
    expect(numbers).toEqual([58, 53, 48, 43, 38, 33, 28, 23, 18, 13, 8, 3]);
    const badges = await page.locator('table.runs-table tbody .status').allTextContents();
    expect(new Set(badges)).toEqual(new Set(['failed']));
    expect(await page.locator('select[name=status]').inputValue()).toBe('failed');
    await screenshot(page, 'flow-runs-failed');
    expect(watch.problems).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
  });

  it('combines user, tag and time filters from the URL, and sets them from the toolbar', async () => {
    const page = await browser.newPage();
    const since = new Date(T0 + 20 * 60_000).toISOString();
    const until = new Date(T0 + 40 * 60_000).toISOString();
    await page.goto(`${ui.server.url}/flows/${PAGED}?user=alice&since=${since}&until=${until}`);
    await waitForRuns(page, 41);
    // Run n was created at minute n - 1; alice started the odd-numbered runs.
    expect(await shownRuns(page)).toEqual([41, 39, 37, 35, 33, 31, 29, 27, 25, 23, 21]);
    await page.goto(`${ui.server.url}/flows/${PAGED}`);
    await waitForRuns(page, 60);
    await page.locator('input[name=tag]').fill('nightly');
    await page.locator('input[name=tag]').press('Enter');
    await waitForRuns(page, 51);
    expect(await shownRuns(page)).toEqual([51, 41, 31, 21, 11, 1]);
    // Plain pairs in the address bar (the router's default would write `["nightly"]` as JSON).
    expect(new URL(page.url()).searchParams.getAll('tag')).toEqual(['nightly']);
    await page.locator('input[name=user]').fill('bob');
    await page.locator('input[name=user]').press('Enter');
    await page.getByText(`No run of ${PAGED} matches these filters.`).waitFor();
    expect(new URL(page.url()).searchParams.get('user')).toBe('bob');
    await screenshot(page, 'flow-runs-no-match');
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await waitForRuns(page, 60);
    expect(new URL(page.url()).search).toBe('');
  });

  it('pages with a keyset cursor: older, newer, newest', async () => {
    const page = await browser.newPage();
    await page.goto(`${ui.server.url}/flows/${PAGED}`);
    await waitForRuns(page, 60);
    expect(await shownRuns(page)).toEqual(Array.from({ length: 50 }, (_, i) => 60 - i));
    expect(await page.getByRole('button', { name: '‹ Newer' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Older ›' }).click();
    await waitForRuns(page, 10);
    expect(await shownRuns(page)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(new URL(page.url()).searchParams.get('before')).toBe('11');
    expect(await page.getByRole('button', { name: 'Older ›' }).isDisabled()).toBe(true);
    await screenshot(page, 'flow-runs-page-2');
    await page.getByRole('button', { name: '‹ Newer' }).click();
    await waitForRuns(page, 60);
    expect((await shownRuns(page)).length).toBe(50);
    // The newest page reached by paging up has the plain URL.
    await page.waitForURL((url) => url.search === '');
    // A cursor in the URL opens that page directly.
    await page.goto(`${ui.server.url}/flows/${PAGED}?before=31&status=completed`);
    const completedBelow31 = Array.from({ length: 30 }, (_, i) => 30 - i).filter(
      (n) => STATUSES[(n - 1) % 5] === 'completed',
    );
    await waitForRuns(page, completedBelow31[0]!);
    expect(await shownRuns(page)).toEqual(completedBelow31);
  });

  it("marks a triggered run; the mark leads to the upstream run, and the upstream's to the event page", async () => {
    const page = await browser.newPage();
    const watch = watchPage(page, ui.server.url);
    await page.goto(`${ui.server.url}/flows/TrainingFlow`);
    const training = page.locator('table.runs-table a.trigger-icon').first();
    await training.waitFor();
    expect(await training.getAttribute('title')).toContain('ETLFlow/1');
    await screenshot(page, 'flow-runs-triggered');
    await training.click();
    await page.waitForURL(/\/runs\/ETLFlow\/1$/);

    await page.goto(`${ui.server.url}/flows/ETLFlow`);
    const etl = page.locator('table.runs-table a.trigger-icon').first();
    await etl.waitFor();
    expect(await etl.getAttribute('title')).toContain('data_updated');
    await etl.click();
    await page.waitForURL(/\/events\/[0-9a-f-]+$/);
    await page.getByRole('heading', { name: 'data_updated' }).waitFor();
    await page.getByText('dataset.orders').first().waitFor();
    await page.getByTestId('payload-tree').getByText('table: "orders"').waitFor();
    await page.getByRole('link', { name: 'ETLFlow/1', exact: true }).waitFor();
    await screenshot(page, 'event');
    // The upstream run's completion event: its resource and related flow link to their pages.
    const training1 = (await (await fetch(`${ui.server.url}/api/v1/flows/TrainingFlow/runs/1`)).json()) as {
      trigger: { id: string }[];
    };
    await page.goto(`${ui.server.url}/events/${training1.trigger[0]!.id}`);
    await page.getByRole('heading', { name: 'flowtrail.run.completed' }).waitFor();
    // (the same link also appears in the firing this event caused, under "What it caused")
    await page
      .locator('.resource-id')
      .getByRole('link', { name: 'flowtrail.run.ETLFlow/1', exact: true })
      .waitFor();
    const related = page.locator('table.related tbody tr', { hasText: 'flowtrail.flow.ETLFlow' });
    expect(await related.locator('td').first().textContent()).toBe('flow');
    await page.getByRole('link', { name: 'TrainingFlow/1', exact: true }).waitFor();
    await screenshot(page, 'event-run-completed');
    // An untriggered run has no mark.
    await page.goto(`${ui.server.url}/flows/HelloFlow`);
    await waitForRuns(page, 1);
    expect(await page.locator('table.runs-table a.trigger-icon').count()).toBe(0);
    expect(watch.problems).toEqual([]);
  });

  it('shows the runs × steps history with a foreach summarized in one cell', async () => {
    const page = await browser.newPage();
    const watch = watchPage(page, ui.server.url);
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/')) requests.push(new URL(r.url()).pathname);
    });
    await page.goto(`${ui.server.url}/flows/ForeachFlow/history`);
    const matrix = page.getByRole('table', { name: 'Runs by steps of ForeachFlow' });
    await matrix.waitFor();
    const headers = await matrix.locator('thead th').allTextContents();
    expect(headers[0]).toBe('Run');
    expect(headers.slice(1)).toEqual(['start', 'score', 'audit', 'join', 'end']);
    const score = matrix.locator('tbody tr').first().locator('td').nth(1);
    expect(await score.getAttribute('title')).toMatch(/^score: \d+ tasks — /);
    expect(await score.locator('.hcell-count').textContent()).toMatch(/^\d+\/\d+/);
    // One request for the columns, one per page of runs (the same again when the stream comes up),
    // none per run or task.
    expect(new Set(requests.filter((p) => p !== '/api/v1/events/stream'))).toEqual(
      new Set(['/api/v1/flows/ForeachFlow/steps', '/api/v1/flows/ForeachFlow/history']),
    );
    await screenshot(page, 'flow-history');
    // 60 runs: the first page shows 50, a failed run's foreach cell is red and its end did not run.
    await page.goto(`${ui.server.url}/flows/${PAGED}/history`);
    const paged = page.getByRole('table', { name: `Runs by steps of ${PAGED}` });
    await paged.waitFor();
    expect((await paged.locator('thead th').allTextContents()).slice(1)).toEqual(['start', 'each', 'end']);
    expect(await paged.locator('tbody tr').count()).toBe(50);
    const run58 = paged.locator('tbody tr', { has: page.getByRole('link', { name: '58', exact: true }) });
    expect(await run58.locator('td').nth(1).getAttribute('class')).toContain('hcell-failed');
    expect(await run58.locator('td').nth(1).textContent()).toContain('4/4');
    expect(await run58.locator('td').nth(2).getAttribute('class')).toContain('hcell-none');
    await screenshot(page, 'flow-history-paged');
    await page.getByRole('button', { name: 'Older ›' }).click();
    await paged.locator('tbody tr').first().getByRole('link', { name: '10', exact: true }).waitFor();
    expect(await paged.locator('tbody tr').count()).toBe(10);
    // The tab back to the runs keeps the filters.
    await page.goto(`${ui.server.url}/flows/${PAGED}/history?status=failed`);
    await page.getByRole('table', { name: `Runs by steps of ${PAGED}` }).waitFor();
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.waitForURL(new RegExp(`/flows/${PAGED}\\?status=failed$`));
    await waitForRuns(page, 58);
    expect(watch.problems).toEqual([]);
  });

  it('keeps long flow names and tags inside the page', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1024, height: 700 });
    for (const url of [`/flows/${LONG_FLOW}`, `/flows/${LONG_FLOW}/history`, '/flows/ForeachFlow']) {
      await page.goto(`${ui.server.url}${url}`);
      await page.locator('.flow-header-name').waitFor();
      await page.locator('table').first().waitFor();
      const overflow = await page.evaluate(
        // In the page (a string: the tests' TypeScript has no DOM types).
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow, url).toBeLessThanOrEqual(0);
    }
    await page.goto(`${ui.server.url}/flows/${LONG_FLOW}`);
    const chip = page.locator('table.runs-table .tag-chip', { hasText: 'experiment:' });
    await chip.waitFor();
    expect(await chip.getAttribute('title')).toContain(LONG_TAG);
    const box = await chip.boundingBox();
    expect(box!.width).toBeLessThan(300);
    await screenshot(page, 'flow-runs-long-names');
  });

  it('shows a new run of the flow without a reload', async () => {
    const page = await browser.newPage();
    await page.goto(`${ui.server.url}/flows/${PAGED}`);
    await waitForRuns(page, 60);
    await page.locator('.live-live').waitFor();
    const run = await store.createRun(newRunRecord(PAGED, { user: 'carol' }), { startedEvent: {} });
    expect(run.runNumber).toBe(61);
    await waitForRuns(page, 61);
    expect((await shownRuns(page)).slice(0, 2)).toEqual([61, 60]);
  });

  it('lists the flows with their latest runs in two requests, whatever the number of flows', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1024, height: 700 });
    const requests: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/api/v1/') && url.pathname !== '/api/v1/events/stream')
        requests.push(url.pathname);
    });
    await page.goto(`${ui.server.url}/`);
    await page.getByRole('link', { name: new RegExp(`^${PAGED}/\\d+$`) }).waitFor();
    await page.getByRole('link', { name: 'TrainingFlow/1', exact: true }).waitFor();
    // The triggered flows' latest runs carry the mark.
    expect(await page.locator('a.trigger-icon').count()).toBeGreaterThanOrEqual(3);
    expect(new Set(requests)).toEqual(new Set(['/api/v1/flows', '/api/v1/runs/latest-per-flow']));
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'flows-latest-runs');
  });

  it('says so for an event that is not stored', async () => {
    const page = await browser.newPage();
    await page.goto(`${ui.server.url}/events/00000000-0000-7000-8000-000000000000`);
    await page.getByText('No event with id').waitFor();
  });
});
