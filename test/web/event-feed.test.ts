/**
 * The event feed (`/events`) and the event page (`/events/ID`) in a real browser, over a home with
 * the examples' lifecycle events and a corpus of our own: each filter kind shows exactly what the
 * API answers for the same filter, the histogram's total is the API's count, dragging across it
 * narrows the range, a filtered URL reopens the same view, an event emitted with the CLI appears at
 * the top (and waits behind "N new" while paused); the event page shows labels and the payload
 * (as text, whatever it holds) and links to the run and task pages. Screenshots go to
 * test-results/screens/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventInput } from '../../src/events/model.ts';
import { runCli } from '../helpers.ts';
import { browserTests, launchBrowser, screenshot, waitForExpression, watchPage } from './browser.ts';
import { startUiHome, type UiHome } from './ui-home.ts';

type Filter = Record<string, unknown>;
interface StoredEvent {
  id: string;
  event: string;
  occurred: string;
}

const MIN = 60_000;
/** Our corpus: 40 events, three minutes apart, ending an hour before the tests start. */
const T0 = Date.now() - 3 * 60 * MIN;
const XSS =
  '<b id="xss-bold">bold</b><script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';
const LONG_NAME = `warehouse.partition.${'very-long-segment-'.repeat(12)}refreshed`;
const LONG_RESOURCE = `warehouse.${'a-resource-whose-id-keeps-going-'.repeat(6)}end`;

const SHOWN_IDS = '[...document.querySelectorAll("[data-event-id]")].map((e) => e.dataset.eventId)';
const SETTLED =
  'document.querySelector(".histogram-total") !== null && (document.querySelector("[data-event-id]") !== null || document.querySelector(".event-list .empty") !== null)';

function corpus(): EventInput[] {
  const out: EventInput[] = [];
  for (let i = 0; i < 40; i++) {
    const sales = i % 2 === 0;
    const name = ['dataset.refreshed', 'dataset.checked', 'model.trained', 'alert.raised'][i % 4]!;
    out.push({
      id: `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`,
      occurred: new Date(T0 + i * 3 * MIN).toISOString(),
      event: name,
      resource: {
        'flowtrail.resource.id': sales ? 'dataset.sales' : 'dataset.users',
        'flowtrail.resource.name': sales ? 'sales' : 'users',
        'acme.env': i % 3 === 0 ? 'staging' : 'prod',
      },
      related: [
        {
          'flowtrail.resource.id': i % 5 === 0 ? 'team.billing' : 'team.forecasting',
          'flowtrail.resource.role': 'owner',
          'acme.tier': i % 5 === 0 ? 'gold' : 'silver',
        },
        ...(i % 4 === 1
          ? [{ 'flowtrail.resource.id': 'flowtrail.tag.nightly', 'flowtrail.resource.role': 'tag' }]
          : []),
        ...(i % 7 === 3
          ? [{ 'flowtrail.resource.id': 'flowtrail.run.ForeachFlow/1', 'flowtrail.resource.role': 'run' }]
          : []),
      ],
      payload: { rows: i * 100, note: i % 6 === 0 ? 'cute kittens detected' : 'all good' },
      // Every tenth event follows the one before it.
      ...(i % 10 === 9 ? { follows: `0190a000-0000-7000-8000-${String(i - 1).padStart(12, '0')}` } : {}),
    });
  }
  return out;
}

browserTests('web UI: the event feed and the event page', () => {
  let ui: UiHome;
  let browser: Browser;
  let env: NodeJS.ProcessEnv;
  let htmlEvent: string;

  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const r = await fetch(`${ui.server.url}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(r.status, `${path} ${JSON.stringify(body)}: ${r.status}`).toBe(200);
    return (await r.json()) as T;
  };
  const apiEvents = async (filter: Filter) =>
    (await post<{ events: StoredEvent[] }>('/events/filter', { filter, limit: 500 })).events;
  const apiIds = async (filter: Filter) => (await apiEvents(filter)).map((e) => e.id);
  const apiTotal = async (filter: Filter) =>
    (await post<{ total: number }>('/events/total', { filter })).total;

  const open = async (
    url: string,
    height = 3200,
  ): Promise<{ page: Page; watch: ReturnType<typeof watchPage> }> => {
    const page = await browser.newPage({ viewport: { width: 1280, height } });
    const watch = watchPage(page, ui.server.url);
    await page.goto(`${ui.server.url}${url}`);
    await waitForExpression(page, SETTLED);
    return { page, watch };
  };
  /** The ids the list shows, top to bottom, once two reads 300 ms apart agree. */
  const shownIds = async (page: Page): Promise<string[]> => {
    let before = (await page.evaluate(SHOWN_IDS)) as string[];
    for (;;) {
      await new Promise((r) => setTimeout(r, 300));
      const now = (await page.evaluate(SHOWN_IDS)) as string[];
      if (JSON.stringify(now) === JSON.stringify(before)) return now;
      before = now;
    }
  };
  const shownTotal = async (page: Page) =>
    Number(await page.locator('.histogram-total').getAttribute('data-total'));

  beforeAll(async () => {
    [ui, browser] = await Promise.all([startUiHome({ chain: false }), launchBrowser()]);
    env = { ...process.env, FLOWTRAIL_HOME: ui.home, FLOWTRAIL_USER: 'demo' };
    const extra: EventInput[] = [
      {
        event: 'report.published',
        occurred: new Date(T0 - 10 * MIN).toISOString(),
        resource: { 'flowtrail.resource.id': 'report.weekly', 'flowtrail.resource.name': XSS },
        related: [
          { 'flowtrail.resource.id': 'team.growth', 'flowtrail.resource.role': 'owner', 'acme.note': XSS },
        ],
        payload: { html: XSS, nested: { list: [1, 'two', { three: true }], empty: null } },
      },
      {
        event: LONG_NAME,
        occurred: new Date(T0 - 20 * MIN).toISOString(),
        resource: { 'flowtrail.resource.id': LONG_RESOURCE },
        related: Array.from({ length: 9 }, (_, i) => ({
          'flowtrail.resource.id': `${LONG_RESOURCE}.related-${i}`,
          'flowtrail.resource.role': `role-${i}-${'long'.repeat(5)}`,
        })),
        payload: {},
      },
    ];
    const { ids } = await post<{ ids: string[] }>('/events', { events: [...corpus(), ...extra] });
    htmlEvent = ids.at(-2)!;
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  it('each filter kind lists exactly what the API returns for that filter', async () => {
    const since = new Date(T0 + 30 * MIN).toISOString();
    const until = new Date(T0 + 60 * MIN).toISOString();
    const leader = '0190a000-0000-7000-8000-000000000008';
    const cases: [string, string, Filter][] = [
      ['name is', 'event=dataset.refreshed', { event: { name: ['dataset.refreshed'] } }],
      [
        'two names',
        'event=model.trained&event=alert.raised',
        { event: { name: ['model.trained', 'alert.raised'] } },
      ],
      ['name prefix', 'prefix=dataset.', { event: { prefix: ['dataset.'] } }],
      [
        'name excluded',
        'prefix=dataset.&exclude=dataset.checked',
        { event: { prefix: ['dataset.'], excludeName: ['dataset.checked'] } },
      ],
      ['name prefix excluded', 'excludePrefix=flowtrail.', { event: { excludePrefix: ['flowtrail.'] } }],
      ['resource id', 'resource=dataset.users', { resource: { id: ['dataset.users'] } }],
      ['resource id prefix', 'resourcePrefix=report.', { resource: { idPrefix: ['report.'] } }],
      ['resource label', 'label=acme.env%3Dstaging', { resource: { labels: { 'acme.env': ['staging'] } } }],
      [
        'resource label glob, negated',
        'label=acme.env%3D!prod&excludePrefix=flowtrail.',
        { resource: { labels: { 'acme.env': ['!prod'] } }, event: { excludePrefix: ['flowtrail.'] } },
      ],
      [
        'related by role and id',
        'related=owner%3Ateam.billing',
        { related: [{ role: ['owner'], id: ['team.billing'] }] },
      ],
      [
        'related: two resources',
        'related=tag%3Aflowtrail.tag.nightly&related=owner%3Ateam.forecasting&excludePrefix=flowtrail.',
        {
          related: [
            { role: ['tag'], id: ['flowtrail.tag.nightly'] },
            { role: ['owner'], id: ['team.forecasting'] },
          ],
          event: { excludePrefix: ['flowtrail.'] },
        },
      ],
      [
        'related by role only',
        'related=run%3A&excludePrefix=flowtrail.',
        { related: [{ role: ['run'] }], event: { excludePrefix: ['flowtrail.'] } },
      ],
      [
        'related label',
        'relatedLabel=acme.tier%3Dgold',
        { related: [{ labels: { 'acme.tier': ['gold'] } }] },
      ],
      [
        'any resource',
        'any=flowtrail.run.ForeachFlow/1&prefix=dataset.',
        { anyResource: [{ id: ['flowtrail.run.ForeachFlow/1'] }], event: { prefix: ['dataset.'] } },
      ],
      ['any resource prefix', 'anyPrefix=team.g', { anyResource: [{ idPrefix: ['team.g'] }] }],
      ['time range', `since=${since}&until=${until}`, { since, until }],
      ['text search', 'q=kittens', { text: 'kittens' }],
      [
        'text search, required and excluded',
        'q=%2Bdataset+-kittens+-checked',
        { text: '+dataset -kittens -checked' },
      ],
      ['follows', `follows=${leader}`, { follows: [leader] }],
      [
        'combined',
        `prefix=dataset.&related=owner%3Ateam.forecasting&label=acme.env%3Dprod&since=${since}&q=good`,
        {
          event: { prefix: ['dataset.'] },
          related: [{ role: ['owner'], id: ['team.forecasting'] }],
          resource: { labels: { 'acme.env': ['prod'] } },
          since,
          text: 'good',
        },
      ],
    ];
    const all = await apiTotal({});
    for (const [label, query, filter] of cases) {
      const want = await apiIds(filter);
      expect(want.length, label).toBeGreaterThan(0);
      expect(want.length, label).toBeLessThan(Math.min(all, 45));
      const { page, watch } = await open(`/events?${query}`);
      expect(await shownIds(page), label).toEqual(want);
      expect(await shownTotal(page), label).toBe(await apiTotal(filter));
      if (label === 'combined') await screenshot(page, 'event-feed-filtered');
      expect(watch.problems, label).toEqual([]);
      await page.close();
    }
  });

  it("shows the newest events first; the histogram's total is the API's count", async () => {
    const { page, watch } = await open('/events', 1000);
    const want = await apiIds({});
    const shown = await shownIds(page);
    expect(shown.length).toBeGreaterThan(10);
    expect(shown).toEqual(want.slice(0, shown.length));
    expect(await shownTotal(page)).toBe(await apiTotal({}));
    expect(await page.locator('.histogram-total').textContent()).toBe(
      `${(await apiTotal({})).toLocaleString('en-US')} events`,
    );
    await screenshot(page, 'event-feed');
    expect(watch.problems).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });

  it('narrows the time range to the bars dragged across', async () => {
    const { page } = await open('/events?excludePrefix=flowtrail.');
    const bars = page.locator('svg.histogram-bars');
    const box = (await bars.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.3, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, y, { steps: 6 });
    await page.mouse.up();
    await page.waitForURL(/since=.*until=/);
    await waitForExpression(page, SETTLED);
    const url = new URL(page.url());
    const since = url.searchParams.get('since')!;
    const until = url.searchParams.get('until')!;
    const filter = { event: { excludePrefix: ['flowtrail.'] }, since, until };
    const want = await apiIds(filter);
    expect(want.length).toBeGreaterThan(3);
    expect(want.length).toBeLessThan(await apiTotal({ event: { excludePrefix: ['flowtrail.'] } }));
    expect(await shownIds(page)).toEqual(want);
    expect(await shownTotal(page)).toBe(want.length);
    expect(await page.locator('select[name=span]').inputValue()).toBe('custom');
    await screenshot(page, 'event-feed-dragged');
    await page.close();
  });

  it('sets filters from the toolbar and the rows; the URL reopens the same view', async () => {
    const { page } = await open('/events');
    await page.locator('select[name=filter-kind]').selectOption('prefix');
    await page.locator('input[name=filter-value]').fill('dataset.');
    await page.locator('input[name=filter-value]').press('Enter');
    await page.waitForURL(/prefix=dataset\./);
    await page.locator('select[name=filter-kind]').selectOption('label');
    await page.locator('input[name=filter-value]').fill('no equals sign');
    await page.locator('input[name=filter-value]').press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Resource label' }).waitFor();
    await page.locator('input[name=filter-value]').fill('acme.env=prod');
    await page.locator('input[name=filter-value]').press('Enter');
    await page.locator('input[name=q]').fill('good');
    await page.locator('input[name=q]').press('Enter');
    await page.waitForURL(/q=good/);
    await waitForExpression(page, SETTLED);
    // A related chip on a row adds that related resource as a filter.
    await page.locator('.event-row .res-chip', { hasText: 'team.billing' }).first().click();
    await page.waitForURL(/related=owner%3Ateam.billing/);
    await waitForExpression(page, SETTLED);
    const filter = {
      event: { prefix: ['dataset.'] },
      resource: { labels: { 'acme.env': ['prod'] } },
      related: [{ role: ['owner'], id: ['team.billing'] }],
      text: 'good',
    };
    const want = await apiIds(filter);
    expect(want.length).toBeGreaterThan(0);
    expect(await shownIds(page)).toEqual(want);
    const url = new URL(page.url());
    expect(url.searchParams.getAll('label')).toEqual(['acme.env=prod']);
    await page.close();

    const again = await open(`${url.pathname}${url.search}`);
    expect(await shownIds(again.page)).toEqual(want);
    expect(await shownTotal(again.page)).toBe(want.length);
    expect(await again.page.locator('input[name=q]').inputValue()).toBe('good');
    const chips = await again.page.locator('.feed-chip .feed-chip-value').allTextContents();
    expect(chips).toEqual(['dataset.', 'acme.env=prod', 'owner:team.billing']);
    await again.page.getByRole('button', { name: 'Remove filter related owner:team.billing' }).click();
    await again.page.waitForURL((u) => !u.searchParams.has('related'));
    await waitForExpression(again.page, SETTLED);
    expect(await shownIds(again.page)).toEqual(
      await apiIds({
        event: { prefix: ['dataset.'] },
        resource: { labels: { 'acme.env': ['prod'] } },
        text: 'good',
      }),
    );
    await again.page.close();
  });

  it('says so when nothing matches', async () => {
    const { page } = await open('/events?event=no.such.event');
    await page.getByText('No event matches these filters.').waitFor();
    expect(await shownTotal(page)).toBe(0);
    await screenshot(page, 'event-feed-empty');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL(/\/events$/);
    await page.close();
  });

  it('keeps long names inside the page', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
    await page.goto(`${ui.server.url}/events?resourcePrefix=warehouse.`);
    await page.locator('[data-event-id]').first().waitFor();
    const overflow = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';
    expect(await page.evaluate(overflow)).toBeLessThanOrEqual(0);
    const name = page.locator('.event-row-name').first();
    expect(await name.getAttribute('title')).toBe(LONG_NAME);
    expect((await name.boundingBox())!.width).toBeLessThan(1024);
    await screenshot(page, 'event-feed-long-names');
    await page.locator('.event-row-name').first().click();
    await page.getByRole('heading', { name: LONG_NAME }).waitFor();
    expect(await page.evaluate(overflow)).toBeLessThanOrEqual(0);
    await screenshot(page, 'event-long-names');
    await page.close();
  });

  it('shows an event emitted with the CLI at the top while open, and holds it behind "N new" when paused', async () => {
    const { page, watch } = await open('/events?prefix=feed.live.', 900);
    await page.locator('.live-live').waitFor();
    expect(await page.evaluate(SHOWN_IDS)).toEqual([]);
    const emit = async (name: string) => {
      const r = await runCli(
        ['events', 'emit', name, '--resource-id', 'live.thing', '--payload', '{"n":1}'],
        env,
      );
      expect(r.code, r.stderr).toBe(0);
    };
    await emit('feed.live.one');
    await page.locator('.event-row-name', { hasText: 'feed.live.one' }).waitFor();
    expect(await page.locator('.event-row-name').first().textContent()).toBe('feed.live.one');
    // The histogram follows (refreshed at most once a second).
    await waitForExpression(page, 'document.querySelector(".histogram-total")?.dataset.total === "1"');

    await page.getByRole('button', { name: 'Pause' }).click();
    await emit('feed.live.two');
    await page.getByRole('button', { name: '↑ 1 new' }).waitFor();
    expect(await page.locator('.event-row-name').allTextContents()).toEqual(['feed.live.one']);
    await screenshot(page, 'event-feed-paused');
    await page.getByRole('button', { name: '↑ 1 new' }).click();
    await page.locator('.event-row-name', { hasText: 'feed.live.two' }).waitFor();
    expect(await page.locator('.event-row-name').allTextContents()).toEqual([
      'feed.live.two',
      'feed.live.one',
    ]);
    expect(await shownIds(page)).toEqual(await apiIds({ event: { prefix: ['feed.live.'] } }));
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it('shows the payload as a tree and as raw JSON, labels of the resource and related ones, as text', async () => {
    const { page, watch } = await openEvent(htmlEvent);
    await page.getByRole('heading', { name: 'report.published' }).waitFor();
    // Labels of the resource and of the related resource, with the markup as text.
    const resource = page.locator('.panel', { has: page.locator('.resource-id') });
    expect(await resource.locator('dd').first().textContent()).toBe(XSS);
    const related = page.locator('table.related tbody tr', { hasText: 'team.growth' });
    expect(await related.locator('td').first().textContent()).toBe('owner');
    expect(await related.locator('dd').first().textContent()).toBe(XSS);
    // The tree: keys and values, nested containers.
    const tree = page.getByTestId('payload-tree');
    expect(await tree.textContent()).toContain(`html: ${JSON.stringify(XSS)}`);
    expect(await tree.textContent()).toContain('1: "two"');
    // Two levels open; deeper ones open on a click.
    expect(await tree.textContent()).not.toContain('three: true');
    await tree.getByRole('button', { name: /2: object/ }).click();
    expect(await tree.textContent()).toContain('three: true');
    await screenshot(page, 'event-payload-tree');
    await page.getByRole('link', { name: 'Raw JSON' }).click();
    await page.waitForURL(/payload=raw/);
    const raw = await page.getByTestId('payload-raw').textContent();
    expect(JSON.parse(raw!)).toEqual({
      html: XSS,
      nested: { list: [1, 'two', { three: true }], empty: null },
    });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.server.url });
    await page.getByRole('button', { name: 'Copy JSON' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(JSON.parse((await page.evaluate('navigator.clipboard.readText()')) as string)).toEqual(
      JSON.parse(raw!),
    );
    // Nothing of the markup became an element, and no script of it ran.
    expect(await page.locator('#xss-bold').count()).toBe(0);
    expect(await page.locator('.event-page script, .event-page img').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    await screenshot(page, 'event-payload-raw');
    // The same in the feed's row.
    await page.goto(`${ui.server.url}/events?resource=report.weekly`);
    await page.locator('.event-row .res-chip-primary').waitFor();
    expect(await page.locator('.event-row .res-chip-primary').textContent()).toBe(XSS);
    expect(await page.locator('#xss-bold, .event-list img, .event-list script').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it('links every Flowtrail object an event names; the run and task links open their pages', async () => {
    const [task] = await apiEvents({
      event: { name: ['flowtrail.task.completed'] },
      resource: { idPrefix: ['flowtrail.task.ForeachFlow/1/'] },
    });
    const { page } = await openEvent(task!.id);
    const objects = page.locator('ul.event-objects li');
    await objects.first().waitFor();
    const kinds = await objects.locator('.event-object-kind').allTextContents();
    expect(new Set(kinds)).toEqual(new Set(['task', 'flow', 'run', 'step']));
    const taskPath = (await objects.filter({ hasText: '(resource)' }).getByRole('link').textContent())!;
    await screenshot(page, 'event-task-completed');
    await objects.filter({ hasText: '(run)' }).getByRole('link').click();
    await page.waitForURL(/\/runs\/ForeachFlow\/1$/);
    await page.goBack();
    await page.locator('ul.event-objects').waitFor();
    await page.locator('ul.event-objects li', { hasText: '(resource)' }).getByRole('link').click();
    await page.waitForURL(new RegExp(`/runs/${taskPath.replaceAll('/', '\\/')}$`));
    // The resource's own events, in the feed.
    await page.goBack();
    await page.getByRole('link', { name: 'its events' }).click();
    await page.waitForURL(/\/events\?resource=flowtrail\.task\./);
    await waitForExpression(page, SETTLED);
    expect(await shownIds(page)).toEqual(await apiIds({ resource: { id: [`flowtrail.task.${taskPath}`] } }));
    await page.close();
  });

  it('links the leader an event follows, and lists the events that follow it', async () => {
    const leader = '0190a000-0000-7000-8000-000000000028';
    const follower = '0190a000-0000-7000-8000-000000000029';
    const { page } = await openEvent(follower);
    await page.getByRole('link', { name: leader }).click();
    await page.waitForURL(new RegExp(`/events/${leader}$`));
    const followers = page.locator('ul.event-followers li');
    await followers.first().waitFor();
    expect(await followers.count()).toBe(1);
    await followers.getByRole('link').click();
    await page.waitForURL(new RegExp(`/events/${follower}$`));
    await page.close();
  });

  it('scrolls 10,000 events, reading pages as it goes, with few rows in the DOM', async () => {
    const batch = (k: number): EventInput[] =>
      Array.from({ length: 1000 }, (_, i) => ({
        event: `bulk.tick.${(k * 1000 + i) % 7}`,
        occurred: new Date(T0 - 60 * MIN - (k * 1000 + i) * 100).toISOString(),
        resource: {
          'flowtrail.resource.id': `bulk.source-${i % 50}`,
          'flowtrail.resource.name': `source ${i % 50}`,
        },
        related: [{ 'flowtrail.resource.id': `team.t${i % 5}`, 'flowtrail.resource.role': 'owner' }],
        payload: { k, i },
      }));
    for (let k = 0; k < 10; k++) await post('/events', { events: batch(k) });
    const { page } = await open('/events?prefix=bulk.', 900);
    expect(await shownTotal(page)).toBe(10_000);
    const scroller = page.getByTestId('event-scroll');
    const loadedRows = async () =>
      Number(await page.locator('ul.event-list-rows').getAttribute('data-count'));
    // Scroll to the end of what is loaded until 600 rows are (each end reads the next page).
    while ((await loadedRows()) < 600) {
      await scroller.evaluate((el) => {
        const box = el as unknown as { scrollTop: number; scrollHeight: number };
        box.scrollTop = box.scrollHeight;
      });
      await new Promise((r) => setTimeout(r, 250));
    }
    const loaded = await loadedRows();
    expect(loaded).toBeLessThan(10_000);
    expect(await page.locator('ul.event-list-rows > li').count()).toBeLessThan(60);
    // The rows in view are the API's, at their place in the order.
    const want = await apiIds({ event: { prefix: ['bulk.'] } });
    const shown = await shownIds(page);
    const at = want.indexOf(shown[0]!);
    expect(at).toBeGreaterThan(300);
    // Scrolled away from the top: a new event waits behind the marker.
    const r = await runCli(['events', 'emit', 'bulk.tick.new', '--resource-id', 'bulk.source-new'], env);
    expect(r.code, r.stderr).toBe(0);
    await page.getByRole('button', { name: '↑ 1 new' }).waitFor();
    await screenshot(page, 'event-feed-10k');
    await page.getByRole('button', { name: '↑ 1 new' }).click();
    await page.locator('.event-row-name').first().filter({ hasText: 'bulk.tick.new' }).waitFor();
    await page.close();
  });

  async function openEvent(id: string): Promise<{ page: Page; watch: ReturnType<typeof watchPage> }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const watch = watchPage(page, ui.server.url);
    await page.goto(`${ui.server.url}/events/${id}`);
    await page.locator('.event-name').waitFor();
    return { page, watch };
  }
});
