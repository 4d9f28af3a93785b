/**
 * A real Chromium for the UI tests: Debian's `/usr/bin/chromium` driven by playwright-core,
 * headless, with every background connection off (the machines have no network). Without the
 * browser the tests fail under CI=true and skip with a loud message otherwise. Screenshots go to
 * `test-results/screens/` (git-ignored), to be looked at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { describe } from 'vitest';
import { repoRoot } from '../helpers.ts';
import { declareMissingService } from '../support/missing-service.ts';

export const CHROMIUM = process.env.FLOWTRAIL_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENS = path.join(repoRoot, 'test-results', 'screens');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-extensions',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** `describe` when Chromium is installed; else a failing test under CI, a loud skip otherwise. */
export function browserTests(what: string, body: () => void): void {
  if (fs.existsSync(CHROMIUM)) {
    describe(what, body);
    return;
  }
  declareMissingService(what, {
    service: 'Chromium',
    message: `no Chromium at ${CHROMIUM}.`,
    hint: 'apt-get install -y chromium, which .ci/run does',
  });
}

/** Writes a full-page PNG of the page to test-results/screens/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENS, { recursive: true });
  const file = path.join(SCREENS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Collects what the page did wrong: console errors, uncaught exceptions, and any request to an
 * origin other than the server's (the bundle must make none).
 */
export function watchPage(page: Page, origin: string): { problems: string[]; foreignRequests: string[] } {
  const problems: string[] = [];
  const foreignRequests: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))
      foreignRequests.push(url);
  });
  return { problems, foreignRequests };
}

/**
 * Waits until a JavaScript expression (a string: the tests' TypeScript has no DOM types) is truthy
 * in the page. Evaluated through the DevTools protocol each time, which the page's CSP allows —
 * Playwright's `waitForFunction` with a string polls through `eval`, which `script-src 'self'`
 * (rightly) refuses.
 */
export async function waitForExpression(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(expression)) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
