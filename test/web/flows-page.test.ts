import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserTests, launchBrowser, screenshot, watchPage } from './browser.ts';
import { startUiHome, type UiHome } from './ui-home.ts';

browserTests('web UI: the flows page and the assets', () => {
  let ui: UiHome;
  let browser: Browser;
  beforeAll(async () => {
    [ui, browser] = await Promise.all([startUiHome(), launchBrowser()]);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  it('lists every example flow with its latest run, and requests nothing from another origin', async () => {
    const page = await browser.newPage();
    const watch = watchPage(page, ui.server.url);
    await page.goto(`${ui.server.url}/`);
    for (const flow of ['HelloFlow', 'ForeachFlow', 'ETLFlow', 'TrainingFlow', 'PredictionFlow'])
      await page.getByRole('link', { name: flow, exact: true }).waitFor();
    await screenshot(page, 'flows');
    expect(watch.foreignRequests).toEqual([]);
    expect(watch.problems).toEqual([]);
  });

  it('serves index.html uncached with a CSP, hashed assets cached for good, and the API beside it', async () => {
    const index = await fetch(`${ui.server.url}/runs/ForeachFlow/1`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toContain('no-store');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${ui.server.url}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${ui.server.url}/assets/..%2Fpackage.json`)).status).toBe(404);
    const api = await fetch(`${ui.server.url}/api/v1/nothing-here`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});
