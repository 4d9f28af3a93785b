/**
 * The deployments screens (`/deployments`, `/deployments/FLOW`) in a real browser, over a home with
 * the examples' trigger chain deployed and run, and two deployments of our own: one on an event and
 * a schedule (HTML in its parameters), one with a long name waiting for two events. The list and
 * the page show each deployment's triggers (as the automation it owns), schedule, parameters and
 * firings; pausing in the UI stops its trigger (an event emitted with the CLI starts nothing), and
 * resuming starts runs again — the firing and its run appear on the open page without a reload. A
 * pause made with the CLI shows live too. HTML is shown as text; an empty store says what to do.
 * Screenshots go to test-results/screens/.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.ts';
import { repoRoot, runCli } from '../helpers.ts';
import { browserTests, launchBrowser, screenshot, waitForExpression, watchPage } from './browser.ts';
import { serveHome, startUiHome, type UiHome } from './ui-home.ts';

const PINGED = 'PingedFlow';
const LONG = 'AFlowWhoseNameKeepsGoingOnAndOnBecauseSomeTeamsNameThingsVeryPreciselyIndeedFlow';
const XSS = '<b id="xss-value">deployed</b><script>window.__xss = 1</script>';
const fixture = (name: string) => path.join(repoRoot, 'test', 'web', 'fixtures', 'deploy', name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Firing {
  id: string;
  status: string;
  runId: number | null;
}

browserTests('web UI: the deployments list and page', () => {
  let ui: UiHome;
  let browser: Browser;
  let env: NodeJS.ProcessEnv;

  const api = async <T>(url: string, server: RunningServer = ui.server): Promise<T> => {
    const r = await fetch(`${server.url}/api/v1${url}`);
    expect(r.status, url).toBe(200);
    return (await r.json()) as T;
  };
  const runsOf = async (flow: string): Promise<{ id: number; runNumber: number; status: string }[]> => {
    const r = await fetch(`${ui.server.url}/api/v1/flows/${flow}/runs`);
    if (r.status === 404) return []; // the flow never ran
    return ((await r.json()) as { runs: { id: number; runNumber: number; status: string }[] }).runs;
  };
  const firingsOf = async (flow: string) =>
    (await api<{ firings: Firing[] }>(`/deployments/${flow}/firings`)).firings;
  const cli = async (...args: string[]) => {
    const r = await runCli(args, env);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const emit = (event: string, payload: Record<string, unknown> = {}) =>
    cli('events', 'emit', event, '--resource-id', `dataset.${event}`, '--payload', JSON.stringify(payload));

  const open = async (url: string, server: RunningServer = ui.server) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const watch = watchPage(page, server.url);
    await page.goto(`${server.url}${url}`);
    return { page, watch };
  };
  const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? '';
  const noScriptRan = async (page: Page) => {
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('#xss-value, #xss-default, #xss-help').count()).toBe(0);
  };

  beforeAll(async () => {
    [ui, browser] = await Promise.all([startUiHome(), launchBrowser()]);
    env = { ...process.env, FLOWTRAIL_HOME: ui.home, FLOWTRAIL_USER: 'demo' };
    await cli('deploy', fixture('pinged.ts'), '--note', XSS);
    await cli('deploy', fixture('long-named.ts'));
    await cli('deploy', fixture('report.ts'));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  it('lists every deployment with its status, triggers, schedule, parameters and last firing', async () => {
    const { page, watch } = await open('/deployments');
    await waitForExpression(page, `document.querySelectorAll('[data-deployment]').length >= 6`);
    const flows = await page
      .locator('[data-deployment]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-deployment')));
    const { deployments } = await api<{ deployments: { flow: string }[] }>('/deployments');
    expect(flows).toEqual(deployments.map((d) => d.flow));

    const pinged = page.locator(`[data-deployment="${PINGED}"]`);
    const row = (await pinged.textContent()) ?? '';
    expect(row).toContain('event ui_deploy_ping');
    expect(row).toContain("cron '0 3 1 1 *' UTC");
    expect(row).toContain('1 set'); // note, given at deploy time
    expect(row).toContain('never'); // no firing yet
    expect(await pinged.locator('[data-status]').getAttribute('data-status')).toBe('active');
    // The trigger links to the automation the deployment owns.
    const [owned] = (
      await api<{ automations: { id: string }[] }>(
        `/automations?owner=${encodeURIComponent(`flowtrail.deployment.${PINGED}`)}`,
      )
    ).automations;
    expect(await pinged.locator('a.automation-link').getAttribute('href')).toBe(`/automations/${owned!.id}`);

    // The chain ran: ETLFlow fired once and started its run; TrainingFlow waits on ETLFlow.
    expect(await text(page, '[data-deployment="ETLFlow"]')).toMatch(/ago\s*started/);
    expect(await text(page, '[data-deployment="TrainingFlow"]')).toContain('ETLFlow finishing');
    expect(await text(page, `[data-deployment="${LONG}"]`)).toContain(
      'event ui_left_ready AND event ui_right_ready',
    );
    await screenshot(page, 'deployments-list');
    expect(watch.problems).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });

  it("shows a deployment's owned automation, schedule and parameters (HTML as text)", async () => {
    const { page, watch } = await open(`/deployments/${PINGED}`);
    await waitForExpression(page, `document.querySelector('[data-parameter="extra"]') !== null`);
    const triggers = await text(page, '[aria-label="triggers and schedule"]');
    expect(triggers).toContain('event ui_deploy_ping');
    expect(triggers).toContain(`${PINGED} (deployment triggers)`);
    expect(triggers).toContain('enabled');
    expect(triggers).toContain('note ← payload.note');
    expect(triggers).toContain("cron '0 3 1 1 *' UTC");
    expect(triggers).toMatch(/next \d{4}-01-01 /);
    expect(await page.locator('a[href="/flows/PingedFlow"]').count()).toBeGreaterThan(0);

    expect(await text(page, '[data-parameter="note"]')).toContain(JSON.stringify(XSS));
    expect(await text(page, '[data-parameter="note"]')).toContain('"<b id=\\"xss-default\\">bold</b>"');
    expect(await text(page, '[data-parameter="note"]')).toContain('<i id="xss-help">what to note</i>');
    expect(await text(page, '[data-parameter="count"]')).toMatch(/number\s*3\s*\(default\)/);
    expect(await text(page, '[data-parameter="extra"]')).toContain('onerror');
    await noScriptRan(page);
    expect(await text(page, '[aria-label="recent firings"]')).toContain('No firings yet');
    await screenshot(page, 'deployment-page');
    expect(watch.problems).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });

  it('pausing in the UI stops the trigger; resuming starts runs again, shown live on the page', async () => {
    const { page, watch } = await open(`/deployments/${PINGED}`);
    await waitForExpression(page, `document.querySelector('.live-live') !== null`);
    await page.getByRole('button', { name: `Pause ${PINGED}` }).click();
    await waitForExpression(
      page,
      `document.querySelector('.deployment-controls [data-status="paused"]') !== null`,
    );
    await waitForExpression(page, `document.querySelector('[data-enabled="false"]') !== null`);
    expect((await api<{ status: string }>(`/deployments/${PINGED}`)).status).toBe('paused');
    await screenshot(page, 'deployment-paused');

    await emit('ui_deploy_ping', { note: 'while paused' });
    // The engine polls every 20 ms here; 3 s is plenty for it to have started a run if it would.
    await sleep(3_000);
    expect(await runsOf(PINGED)).toEqual([]);
    expect(await firingsOf(PINGED)).toEqual([]);

    await page.getByRole('button', { name: `Resume ${PINGED}` }).click();
    await waitForExpression(
      page,
      `document.querySelector('.deployment-controls [data-status="active"]') !== null`,
    );
    expect((await api<{ status: string }>(`/deployments/${PINGED}`)).status).toBe('active');
    await emit('ui_deploy_ping', { note: 'after resume' });
    // No reload: the firing and its run come in on the event stream.
    await waitForExpression(
      page,
      `[...document.querySelectorAll('[data-firing-id]')].some((r) => r.dataset.runId !== '' && r.querySelector('a[href^="/runs/PingedFlow/"]'))`,
      60_000,
    );
    await waitForExpression(
      page,
      `document.querySelector('[data-run="PingedFlow/1"] .status-completed') !== null`,
      60_000,
    );
    const runs = await runsOf(PINGED);
    expect(runs.map((r) => r.runNumber)).toEqual([1]);
    const [firing] = await firingsOf(PINGED);
    expect(firing).toMatchObject({ status: 'started', runId: runs[0]!.id });
    const firingRow = await text(page, `[data-firing-id="${firing!.id}"]`);
    expect(firingRow).toContain('event ui_deploy_ping');
    expect(firingRow).toContain('PingedFlow/1');
    // The cause links to the event that started it.
    const eventHref = await page
      .locator(`[data-firing-id="${firing!.id}"] a[href^="/events/"]`)
      .getAttribute('href');
    const filtered = await fetch(`${ui.server.url}/api/v1/events/filter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { event: { name: ['ui_deploy_ping'] } } }),
    });
    const { events } = (await filtered.json()) as { events: { id: string; payload: { note?: string } }[] };
    const started = events.find((e) => e.payload.note === 'after resume');
    expect(eventHref).toBe(`/events/${started!.id}`);
    await screenshot(page, 'deployment-fired');

    // A pause made elsewhere (the CLI) shows on the open page too.
    await cli('deployments', 'pause', PINGED);
    await waitForExpression(
      page,
      `document.querySelector('.deployment-controls [data-status="paused"]') !== null`,
    );
    await cli('deployments', 'resume', PINGED);
    await waitForExpression(
      page,
      `document.querySelector('.deployment-controls [data-status="active"]') !== null`,
    );
    expect(watch.problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('a deployment waiting for two events shows what has arrived, live; a long name wraps', async () => {
    const { page, watch } = await open(`/deployments/${LONG}`);
    await waitForExpression(
      page,
      `document.querySelector('[data-dependency="event:ui_left_ready"]') !== null`,
    );
    await waitForExpression(page, `document.querySelector('.live-live') !== null`);
    expect(await page.locator('[data-arrived="yes"]').count()).toBe(0);
    await emit('ui_left_ready');
    await waitForExpression(
      page,
      `document.querySelector('[data-dependency="event:ui_left_ready"]').dataset.arrived === 'yes'`,
      30_000,
    );
    expect(await page.locator('[data-dependency="event:ui_right_ready"]').getAttribute('data-arrived')).toBe(
      'no',
    );
    expect(await text(page, '[aria-label="parameters"]')).toContain('no parameters');
    // Nothing sticks out of the page.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await screenshot(page, 'deployment-long-name');
    expect(watch.problems).toEqual([]);
    await page.close();

    const list = await open('/deployments');
    await waitForExpression(list.page, `document.querySelectorAll('[data-deployment]').length >= 6`);
    expect(await list.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await list.page.close();
  }, 60_000);

  it("a trigger that cannot start a run shows live as the deployment's last problem; the list pauses and resumes", async () => {
    const { page, watch } = await open('/deployments');
    await waitForExpression(page, `document.querySelector('[data-deployment="ReportFlow"]') !== null`);
    await waitForExpression(page, `document.querySelector('.live-live') !== null`);
    expect(await text(page, '[data-deployment="ReportFlow"] .problem-cell')).toBe('—');
    await emit('ui_report_requested', { other: 1 });
    // The open list shows the failed firing and the problem without a reload.
    await waitForExpression(
      page,
      `document.querySelector('[data-deployment="ReportFlow"] .problem-cell span[title]') !== null`,
      30_000,
    );
    const { lastProblem } = await api<{ lastProblem: { message: string; eventId: string | null } }>(
      '/deployments/ReportFlow',
    );
    expect(await text(page, '[data-deployment="ReportFlow"] .problem-cell')).toBe(lastProblem.message);
    expect(await text(page, '[data-deployment="ReportFlow"]')).toMatch(/ago\s*failed/);

    // Pause and resume from the list's row.
    await page.getByRole('button', { name: 'Pause ReportFlow' }).click();
    await waitForExpression(
      page,
      `document.querySelector('[data-deployment="ReportFlow"] [data-status="paused"]') !== null`,
    );
    expect((await api<{ status: string }>('/deployments/ReportFlow')).status).toBe('paused');
    await screenshot(page, 'deployments-list-problem');
    await page.getByRole('button', { name: 'Resume ReportFlow' }).click();
    await waitForExpression(
      page,
      `document.querySelector('[data-deployment="ReportFlow"] [data-status="active"]') !== null`,
    );
    expect((await api<{ status: string }>('/deployments/ReportFlow')).status).toBe('active');

    await page.goto(`${ui.server.url}/deployments/ReportFlow`);
    await waitForExpression(page, `document.querySelector('[aria-label="last problem"]') !== null`);
    expect(await text(page, '.problem-message')).toBe(lastProblem.message);
    if (lastProblem.eventId)
      expect(await page.locator('[aria-label="last problem"] a').getAttribute('href')).toBe(
        `/events/${lastProblem.eventId}`,
      );
    expect(await text(page, '[aria-label="recent firings"]')).toContain('failed');
    await screenshot(page, 'deployment-problem');
    expect(watch.problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('an empty store says how to deploy; an unknown deployment says it is not there', async () => {
    const home = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-ui-empty-'));
    const server = await serveHome(home, { triggers: false });
    try {
      const { page, watch } = await open('/deployments', server);
      await waitForExpression(page, `document.querySelector('.empty') !== null`);
      expect(await text(page, '.empty')).toContain('npx flowtrail deploy');
      await screenshot(page, 'deployments-empty');
      await page.goto(`${server.url}/deployments/NoSuchFlow`);
      await waitForExpression(page, `document.querySelector('.error-box') !== null`);
      expect(await text(page, '.error-box')).toContain("no deployment of 'NoSuchFlow'");
      await screenshot(page, 'deployment-missing');
      expect(watch.problems.filter((p) => !p.includes('404'))).toEqual([]);
      await page.close();
    } finally {
      await server.close();
      await fsp.rm(home, { recursive: true, force: true });
    }
  });
});
