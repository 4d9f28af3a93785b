import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript script shared with `npm start`
import { seedExamples } from '../../scripts/seed-examples.mjs';
import { newApiKey } from '../../src/server/auth.ts';
import type { RunningServer } from '../../src/server/server.ts';
import { browserTests, launchBrowser, screenshot } from './browser.ts';
import { serveHome } from './ui-home.ts';

browserTests('web UI: a server that requires an API key', () => {
  let home: string;
  let server: RunningServer;
  let browser: Browser;
  let readKey: string;
  const logs: string[] = [];
  beforeAll(async () => {
    home = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-ui-auth-'));
    await (seedExamples as (home: string) => Promise<void>)(home);
    [server, browser] = await Promise.all([
      serveHome(home, { auth: 'required', log: (line) => logs.push(line) }),
      launchBrowser(),
    ]);
    const { key, record } = newApiKey('ui-reader', 'read');
    await server.stores.apiKeys.create(record);
    readKey = key;
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (home) await fsp.rm(home, { recursive: true, force: true });
  });

  it('asks for a key, refuses a wrong one, shows the pages with a read key, and keeps the key out of URLs and logs', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    const prompt = page.getByRole('form', { name: 'API key' });
    await prompt.waitFor();
    await expect(page.getByRole('link', { name: 'HelloFlow', exact: true }).count()).resolves.toBe(0);
    await screenshot(page, 'auth-prompt');

    await page.getByPlaceholder('ftk_…').fill(`${readKey.slice(0, -1)}${readKey.endsWith('a') ? 'b' : 'a'}`);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByText('was refused').waitFor();

    await page.getByPlaceholder('ftk_…').fill(readKey);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByRole('link', { name: 'HelloFlow', exact: true }).waitFor();
    await expect(prompt.count()).resolves.toBe(0);
    await screenshot(page, 'auth-flows');

    // Kept per tab: a reload keeps it, a new tab (another session storage) asks again.
    await page.reload();
    await page.getByRole('link', { name: 'HelloFlow', exact: true }).waitFor();
    const other = await (await browser.newContext()).newPage();
    await other.goto(`${server.url}/`);
    await other.getByRole('form', { name: 'API key' }).waitFor();

    expect(page.url()).not.toContain(readKey);
    expect(logs.join('\n')).not.toContain(readKey);
    expect(logs.some((l) => l.startsWith('GET /api/v1/flows 200'))).toBe(true);
    await context.close();
  });
});
