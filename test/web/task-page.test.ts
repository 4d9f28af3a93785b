import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture, runCli, sleep } from '../helpers.ts';
import { browserTests, launchBrowser, screenshot, waitForExpression, watchPage } from './browser.ts';
import { startUiHome, type UiHome } from './ui-home.ts';

const XSS = '<img src=x onerror=window.__xss=1>';
/** What the hostile artifacts would set if any of them ran. */
const XSS_FLAG = 'window.__xss';
const LOADED_IMAGE = (alt: string) =>
  `(() => { const el = document.querySelector('img.task-image'); return el !== null && el.alt === ${JSON.stringify(alt)} && el.complete && el.naturalWidth > 0; })()`;
const IMAGE_SIZE = `(() => { const el = document.querySelector('img.task-image'); return [el.naturalWidth, el.naturalHeight]; })()`;

interface TaskRow {
  taskId: number;
  step: string;
  foreachPath: number[];
  status: string;
}

browserTests('web UI: the task page', () => {
  let ui: UiHome;
  let browser: Browser;
  let env: NodeJS.ProcessEnv;

  const api = async <T>(p: string): Promise<T> => {
    const r = await fetch(`${ui.server.url}/api/v1${p}`);
    expect(r.status, p).toBe(200);
    return (await r.json()) as T;
  };
  const runId = async (flow: string, n: number) => (await api<{ id: number }>(`/flows/${flow}/runs/${n}`)).id;
  const tasks = async (flow: string, n: number) =>
    (await api<{ tasks: TaskRow[] }>(`/runs/${await runId(flow, n)}/tasks`)).tasks;
  const taskOf = async (flow: string, step: string, index?: number) => {
    const t = (await tasks(flow, 1)).find(
      (x) => x.step === step && (index === undefined || x.foreachPath[0] === index),
    );
    expect(t, `${flow} ${step} ${index}`).toBeDefined();
    return t!;
  };
  const open = async (url: string): Promise<{ page: Page; watch: ReturnType<typeof watchPage> }> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const watch = watchPage(page, ui.server.url);
    await page.goto(`${ui.server.url}${url}`);
    return { page, watch };
  };

  beforeAll(async () => {
    [ui, browser] = await Promise.all([startUiHome({ chain: false }), launchBrowser()]);
    env = { ...process.env, FLOWTRAIL_HOME: ui.home, FLOWTRAIL_USER: 'demo' };
    const r = await runCli(['run', fixture('artifact-kinds.ts')], env);
    expect(r.code, r.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  it('shows a HelloFlow task: timings, environment, its log and its artifact', async () => {
    const hello = await taskOf('HelloFlow', 'hello');
    const { page, watch } = await open(`/runs/HelloFlow/1/hello/${hello.taskId}`);
    await page.getByText('Hello from Flowtrail, says hello').waitFor();
    await page.getByRole('heading', { name: 'Timings' }).waitFor();
    await page.getByText('Queue wait').waitFor();
    await page.getByText('Node.js').waitFor();
    const preview = page.getByTestId('artifact-preview');
    await preview.getByText('message', { exact: true }).waitFor();
    await preview.getByText('Hello from Flowtrail!', { exact: true }).waitFor();
    await screenshot(page, 'task-hello');
    expect(watch.problems).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });

  it('previews artifacts by type: a tree, a table of rows, a Map, a Set, a Date, an image and big bytes', async () => {
    const { page, watch } = await open('/runs/ArtifactKindsFlow/1/start/1?artifact=config');
    const preview = page.getByTestId('artifact-preview');
    // The tree: open two levels deep, each level behind a toggle.
    await preview.getByText('activation:').waitFor();
    await preview.getByText('"relu"').waitFor();
    await preview.getByText('deeper:').waitFor();
    const nested = preview.getByRole('button', { name: /nested: object \(1 key\)/ });
    expect(await nested.getAttribute('aria-expanded')).toBe('true');
    await nested.click();
    expect(await nested.getAttribute('aria-expanded')).toBe('false');
    expect(await preview.getByText('deeper:').count()).toBe(0);
    await nested.click();
    await preview.getByText('deeper:').waitFor();
    await screenshot(page, 'task-artifact-tree');

    // The list says what each artifact is.
    const list = page.locator('.task-artifact-list');
    for (const [name, type] of <[string, string][]>[
      ['rows', 'rows 30 × 4'],
      ['lookup', 'Map (2)'],
      ['labels', 'Set (2)'],
      ['when', 'Date'],
      ['chart', 'PNG image'],
      ['drawing', 'SVG image'],
      ['blob', 'Uint8Array'],
      ['count', 'number'],
    ])
      await list
        .getByRole('row', { name: new RegExp(`^${name} ${type.replace(/[()]/g, '\\$&')} `) })
        .waitFor();

    await page.getByRole('button', { name: 'rows', exact: true }).click();
    const table = preview.locator('table');
    await table.getByRole('columnheader', { name: 'name' }).waitFor();
    await table.getByRole('cell', { name: 'row 29', exact: true }).waitFor();
    await table.getByRole('cell', { name: '2026-01-30T00:00:00.000Z' }).waitFor();
    expect(await table.locator('tbody tr').count()).toBe(30);
    expect(page.url()).toContain('artifact=rows');
    await screenshot(page, 'task-artifact-table');

    await page.getByRole('button', { name: 'lookup', exact: true }).click();
    await preview.getByText('"alpha"').waitFor();
    await preview.getByText('Map (2)').waitFor();
    await page.getByRole('button', { name: 'labels', exact: true }).click();
    await preview.getByText('"green"').waitFor();
    await page.getByRole('button', { name: 'when', exact: true }).click();
    await preview.getByText('2026-05-17T12:30:00.000Z').waitFor();
    await page.getByRole('button', { name: 'blob', exact: true }).click();
    await preview.getByText(/3\.0 MB of binary data \(Uint8Array\)/).waitFor();
    await preview.getByText('07 07 07 07', { exact: false }).waitFor();

    await page.getByRole('button', { name: 'chart', exact: true }).click();
    const img = preview.getByRole('img', { name: 'artifact chart' });
    await img.waitFor();
    // Browser-side code as strings: this file is compiled without the DOM library.
    await waitForExpression(page, LOADED_IMAGE('artifact chart'));
    expect(await page.evaluate(IMAGE_SIZE)).toEqual([24, 24]);
    expect(await img.getAttribute('src')).toMatch(/^blob:/);
    await screenshot(page, 'task-artifact-image');

    // An SVG with a <script> shows as an image; the script never runs.
    await page.getByRole('button', { name: 'drawing', exact: true }).click();
    await preview.getByRole('img', { name: 'artifact drawing' }).waitFor();
    await waitForExpression(page, LOADED_IMAGE('artifact drawing'));
    expect(await page.evaluate(XSS_FLAG)).toBeUndefined();
    expect(watch.problems).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });

  it('renders a log line and artifacts containing markup as text', async () => {
    const { page, watch } = await open('/runs/ArtifactKindsFlow/1/start/1?artifact=hostileTree');
    await page.getByTestId('log-lines').getByText(XSS, { exact: true }).waitFor();
    const preview = page.getByTestId('artifact-preview');
    await preview.getByText(`${XSS}:`, { exact: true }).waitFor();
    await preview.getByText(JSON.stringify(XSS), { exact: true }).waitFor();
    await page.getByRole('button', { name: 'hostile', exact: true }).click();
    await preview.getByText(XSS, { exact: true }).waitFor();
    // Searching for the markup marks it up as text too.
    await page.getByLabel('Search the log').fill('onerror');
    await page.getByLabel('Search results').getByText('1 matching line').waitFor();
    await screenshot(page, 'task-xss');
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(XSS_FLAG)).toBeUndefined();
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it('virtualizes a long log, finds a line server-side, and downloads the full log', async () => {
    const { page } = await open('/runs/ArtifactKindsFlow/1/start/1');
    const lines = page.getByTestId('log-lines');
    await lines.getByText('progress line 0', { exact: true }).waitFor();
    await page.getByRole('tab', { name: /All 2007/ }).waitFor();
    // 2,007 lines, a few dozen in the DOM.
    expect(await lines.locator('.task-log-row').count()).toBeLessThan(150);
    expect(await lines.getByText('last line', { exact: true }).count()).toBe(0);

    await page.getByLabel('Search the log').fill('needle');
    const results = page.getByLabel('Search results');
    await results.getByText('1 matching line').waitFor();
    expect(await results.locator('mark').allTextContents()).toEqual(['NEEDLE']);
    await results.getByRole('button', { name: /the NEEDLE is here/ }).click();
    const hit = lines.locator('.task-log-row.selected');
    await hit.getByText('NEEDLE', { exact: true }).waitFor();
    expect(await hit.textContent()).toBe('2004the NEEDLE is here');
    await page.waitForURL(/q=needle/);
    await screenshot(page, 'task-log-search');

    // The stream tabs filter; search follows the tab.
    await page.getByRole('tab', { name: /stderr 1/ }).click();
    await lines.getByText('a warning on stderr').waitFor();
    await results.getByText('No line contains “needle”.').waitFor();
    await page.getByRole('tab', { name: /All/ }).click();

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download log' }).click();
    const file = await (await download).path();
    const text = fs.readFileSync(file!, 'utf8');
    const got = text.split('\n').slice(0, -1);
    expect(got).toHaveLength(2007);
    expect(got[0]).toBe(`stdout| ${XSS}`);
    expect(got).toContain('stderr| a warning on stderr');
    expect(got.at(-1)).toBe('stdout| last line');
    expect((await download).suggestedFilename()).toBe('ArtifactKindsFlow-1-start-1-attempt0.log');
    await page.close();

    const id = await runId('ArtifactKindsFlow', 1);
    const plain = await fetch(`${ui.server.url}/api/v1/runs/${id}/tasks/1/logs/download?stream=stdout`);
    expect(plain.headers.get('content-type')).toContain('text/plain');
    expect(plain.headers.get('content-disposition')).toContain('attachment');
    const stdout = (await plain.text()).split('\n').slice(0, -1);
    expect(stdout).toHaveLength(2006);
    expect(stdout).toContain('the NEEDLE is here');
  });

  it('downloads an artifact: bytes as they are, a value as JSON', async () => {
    const id = await runId('ArtifactKindsFlow', 1);
    const png = await fetch(`${ui.server.url}/api/v1/runs/${id}/tasks/1/artifacts/chart/download`);
    expect(png.headers.get('content-disposition')).toBe('attachment; filename="chart.png"');
    expect(png.headers.get('content-security-policy')).toContain('sandbox');
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(0, 4)
        .toString('hex'),
    ).toBe('89504e47');
    const rows = await fetch(`${ui.server.url}/api/v1/runs/${id}/tasks/1/artifacts/rows/download`);
    const json = (await rows.json()) as { id: number; at: string }[];
    expect(json).toHaveLength(30);
    expect(json[29]).toMatchObject({ id: 29, at: '2026-01-30T00:00:00.000Z' });
    const lookup = await fetch(`${ui.server.url}/api/v1/runs/${id}/tasks/1/artifacts/lookup/download`);
    expect(await lookup.json()).toEqual({
      $map: [
        ['alpha', 1],
        ['beta', 2],
      ],
    });
    const missing = await fetch(`${ui.server.url}/api/v1/runs/${id}/tasks/1/artifacts/nope/preview`);
    expect(missing.status).toBe(404);
  });

  it("shows the failed attempts of ForeachFlow's score for item b, each with its exception, and lets one pick", async () => {
    const score = await taskOf('ForeachFlow', 'score', 1);
    const { page, watch } = await open(`/runs/ForeachFlow/1/score/${score.taskId}?attempt=0`);
    const attempts = page.getByRole('navigation', { name: 'Attempts' });
    for (const n of [0, 1, 2])
      await attempts.getByRole('link', { name: new RegExp(`Attempt ${n}`) }).waitFor();
    const exception = page.getByRole('region', { name: 'Exception' });
    await exception.getByText('transient failure on attempt 0', { exact: true }).waitFor();
    expect(await exception.locator('pre').textContent()).toMatch(
      /^Error: transient failure on attempt 0\n\s+at ForeachFlow\.score/,
    );
    await page.getByRole('heading', { name: 'Logs of attempt 0' }).waitFor();
    await page.getByTestId('log-lines').getByText('Error: transient failure on attempt 0').waitFor();
    await screenshot(page, 'task-exception');

    await attempts.getByRole('link', { name: /Attempt 1/ }).click();
    await exception.getByText('transient failure on attempt 1', { exact: true }).waitFor();
    await page.waitForURL(/attempt=1/);

    await attempts.getByRole('link', { name: /Attempt 2/ }).click();
    await page.getByTestId('log-lines').getByText('scored b = 2 (attempt 2)').waitFor();
    expect(await exception.count()).toBe(0);
    await page.getByRole('button', { name: 'points', exact: true }).click();
    await page.getByTestId('artifact-preview').getByText('2', { exact: true }).waitFor();
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it('shows the caught audit failure: the exception, marked caught, and the artifact it was caught into', async () => {
    const audit = await taskOf('ForeachFlow', 'audit', 2);
    const { page, watch } = await open(`/runs/ForeachFlow/1/audit/${audit.taskId}?artifact=auditError`);
    await page.getByText('failure caught').waitFor();
    const exception = page.getByRole('region', { name: 'Exception' });
    await exception.getByText('audit refused item c', { exact: true }).waitFor();
    await exception.getByText('caught — the run went on').waitFor();
    const preview = page.getByTestId('artifact-preview');
    await preview.getByText('"audit refused item c"').waitFor();
    await screenshot(page, 'task-caught');
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it('tails a running task live: new lines appear without a reload while following', async () => {
    const gate = path.join(ui.home, 'log-gate');
    const endGate = path.join(ui.home, 'log-end-gate');
    const running = runCli(['run', fixture('logs.ts')], {
      ...env,
      LOG_GATE_FILE: gate,
      LOG_END_GATE_FILE: endGate,
    });
    let id: number | undefined;
    for (let i = 0; i < 400 && id === undefined; i++) {
      const r = await fetch(`${ui.server.url}/api/v1/flows/LogsFlow/runs/1`);
      if (r.ok) {
        const run = (await r.json()) as { id: number };
        const t = await fetch(`${ui.server.url}/api/v1/runs/${run.id}/tasks/1/logs`);
        if (t.ok && ((await t.json()) as { lines: unknown[] }).lines.length > 0) id = run.id;
      }
      if (id === undefined) await sleep(50);
    }
    expect(id).toBeDefined();
    const { page, watch } = await open('/runs/LogsFlow/1/start/1');
    const lines = page.getByTestId('log-lines');
    await lines.getByText('first line: héllo wörld 🌍').waitFor();
    await page.getByText('live', { exact: true }).waitFor();
    const follow = page.getByRole('button', { name: /^Follow/ });
    expect(await follow.getAttribute('aria-pressed')).toBe('true');
    fs.writeFileSync(gate, '');
    // The task is still running (it waits for the end gate): no task event moves the page, only
    // the log stream brings these lines.
    await lines.getByText('line 4', { exact: true }).waitFor();
    await page.getByText('live', { exact: true }).waitFor();
    // Pages and the stream both read lines; each shows once.
    expect(await lines.getByText('first line: héllo wörld 🌍').count()).toBe(1);
    expect(await lines.getByText('line 4', { exact: true }).count()).toBe(1);
    fs.writeFileSync(endGate, '');
    expect((await running).code).toBe(0);
    await page
      .getByRole('link', { name: /Attempt 0/ })
      .getByText('completed')
      .waitFor();
    await screenshot(page, 'task-live');
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it('stops following when the user scrolls up', async () => {
    const { page } = await open('/runs/ArtifactKindsFlow/1/start/1');
    const lines = page.getByTestId('log-lines');
    await lines.getByText('progress line 0', { exact: true }).waitFor();
    const follow = page.getByRole('button', { name: /^Follow/ });
    expect(await follow.getAttribute('aria-pressed')).toBe('false');
    await follow.click();
    await lines.getByText('last line', { exact: true }).waitFor();
    expect(await follow.getAttribute('aria-pressed')).toBe('true');
    await lines.hover();
    await page.mouse.wheel(0, -600);
    await waitForExpression(
      page,
      `document.querySelector('button[aria-pressed]')?.getAttribute('aria-pressed') === 'false'`,
    );
    await page.close();
  });
});
