/**
 * UI benchmark section: the event feed (`/events`) over 1,000,000 stored events.
 * Alone: `node --import tsx bench/ui/event-feed.ts` (needs `npm run build:web` for dist/web and
 * Chromium at /usr/bin/chromium or FLOWTRAIL_TEST_CHROMIUM). `bench/ui.ts` imports `run()`.
 *
 * `run()` seeds a temp SQLite home with BENCH_EVENTS (default 1,000,000) events over 30 days —
 * through the event store's `append`, batches of 10,000: 14 names, 5,000 resources, one to three
 * related resources (owner team, tags, a run), small payloads with a host and a message — serves
 * it with `flowtrail server` in this process, and measures (medians of BENCH_REPEATS, default 5):
 * - `firstPageMs`: a fresh browser context opens `/events` (all time, the default); navigation
 *   start → the first row of the list in the DOM (`performance.now()`, polled every frame).
 *   `firstPageFilteredMs`: the same for `/events?prefix=dataset.&related=owner:team.billing`.
 *   `firstPageEmptyMs`: `/events?resource=no.such.resource` to its empty state — the page's fixed
 *   cost (bundle, first render, one index probe). `apiFirstPageMs`: the list's request alone
 *   (`POST /events/filter`, limit 100) from Node. Target (issue 13): ≤ 500 ms.
 * - `histogram30dApiMs`: the histogram's count request for the last 30 days (the buckets the UI
 *   picks for that span) from Node; `histogram30dVisibleMs`: `/events?span=30d` opened in a fresh
 *   context, navigation start → the bars drawn. Target ≤ 300 ms.
 * - `textSearchP50Ms` / `textSearchP95Ms`: the list's request (`POST /events/filter`, limit 100) for
 *   20 text searches of mixed selectivity; `textSearchVisibleMs`: one of them opened in the browser.
 *   Target: p95 ≤ 300 ms. `textSearchSlowest`: the slowest term and its time.
 * `textIndexMs`: bringing the text index up after seeding (what the server's indexer does in the
 * background), before the server starts.
 * `FLOWTRAIL_BENCH_DB=file` keeps (and reuses) the seeded database.
 * Prints nothing; returns the figures.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { homePaths } from '../../src/core/config.ts';
import { newEventId } from '../../src/events/event-id.ts';
import type { FlowtrailEvent, RelatedResource } from '../../src/events/model.ts';
import { openSqliteEventStore } from '../../src/store/sql/sqlite/sqlite-stores.ts';
import { launchBrowser } from '../../test/web/browser.ts';
import { serveHome } from '../../test/web/ui-home.ts';
import { bucketSizeFor } from '../../web/src/components/events/histogram-buckets.ts';
import { percentile } from '../lib.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const BATCH = 10_000;
const DAY = 86_400_000;

const median = (xs: readonly number[]) => percentile(xs, 50);
const round = (ms: number) => Number(ms.toFixed(1));

// A deterministic PRNG (xorshift32), so every seeding builds the same corpus.
let state = 0x2545f491;
function rand(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const NAMES = [
  'flowtrail.task.started',
  'flowtrail.task.completed',
  'flowtrail.task.started',
  'flowtrail.task.completed',
  'flowtrail.run.started',
  'flowtrail.run.completed',
  'flowtrail.artifact.stored',
  'dataset.refreshed',
  'dataset.validated',
  'model.trained',
  'model.evaluated',
  'report.published',
  'alert.raised',
  'user.login',
];
const TEAMS = ['forecasting', 'billing', 'search', 'ml-platform', 'growth'];
const MESSAGES = [
  'ok',
  'ok',
  'ok',
  'retry scheduled',
  'timeout after 30s',
  'disk full on volume',
  'slow query',
];

function makeEvent(occurred: number): FlowtrailEvent {
  const name = pick(NAMES);
  const i = Math.floor(rand() * 5_000);
  const kind = name.split('.').slice(0, -1).join('.');
  const id = kind.startsWith('flowtrail.') ? `${kind}.Flow${i % 40}/${i}` : `${kind}.${kind}-${i}`;
  const related: RelatedResource[] = [
    { 'flowtrail.resource.id': `team.${pick(TEAMS)}`, 'flowtrail.resource.role': 'owner' },
  ];
  if (rand() < 0.5)
    related.push({ 'flowtrail.resource.id': `flowtrail.tag.tag${i % 20}`, 'flowtrail.resource.role': 'tag' });
  if (rand() < 0.3)
    related.push({
      'flowtrail.resource.id': `flowtrail.run.Flow${i % 40}/${i}`,
      'flowtrail.resource.role': 'run',
    });
  return {
    id: newEventId(),
    occurred: new Date(occurred),
    event: name,
    resource: {
      'flowtrail.resource.id': id,
      'flowtrail.resource.name': `${kind}-${i}`,
      'acme.env': rand() < 0.8 ? 'prod' : 'staging',
    },
    related,
    payload: {
      host: `worker-${Math.floor(rand() * 50)}`,
      msg: pick(MESSAGES),
      rows: Math.floor(rand() * 100_000),
    },
    follows: null,
    received: new Date(occurred),
  };
}

/**
 * The corpus: BENCH_EVENTS events over the 30 days before `end`, in batches of 10,000, the same
 * events on every call (`bench/event-search.ts` seeds a baseline commit's store with it too).
 */
export function* corpusBatches(end: number): Generator<FlowtrailEvent[]> {
  state = 0x2545f491;
  const step = (30 * DAY) / EVENTS;
  for (let at = 0; at < EVENTS; at += BATCH) {
    const batch: FlowtrailEvent[] = [];
    for (let k = at; k < Math.min(EVENTS, at + BATCH); k++)
      batch.push(makeEvent(Math.floor(end - 30 * DAY + k * step + rand() * step)));
    yield batch;
  }
}

/**
 * Seeds the database (unless it has events) and brings its text index up, as the server's
 * indexer would in the background (`server/text-indexer.ts`): how long each took.
 */
async function seed(database: string, end: number): Promise<{ seedMs: number; indexMs: number }> {
  const events = openSqliteEventStore(database);
  let started = performance.now();
  let seedMs = 0;
  try {
    if ((await events.headPosition()) === 0) {
      for (const batch of corpusBatches(end)) await events.append(batch);
      seedMs = performance.now() - started;
    }
    started = performance.now();
    while ((await events.indexText(20_000)) > 0);
    return { seedMs, indexMs: performance.now() - started };
  } finally {
    await events.close();
  }
}

/** Opens `url` in a fresh context (cold cache) and returns navigation start → `selector` in the DOM. */
async function visible(browser: Browser, url: string, selector: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    // Runs in the page (a function: a string would be polled through eval, which the CSP refuses).
    (sel) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
      return doc.querySelector(sel) ? performance.now() : null;
    },
    selector,
    { polling: 'raf', timeout: 60_000 },
  );
  const ms = Number(await handle.jsonValue());
  await context.close();
  return ms;
}

async function timePost(url: string, body: unknown): Promise<number> {
  const t = performance.now();
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!answer.ok) throw new Error(`${url} answered ${answer.status}: ${await answer.text()}`);
  await answer.arrayBuffer();
  return performance.now() - t;
}

/** The text searches: mixed selectivity, `model-4999` the rarest (~30 of 1,000,000). */
export const TERMS = [
  'worker-7',
  'timeout',
  '"disk full"',
  'billing',
  'staging',
  'retry',
  'model.trained',
  'slow query',
  'tag7',
  '+staging +timeout',
  'dataset-42',
  'Flow3/',
  'growth -ok',
  'report',
  'worker-49 +disk',
  'alert',
  '"ml-platform"',
  'login',
  'model-4999',
  'evaluated +staging',
];

export async function run(): Promise<Record<string, number | string>> {
  const kept = process.env.FLOWTRAIL_BENCH_DB;
  const home = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-bench-ui-events-'));
  const paths = homePaths(home);
  await fsp.mkdir(path.dirname(paths.database), { recursive: true });
  if (kept) fs.symlinkSync(path.resolve(kept), paths.database);
  const { seedMs, indexMs } = await seed(kept ?? paths.database, Date.now());
  const server = await serveHome(home, { triggers: false });
  const browser = await launchBrowser();
  try {
    const feed = `${server.url}/events`;
    const firstRow = '[data-event-id]';
    const bars = 'svg.histogram-bars rect.histogram-bar';
    const repeat = async (fn: () => Promise<number>, n = REPEATS): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(await fn());
      return out;
    };
    // One untimed visit first: the server prepares its statements.
    await visible(browser, feed, firstRow);
    const firstPage = await repeat(() => visible(browser, feed, firstRow));
    // The fixed cost: the same page over a filter no event meets (one index probe), to its empty state.
    const emptyUrl = `${feed}?resource=no.such.resource`;
    const firstPageEmpty = await repeat(() => visible(browser, emptyUrl, '.event-list .empty'));
    const filteredUrl = `${feed}?prefix=dataset.&related=owner%3Ateam.billing`;
    await visible(browser, filteredUrl, firstRow);
    const firstPageFiltered = await repeat(() => visible(browser, filteredUrl, firstRow));

    const listBody = { filter: {}, limit: 100 };
    await timePost(`${server.url}/api/v1/events/filter`, listBody);
    const apiFirstPage = await repeat(() => timePost(`${server.url}/api/v1/events/filter`, listBody));

    const now = Date.now();
    const size = bucketSizeFor(30 * DAY);
    const countBody = {
      filter: { since: new Date(now - 30 * DAY).toISOString(), until: new Date(now).toISOString() },
      by: 'time',
      timeUnit: size.timeUnit,
      timeInterval: size.timeInterval,
    };
    await timePost(`${server.url}/api/v1/events/count`, countBody);
    const histogramApi = await repeat(() => timePost(`${server.url}/api/v1/events/count`, countBody));
    const histogramVisible = await repeat(() => visible(browser, `${feed}?span=30d`, bars));

    const searchTimes: [string, number][] = [];
    for (const text of TERMS)
      await timePost(`${server.url}/api/v1/events/filter`, { filter: { text }, limit: 100 });
    for (const text of TERMS)
      searchTimes.push([
        text,
        await timePost(`${server.url}/api/v1/events/filter`, { filter: { text }, limit: 100 }),
      ]);
    const slowest = searchTimes.reduce((a, b) => (b[1] > a[1] ? b : a));
    const searchVisible = await repeat(() => visible(browser, `${feed}?q=timeout`, firstRow));
    const times = searchTimes.map(([, ms]) => ms);
    return {
      events: EVENTS,
      seedMs: Math.round(seedMs),
      textIndexMs: Math.round(indexMs),
      firstPageMs: round(median(firstPage)),
      firstPageFilteredMs: round(median(firstPageFiltered)),
      firstPageEmptyMs: round(median(firstPageEmpty)),
      apiFirstPageMs: round(median(apiFirstPage)),
      histogramBuckets: `${size.timeInterval} ${size.timeUnit}(s)`,
      histogram30dApiMs: round(median(histogramApi)),
      histogram30dVisibleMs: round(median(histogramVisible)),
      textSearchP50Ms: round(percentile(times, 50)),
      textSearchP95Ms: round(percentile(times, 95)),
      textSearchSlowest: `${slowest[0]} ${round(slowest[1])} ms`,
      textSearchVisibleMs: round(median(searchVisible)),
    };
  } finally {
    await browser.close();
    await server.close();
    await fsp.rm(home, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await run();
  console.log(JSON.stringify({ bench: 'ui/event-feed', node: process.version, figures }, null, 2));
}
