/**
 * The automations screens in a real browser, over a fresh home with a real server and its trigger
 * engine: the empty list; Automate on an event page saves a reactive automation with an emit-event
 * action, an event emitted with the CLI fires it and its page shows the firing and the emitted
 * event (links); an absence automation (within 10 s) made in the UI fires when nothing comes;
 * switching one off in the list stops its firings (checked through the API against a canary that
 * sees the same event); the API's 422 is placed at the form field and at the JSON path; names and
 * payloads holding HTML are text; long names stay inside the page; a deployment's own automation is
 * read-only; delete asks first. Screenshots go to test-results/screens/.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.ts';
import { deploymentRecord } from '../automations/deployment-record.ts';
import { runCli } from '../helpers.ts';
import { browserTests, launchBrowser, screenshot, waitForExpression, watchPage } from './browser.ts';
import { serveHome } from './ui-home.ts';

interface Automation {
  id: string;
  name: string;
  enabled: boolean;
  lastFiredAt: number | null;
  trigger: Record<string, unknown>;
  actions: Record<string, unknown>[];
}
interface HistoryEntry {
  firing: { id: string; eventIds: string[]; triggeredAt: number };
  actions: { action: { type: string }; status: string; target: string | null; message: string | null }[];
}

const XSS =
  '<b id="xss-bold">bold</b><script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';
/** Near the 200-character limit, with no space to break at. */
const LONG_NAME = `nightly-${'warehouse-partition-refresh-'.repeat(6)}end`;
const NO_OVERFLOW = 'document.documentElement.scrollWidth <= window.innerWidth';
const XSS_RAN = 'window.__xss !== undefined || document.getElementById("xss-bold") !== null';

browserTests('web UI: automations', () => {
  let home: string;
  let server: RunningServer;
  let browser: Browser;
  let env: NodeJS.ProcessEnv;
  const pages: { page: Page; watch: ReturnType<typeof watchPage> }[] = [];

  const api = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${server.url}/api/v1${p}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    expect(r.status, `${method} ${p}: ${text}`).toBeLessThan(300);
    return JSON.parse(text) as T;
  };
  const history = async (id: string) =>
    (await api<{ history: HistoryEntry[] }>('GET', `/automations/${id}/history?limit=100`)).history;
  const emitCli = async (name: string, resourceId: string): Promise<string> => {
    const r = await runCli(['events', 'emit', name, '--resource-id', resourceId], env);
    expect(r.code, r.stderr).toBe(0);
    return /[0-9a-f]{8}-[0-9a-f-]{27}/.exec(r.stdout)![0];
  };
  const emitApi = async (event: Record<string, unknown>): Promise<string> =>
    (await api<{ ids: string[] }>('POST', '/events', { events: [event] })).ids[0]!;
  const open = async (url: string, height = 1000): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height } });
    pages.push({ page, watch: watchPage(page, server.url) });
    await page.goto(`${server.url}${url}`);
    return page;
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const savedId = async (page: Page): Promise<string> => {
    await page.waitForURL(/\/automations\/[0-9a-f-]{36}$/);
    return new URL(page.url()).pathname.split('/').at(-1)!;
  };

  let sourceEvent: string;

  beforeAll(async () => {
    home = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-ui-automations-'));
    [server, browser] = await Promise.all([serveHome(home, { triggerPollMs: 100 }), launchBrowser()]);
    env = { ...process.env, FLOWTRAIL_HOME: home, FLOWTRAIL_USER: 'demo' };
    sourceEvent = await emitApi({
      event: 'dataset.refreshed',
      resource: { 'flowtrail.resource.id': 'dataset.sales', 'flowtrail.resource.name': 'sales' },
      payload: { rows: 10 },
    });
  }, 60_000);
  afterAll(async () => {
    for (const { watch } of pages) {
      // Refused saves (422) are what some tests do; nothing else may go wrong.
      expect(watch.problems.filter((p) => !p.includes('the server responded with a status of 422'))).toEqual(
        [],
      );
      expect(watch.foreignRequests).toEqual([]);
    }
    await browser?.close();
    await server?.close();
    if (home) await fsp.rm(home, { recursive: true, force: true });
  });

  it('shows an empty list with a way to start', async () => {
    const page = await open('/automations');
    await page.locator('.automations-empty').waitFor();
    expect(await page.locator('.automations-empty').textContent()).toContain('No automations yet');
    await page.getByRole('link', { name: 'Automations', exact: true }).first().waitFor();
    await screenshot(page, 'automations-empty');
  });

  let reactiveId: string;

  it('Automate on an event page saves a reactive automation with emit-event; a CLI event fires it; its history shows the firing and the emitted event', async () => {
    const page = await open(`/events/${sourceEvent}`);
    await page.getByRole('link', { name: 'Automate' }).click();
    await page.waitForURL(/\/automations\/new\?fromEvent=/);
    const name = page.getByLabel('Name', { exact: true });
    await name.waitFor();
    expect(await name.inputValue()).toBe('dataset.refreshed on sales');
    expect(await page.getByLabel(/^Events/).inputValue()).toBe('dataset.refreshed');
    expect(await page.getByLabel(/^Resource id \(glob/).inputValue()).toBe('dataset.sales');
    expect(await page.getByRole('radio', { name: /Presence/ }).isChecked()).toBe(true);

    await page.getByLabel('Action type').selectOption('emit-event');
    await page.getByLabel('Event name').fill('dataset.checked');
    await page.getByLabel('Resource id', { exact: true }).fill('check.sales');
    await page.getByLabel('Payload (JSON object)').fill('{"about": "{{ event.id }}"}');
    await screenshot(page, 'automation-new-from-event');
    await page.getByRole('button', { name: 'Save automation' }).click();
    reactiveId = await savedId(page);
    await page.locator('.history-empty').waitFor();

    const saved = await api<Automation>('GET', `/automations/${reactiveId}`);
    expect(saved.trigger).toMatchObject({
      type: 'event',
      expect: ['dataset.refreshed'],
      match: { 'flowtrail.resource.id': 'dataset.sales' },
      posture: 'reactive',
      threshold: 1,
      withinMs: 0,
    });
    expect(saved.actions).toEqual([
      {
        type: 'emit-event',
        event: 'dataset.checked',
        resource: { 'flowtrail.resource.id': 'check.sales' },
        related: [],
        payload: { about: '{{ event.id }}' },
      },
    ]);

    const cause = await emitCli('dataset.refreshed', 'dataset.sales');
    // The page follows the automation's events: the firing, then its executed action, appear.
    const firing = page.locator('li.firing');
    await firing.waitFor({ timeout: 30_000 });
    await page.locator('.status-action-executed').waitFor({ timeout: 30_000 });
    const [entry] = await history(reactiveId);
    expect(entry!.firing.eventIds).toEqual([cause]);
    const target = entry!.actions[0]!.target!;
    expect(target).toMatch(/^flowtrail\.event\./);
    const emittedId = target.slice('flowtrail.event.'.length);
    const emitted = (
      await api<{ events: { event: string; payload: Record<string, unknown> }[] }>('POST', '/events/filter', {
        filter: { id: [emittedId] },
      })
    ).events[0]!;
    expect(emitted.event).toBe('dataset.checked');
    expect(emitted.payload).toEqual({ about: cause });

    expect(await firing.locator(`a[href="/events/${cause}"]`).count()).toBe(1);
    const emittedLink = firing.locator(`a[href="/events/${emittedId}"]`);
    expect(await emittedLink.textContent()).toContain(emittedId);
    await screenshot(page, 'automation-page-history');

    // The event's own page lists the firing it caused, linked to the automation.
    await emittedLink.click();
    await page.waitForURL(`**/events/${emittedId}`);
    await page.goto(`${server.url}/events/${cause}`);
    const caused = page.locator('.event-firings li.firing');
    await caused.waitFor();
    expect(await caused.locator('.firing-automation').textContent()).toBe('dataset.refreshed on sales');
    expect(await caused.locator('.firing-automation').getAttribute('href')).toBe(
      `/automations/${reactiveId}`,
    );
    expect(await caused.locator(`a[href="/events/${emittedId}"]`).count()).toBe(1);
    await screenshot(page, 'event-automation-firings');
  }, 90_000);

  it('an absence automation made in the UI (within 10 s) fires when nothing arrives in its window', async () => {
    const page = await open(`/automations/new?fromEvent=${sourceEvent}`);
    const name = page.getByLabel('Name', { exact: true });
    await page.getByRole('radio', { name: /Absence/ }).check();
    // The drafted name, untouched, follows the choice.
    expect(await name.inputValue()).toBe('no dataset.refreshed on sales');
    await page.getByRole('radio', { name: /Presence/ }).check();
    expect(await name.inputValue()).toBe('dataset.refreshed on sales');
    await page.getByRole('radio', { name: /Absence/ }).check();
    const within = page.getByLabel(/^Within/);
    expect(await within.inputValue()).toBe('10m');
    await within.fill('10s');
    await name.fill('no sales refresh within 10s');
    await screenshot(page, 'automation-new-absence');
    const savedAt = Date.now();
    await page.getByRole('button', { name: 'Save automation' }).click();
    const id = await savedId(page);
    const saved = await api<Automation>('GET', `/automations/${id}`);
    expect(saved.trigger).toMatchObject({ posture: 'proactive', withinMs: 10_000 });
    // Nothing matching comes: the window ends ~10 s after saving and the engine fires.
    await page.locator('li.firing').waitFor({ timeout: 40_000 });
    const [entry] = await history(id);
    expect(entry!.firing.triggeredAt - savedAt).toBeGreaterThanOrEqual(9_000);
    expect(await page.locator('li.firing').first().textContent()).toContain(
      'No event: the window passed empty.',
    );
    await screenshot(page, 'automation-page-absence-fired');

    // Delete asks first; "Keep it" keeps it, "Delete" removes it and returns to the list.
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('no sales refresh within 10s');
    await screenshot(page, 'automation-delete-confirm');
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/\/automations$/);
    const r = await fetch(`${server.url}/api/v1/automations/${id}`);
    expect(r.status).toBe(404);
  }, 90_000);

  it('switching an automation off in the list stops its firings', async () => {
    const canary = await api<Automation>('POST', '/automations', {
      name: 'canary',
      trigger: {
        type: 'event',
        expect: ['dataset.refreshed'],
        match: { 'flowtrail.resource.id': 'dataset.sales' },
      },
      actions: [{ type: 'do-nothing' }],
    });
    const page = await open('/automations');
    const row = page.locator(`tr[data-automation-id="${reactiveId}"]`);
    const toggle = row.getByRole('switch');
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    expect(await row.locator('.last-fired').textContent()).toMatch(/ago/);
    await toggle.click();
    await until('the automation to be disabled', async () => {
      return !(await api<Automation>('GET', `/automations/${reactiveId}`)).enabled;
    });
    await waitForExpression(
      page,
      `document.querySelector('tr[data-automation-id="${reactiveId}"] [role=switch]').getAttribute('aria-checked') === 'false'`,
    );
    await screenshot(page, 'automations-list-disabled');
    const before = (await history(reactiveId)).length;

    const seen = await emitCli('dataset.refreshed', 'dataset.sales');
    // The canary sees the same event: once it fired, the engine has passed that event.
    await until('the canary to fire', async () =>
      (await history(canary.id)).some((h) => h.firing.eventIds.includes(seen)),
    );
    expect((await history(reactiveId)).length).toBe(before);

    // 25 more matching events in one batch: the canary's page shows 20 firings, then the rest
    // under "Older firings" (keyset pages: none twice, none skipped, though many share one ms).
    const { ids: burst } = await api<{ ids: string[] }>('POST', '/events', {
      events: Array.from({ length: 25 }, () => ({
        event: 'dataset.refreshed',
        resource: { 'flowtrail.resource.id': 'dataset.sales' },
      })),
    });
    await until('the canary to fire 26 times', async () => (await history(canary.id)).length === 26);
    const canaryPage = await open(`/automations/${canary.id}`);
    const shown = () =>
      canaryPage.evaluate(
        '[...document.querySelectorAll("li.firing")].map((e) => e.dataset.firingId)',
      ) as Promise<string[]>;
    await canaryPage.locator('li.firing').first().waitFor();
    expect((await shown()).length).toBe(20);
    await canaryPage.getByRole('button', { name: 'Older firings' }).click();
    await canaryPage.locator('.history-end').waitFor();
    expect(await shown()).toEqual((await history(canary.id)).map((h) => h.firing.id));
    const linked = (await canaryPage.evaluate(
      '[...document.querySelectorAll("li.firing .firing-event a")].map((a) => a.getAttribute("href"))',
    )) as string[];
    expect(burst.filter((id) => linked.includes(`/events/${id}`))).toEqual(burst);
    await screenshot(canaryPage, 'automation-page-paged');

    // Switched on again, it fires again.
    await toggle.click();
    await until(
      'the automation to be enabled',
      async () => (await api<Automation>('GET', `/automations/${reactiveId}`)).enabled,
    );
    const again = await emitCli('dataset.refreshed', 'dataset.sales');
    await until('the automation to fire again', async () =>
      (await history(reactiveId)).some((h) => h.firing.eventIds.includes(again)),
    );
  }, 90_000);

  it('edits a saved automation (a stored record round-trips through the form)', async () => {
    const page = await open(`/automations/${reactiveId}`);
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(`**/automations/${reactiveId}/edit`);
    const name = page.getByLabel('Name', { exact: true });
    expect(await name.inputValue()).toBe('dataset.refreshed on sales');
    expect(await page.getByLabel(/^Within/).inputValue()).toBe('0');
    expect(await page.getByLabel('Event name').inputValue()).toBe('dataset.checked');
    await name.fill('sales refreshed → checked');
    await page.getByLabel('Fire after this many events').fill('2');
    await page.getByLabel(/^Within/).fill('1h');
    await screenshot(page, 'automation-edit');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(`**/automations/${reactiveId}`);
    await page.locator('.automation-title', { hasText: 'sales refreshed → checked' }).waitFor();
    const saved = await api<Automation>('GET', `/automations/${reactiveId}`);
    expect(saved.name).toBe('sales refreshed → checked');
    expect(saved.trigger).toMatchObject({ threshold: 2, withinMs: 3_600_000 });
    expect(saved.actions[0]).toMatchObject({ type: 'emit-event', event: 'dataset.checked' });
    // The history stays (only the trigger state starts again).
    expect(await page.locator('li.firing').count()).toBeGreaterThan(0);
  });

  it('places the API 422 at the form field and at the JSON path', async () => {
    const page = await open(`/automations/new?fromEvent=${sourceEvent}`);
    const threshold = page.getByLabel('Fire after this many events');
    await threshold.fill('0');
    await page.getByRole('button', { name: 'Save automation' }).click();
    const atField = page.locator('.field[data-field="trigger.threshold"] .field-problem');
    await atField.waitFor();
    expect(await atField.getAttribute('data-problem-field')).toBe('trigger.threshold');
    expect(await atField.textContent()).toContain('threshold');
    expect(await page.locator('.save-problem').textContent()).toContain('marked at its field');
    await screenshot(page, 'automation-editor-form-422');

    // An action's field: the emit-event name left empty.
    await threshold.fill('1');
    await page.getByLabel('Action type').selectOption('emit-event');
    await page.getByRole('button', { name: 'Save automation' }).click();
    const atEvent = page.locator('.field[data-field="actions[0].event"] .field-problem');
    await atEvent.waitFor();
    expect(await atEvent.getAttribute('data-problem-field')).toBe('actions[0].event');

    // The JSON editor: threshold 0 in the text, marked on its line.
    await page.getByRole('tab', { name: 'JSON' }).click();
    const text = page.getByLabel('Automation JSON');
    const json = JSON.parse(await text.inputValue()) as {
      trigger: Record<string, unknown>;
      actions: Record<string, unknown>[];
    };
    json.trigger.threshold = 0;
    json.actions = [{ type: 'do-nothing' }];
    const written = JSON.stringify(json, null, 2);
    await text.fill(written);
    await page.getByRole('button', { name: 'Save automation' }).click();
    const atPath = page.locator('.json-problem[data-problem-field="trigger.threshold"]');
    await atPath.waitFor();
    const line = written.split('\n').findIndex((l) => l.includes('"threshold"')) + 1;
    expect(await atPath.textContent()).toContain(`trigger.threshold (line ${line})`);
    expect(await page.locator('.json-line-bad').textContent()).toBe(String(line));
    await screenshot(page, 'automation-editor-json-422');

    // A path the form has no input for: the form says so and offers the JSON editor.
    json.trigger.threshold = 1;
    json.trigger.after = ['not a name'];
    await text.fill(JSON.stringify(json, null, 2));
    await page.getByRole('tab', { name: 'Form' }).click();
    await page.getByRole('button', { name: 'Save automation' }).click();
    const banner = page.locator('.save-problem');
    await banner.locator('code').waitFor();
    expect(await banner.locator('code').textContent()).toBe('trigger.after[0]');
    await banner.getByRole('button', { name: 'open the JSON editor' }).click();
    await page.locator('.json-problem').waitFor();
    expect(await page.locator('.json-line-bad').count()).toBe(1);
    // Not JSON at all: said so, nothing sent.
    await text.fill('{ "name": ');
    await page.getByRole('button', { name: 'Save automation' }).click();
    await page.locator('.json-problem', { hasText: 'not JSON' }).waitFor();
  }, 60_000);

  it('shows HTML in names and payloads as text, long names inside the page, and owned automations read-only', async () => {
    const xss = await api<Automation>('POST', '/automations', {
      name: XSS,
      description: XSS,
      tags: ['<i>tag</i>'],
      trigger: { type: 'event', expect: ['html.test'], match: { 'flowtrail.resource.id': XSS } },
      actions: [
        {
          type: 'emit-event',
          event: 'html.echo',
          resource: { 'flowtrail.resource.id': 'x' },
          payload: { html: XSS },
        },
      ],
    });
    await api('POST', '/automations', {
      name: LONG_NAME,
      trigger: { type: 'event', expect: [`${'very.long.event.name.'.repeat(10)}end`] },
      actions: [{ type: 'do-nothing' }],
    });
    await server.stores.deployments.upsert(
      deploymentRecord('OwnedFlow', { events: [{ name: 'dataset.refreshed', parameters: {} }] }),
    );
    const owned = (
      await api<{ automations: Automation[] }>('GET', '/automations?owner=flowtrail.deployment.OwnedFlow')
    ).automations[0]!;

    const list = await open('/automations');
    await list.locator(`tr[data-automation-id="${xss.id}"]`).waitFor();
    expect(await list.locator(`tr[data-automation-id="${xss.id}"] .automation-name`).textContent()).toBe(XSS);
    expect(await list.evaluate(XSS_RAN)).toBe(false);
    expect(await list.evaluate(NO_OVERFLOW)).toBe(true);
    const ownedRow = list.locator(`tr[data-automation-id="${owned.id}"]`);
    expect(await ownedRow.getByRole('switch').isDisabled()).toBe(true);
    expect(await ownedRow.textContent()).toContain('deployment OwnedFlow');
    await screenshot(list, 'automations-list');

    const page = await open(`/automations/${xss.id}`);
    await page.locator('.automation-title').waitFor();
    expect(await page.locator('.automation-title').textContent()).toBe(XSS);
    expect(await page.locator('.description').textContent()).toBe(XSS);
    await page.getByText('As JSON').click();
    expect(JSON.parse((await page.locator('details pre').textContent())!).actions[0].payload).toEqual({
      html: XSS,
    });
    expect(await page.evaluate(XSS_RAN)).toBe(false);
    await screenshot(page, 'automation-page-html');

    const narrow = await browser.newPage({ viewport: { width: 800, height: 900 } });
    pages.push({ page: narrow, watch: watchPage(narrow, server.url) });
    await narrow.goto(`${server.url}/automations`);
    await narrow.locator('.automation-name').first().waitFor();
    expect(await narrow.evaluate(NO_OVERFLOW)).toBe(true);
    await screenshot(narrow, 'automations-list-narrow');

    const ownedPage = await open(`/automations/${owned.id}`);
    const notice = ownedPage.locator('.owner-notice');
    await notice.waitFor();
    expect(await notice.locator('a').getAttribute('href')).toBe('/deployments/OwnedFlow');
    expect(await ownedPage.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    expect(await ownedPage.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    expect(await ownedPage.getByRole('switch').isDisabled()).toBe(true);
    await screenshot(ownedPage, 'automation-page-owned');
    const edit = await open(`/automations/${owned.id}/edit`);
    await edit.locator('.owner-notice').waitFor();
    expect(await edit.getByRole('button', { name: /Save/ }).count()).toBe(0);
  }, 60_000);
});
