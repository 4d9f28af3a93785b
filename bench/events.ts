/**
 * Event store benchmark: `node --import tsx bench/events.ts`. Prints figures, asserts nothing, and
 * ends with one JSON line.
 *
 * 1. Ingest: 100,000 events appended to an empty embedded SQLite store in batches of 1,000 (one
 *    transaction each), events/s, median of three runs. Target ≥ 60,000. The same ingest runs on
 *    the baseline commits' stores (`BENCH_BASELINE`, one or several comma-separated revisions, see
 *    `baseline.ts`; runs alternate) and the ratios are printed, on PostgreSQL too.
 * 2. A corpus of 1,000,000 realistic events (20 event names, 10,000 resources, 1–3 related each
 *    with tags, small payloads, over 30 days) is built in batches of 10,000; then:
 *    - a filtered first page (event prefix + related tag + last 7 days, 50 events): p50 and p95
 *      over 20 different filters, after one warm-up pass. Target p50 ≤ 50 ms;
 *    - other first pages for reference (a run's events, a label glob, a text search);
 *    - count by time: hour buckets over 7 days, day buckets over 30 days. Target ≤ 200 ms.
 *
 * `EVENTS=n` changes the corpus size; `FLOWTRAIL_BENCH_DB=file` keeps (and reuses) the corpus.
 * `FLOWTRAIL_BENCH_POSTGRES=postgres://…` runs it on the PostgreSQL store instead (each store in a
 * schema of its own, dropped after; `FLOWTRAIL_BENCH_SCHEMA=name` keeps and reuses the corpus). The
 * corpus is then vacuumed and analyzed, as autovacuum would leave it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { newEventId } from '../src/events/event-id.ts';
import type { EventFilter } from '../src/events/filter.ts';
import type { FlowtrailEvent, RelatedResource } from '../src/events/model.ts';
import type { EventStore } from '../src/store/event-store.ts';
import { openPostgresStores } from '../src/store/sql/postgres/postgres-stores.ts';
import { openSqliteEventStore } from '../src/store/sql/sqlite/sqlite-stores.ts';
import { baselineCheckouts } from './baseline.ts';

const CORPUS = Number(process.env.EVENTS ?? 1_000_000);
const DAY = 86_400_000;
const NOW = Date.now();

// A small deterministic PRNG (mulberry32), so every run builds the same corpus.
let seed = 0x5eed;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** Event names with relative frequencies and the kind of resource they are about. */
const NAMES: [string, number, string][] = [
  ['flowtrail.task.started', 20, 'task'],
  ['flowtrail.task.completed', 18, 'task'],
  ['flowtrail.task.failed', 2, 'task'],
  ['flowtrail.task.retrying', 1, 'task'],
  ['flowtrail.step.started', 6, 'step'],
  ['flowtrail.step.completed', 6, 'step'],
  ['flowtrail.run.started', 3, 'run'],
  ['flowtrail.run.completed', 3, 'run'],
  ['flowtrail.run.failed', 0.5, 'run'],
  ['flowtrail.run.crashed', 0.1, 'run'],
  ['flowtrail.artifact.stored', 15, 'artifact'],
  ['dataset.refreshed', 6, 'dataset'],
  ['dataset.validated', 4, 'dataset'],
  ['model.trained', 2, 'model'],
  ['model.evaluated', 2, 'model'],
  ['model.deployed', 0.5, 'model'],
  ['report.published', 3, 'report'],
  ['alert.raised', 1, 'alert'],
  ['user.login', 5, 'user'],
  ['deploy.finished', 1, 'deploy'],
];
const WEIGHT = NAMES.reduce((s, [, w]) => s + w, 0);
function pickName(): [string, string] {
  let x = rand() * WEIGHT;
  for (const [name, w, kind] of NAMES) {
    x -= w;
    if (x <= 0) return [name, kind];
  }
  return [NAMES[0]![0], NAMES[0]![2]];
}

const TAGS = Array.from({ length: 20 }, (_, i) => `tag${i}`);
const FLOWS = Array.from({ length: 40 }, (_, i) => `Flow${i}`);
const TEAMS = ['forecasting', 'billing', 'search', 'ml-platform', 'growth'];
/** 10,000 resources, spread over the kinds. */
const PER_KIND = 1000;
function resourceId(kind: string, i: number): string {
  const flow = FLOWS[i % FLOWS.length]!;
  switch (kind) {
    case 'task':
      return `flowtrail.task.${flow}/${i}/train/${i * 7}`;
    case 'step':
      return `flowtrail.step.${flow}/${i}/train`;
    case 'run':
      return `flowtrail.run.${flow}/${i}`;
    case 'artifact':
      return `flowtrail.artifact.${flow}/${i}/train/${i * 7}/model`;
    default:
      return `${kind}.${kind}-${i}`;
  }
}

function makeEvent(occurred: number): FlowtrailEvent {
  const [name, kind] = pickName();
  const i = Math.floor(rand() * PER_KIND);
  const flow = FLOWS[i % FLOWS.length]!;
  const related: RelatedResource[] = [];
  const nRelated = 1 + Math.floor(rand() * 3);
  if (kind === 'task' || kind === 'step' || kind === 'run' || kind === 'artifact') {
    related.push({
      'flowtrail.resource.id': `flowtrail.flow.${flow}`,
      'flowtrail.resource.role': 'flow',
      'flowtrail.resource.name': flow,
    });
  } else {
    related.push({
      'flowtrail.resource.id': `team.${pick(TEAMS)}`,
      'flowtrail.resource.role': 'owner',
      'flowtrail.resource.name': pick(TEAMS),
    });
  }
  while (related.length < nRelated) {
    const tag = pick(TAGS);
    if (related.some((r) => r['flowtrail.resource.id'] === `flowtrail.tag.${tag}`)) break;
    related.push({ 'flowtrail.resource.id': `flowtrail.tag.${tag}`, 'flowtrail.resource.role': 'tag' });
  }
  const id = resourceId(kind, i);
  return {
    id: newEventId(),
    occurred: new Date(occurred),
    event: name,
    resource: {
      'flowtrail.resource.id': id,
      'flowtrail.resource.name': id.slice(id.indexOf('.') + 1),
      'acme.env': rand() < 0.8 ? 'prod' : 'staging',
    },
    related,
    payload: {
      duration_ms: Math.floor(rand() * 100_000),
      attempt: Math.floor(rand() * 3),
      host: `worker-${Math.floor(rand() * 50)}`,
      ok: rand() < 0.95,
    },
    follows: null,
    received: new Date(occurred + Math.floor(rand() * 50)),
  };
}

/** `n` events spread evenly over [from, to), in time order with a little jitter. */
function* generate(n: number, from: number, to: number, batch: number): Generator<FlowtrailEvent[]> {
  const step = (to - from) / n;
  let out: FlowtrailEvent[] = [];
  for (let k = 0; k < n; k++) {
    out.push(makeEvent(Math.floor(from + k * step + rand() * step)));
    if (out.length === batch) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const round = (x: number) => Math.round(x * 10) / 10;

/** A store of a baseline checkout for one ingest run, and how to close (and drop) it. */
type BaselineOpener = (name: string) => Promise<{ store: EventStore; close(): Promise<void> }>;

/**
 * The event store opener of a baseline checkout (its sources, run by tsx like this file),
 * wherever that commit kept it: SQLite files, or schemas of `FLOWTRAIL_BENCH_POSTGRES`.
 */
async function baselineEventStore(dir: string, pgUrl: string | undefined): Promise<BaselineOpener> {
  const candidates =
    pgUrl === undefined
      ? ['src/store/sql/sqlite/sqlite-stores.ts', 'src/store/sql/sqlite.ts']
      : ['src/store/sql/postgres/postgres-stores.ts', 'src/store/sql/postgres.ts'];
  const found = candidates.map((c) => path.join(dir, c)).find((c) => fs.existsSync(c));
  if (found === undefined) throw new Error(`No event store opener in the baseline checkout ${dir}.`);
  const mod = (await import(pathToFileURL(found).href)) as {
    openSqliteEventStore?: (file: string) => EventStore;
    openPostgresStores?: (
      url: string,
      o: { schema: string },
    ) => Promise<{ events: EventStore; close(): Promise<void> }>;
  };
  if (pgUrl === undefined)
    return async (name) => {
      const file = path.join(tmp, `${name}.db`);
      const store = mod.openSqliteEventStore!(file);
      return {
        store,
        close: async () => {
          await store.close();
          for (const ext of ['', '-wal', '-shm']) fs.rmSync(`${file}${ext}`, { force: true });
        },
      };
    };
  return async (name) => {
    const schema = `ft_bench_${name.replaceAll('-', '_')}_${process.pid}`;
    const stores = await mod.openPostgresStores!(pgUrl, { schema });
    return {
      store: stores.events,
      close: async () => {
        await stores.close();
        await pgAdmin(pgUrl, `DROP SCHEMA "${schema}" CASCADE`);
      },
    };
  };
}

/** Runs one statement on its own connection. */
async function pgAdmin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-events-bench-'));
const results: Record<string, number> = {};
const PG_URL = process.env.FLOWTRAIL_BENCH_POSTGRES;

/** An event store: a SQLite file, or (with `FLOWTRAIL_BENCH_POSTGRES`) a PostgreSQL schema. */
async function openBenchStore(name: string): Promise<{
  store: EventStore;
  where: string;
  settle(): Promise<void>;
  close(drop: boolean): Promise<void>;
}> {
  if (PG_URL === undefined) {
    const file = name;
    const store = openSqliteEventStore(file);
    return {
      store,
      where: file,
      settle: async () => {},
      close: async (drop) => {
        await store.close();
        if (drop) for (const ext of ['', '-wal', '-shm']) fs.rmSync(`${file}${ext}`, { force: true });
      },
    };
  }
  const stores = await openPostgresStores(PG_URL, { schema: name });
  const admin = (statement: string) => pgAdmin(PG_URL, statement);
  return {
    store: stores.events,
    where: stores.events.location,
    settle: () => admin(`VACUUM ANALYZE "${name}".events, "${name}".event_links`),
    close: async (drop) => {
      await stores.close();
      if (drop) await admin(`DROP SCHEMA "${name}" CASCADE`);
    },
  };
}
try {
  // 1. Ingest into an empty store: three runs, each into a fresh file; the median counts. The
  // baseline commit's SQLite store runs the same batches, alternating with this tree's.
  {
    // `BENCH_BASELINE` may name several commits (comma-separated): each runs the same batches.
    const baselines = baselineCheckouts();
    const opened = await Promise.all(baselines.map((b) => baselineEventStore(b.dir, PG_URL)));
    const rates: number[] = [];
    const indexedRates: number[] = [];
    const baseRates: number[][] = baselines.map(() => []);
    const ingest = async (store: EventStore, batches: FlowtrailEvent[][]): Promise<number> => {
      const t0 = performance.now();
      for (const b of batches) await store.append(b);
      return Math.round(100_000 / ((performance.now() - t0) / 1000));
    };
    for (let run = 0; run < 3; run++) {
      const batches = [...generate(100_000, NOW - DAY, NOW, 1000)];
      const current = await openBenchStore(
        PG_URL ? `ft_bench_ingest_${process.pid}_${run}` : path.join(tmp, `ingest-${run}.db`),
      );
      const rate = await ingest(current.store, batches);
      rates.push(rate);
      // A store that indexes text behind the appends (SQLite): the same events with the index
      // brought up after them, as the server's indexer does, counted in the rate.
      const t0 = performance.now();
      while (((await current.store.indexText?.(5000)) ?? 0) > 0);
      indexedRates.push(Math.round(100_000 / (100_000 / rate + (performance.now() - t0) / 1000)));
      await current.close(true);
      for (const [k, openBaseline] of opened.entries()) {
        const base = await openBaseline(`ingest-baseline-${k}-${run}`);
        baseRates[k]!.push(await ingest(base.store, batches));
        // A baseline tree that also indexes behind the appends: the same treatment, not counted.
        while (((await base.store.indexText?.(5000)) ?? 0) > 0);
        await base.close();
      }
    }
    results.ingestEventsPerSec = percentile(rates, 50);
    results.ingestIndexedEventsPerSec = percentile(indexedRates, 50);
    console.log(
      `ingest: 100,000 events in batches of 1,000 into an empty store: ${results.ingestEventsPerSec} events/s (median of 3 runs: ${rates.join(', ')})`,
    );
    console.log(
      `  with the text index brought up after the appends (in the rate): ${results.ingestIndexedEventsPerSec} events/s (${indexedRates.join(', ')})`,
    );
    for (const [k, baseline] of baselines.entries()) {
      const rate = percentile(baseRates[k]!, 50);
      results[`baselineIngestEventsPerSec_${baseline.label}`] = rate;
      if (k === 0) results.baselineIngestEventsPerSec = rate;
      console.log(
        `  baseline ${baseline.label}: ${rate} events/s (${baseRates[k]!.join(', ')}) → ${(results.ingestEventsPerSec / rate).toFixed(2)}× the baseline's rate (${(results.ingestIndexedEventsPerSec / rate).toFixed(2)}× with the text index brought up)`,
      );
    }
  }

  // 2. The 1,000,000-event corpus.
  const kept = PG_URL === undefined ? process.env.FLOWTRAIL_BENCH_DB : process.env.FLOWTRAIL_BENCH_SCHEMA;
  const corpus = await openBenchStore(
    kept ?? (PG_URL ? `ft_bench_corpus_${process.pid}` : path.join(tmp, 'corpus.db')),
  );
  const store = corpus.store;
  const head = await store.headPosition();
  const reuse = head > 0;
  const corpusEnd = reuse ? (await store.readAfter(head - 1, 1)).events[0]!.occurred.getTime() : NOW;
  if (!reuse) {
    const t0 = performance.now();
    let done = 0;
    for (const b of generate(CORPUS, NOW - 30 * DAY, NOW, 10_000)) {
      await store.append(b);
      done += b.length;
      if (done % 200_000 === 0) console.log(`  corpus: ${done.toLocaleString()} events`);
    }
    const s = (performance.now() - t0) / 1000;
    results.corpusEventsPerSec = Math.round(CORPUS / s);
    console.log(
      `corpus: ${CORPUS.toLocaleString()} events in ${s.toFixed(1)} s (${results.corpusEventsPerSec} events/s, batches of 10,000)`,
    );
    await corpus.settle();
  } else console.log(`corpus: reusing ${corpus.where} (${head.toLocaleString()} events)`);
  if (store.indexText) {
    const t0 = performance.now();
    let n = 0;
    for (let k = await store.indexText(20_000); k > 0; k = await store.indexText(20_000)) n += k;
    if (n > 0)
      console.log(
        `corpus: text index brought up (${n.toLocaleString()} events) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
  }
  const end = reuse ? corpusEnd + 1 : NOW;
  const since7 = new Date(end - 7 * DAY);

  const time = async (fn: () => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };

  const prefixes = ['flowtrail.task.', 'flowtrail.run.', 'flowtrail.step.', 'dataset.', 'model.'];
  const filters: EventFilter[] = Array.from({ length: 20 }, (_, i) => ({
    since: since7,
    event: { prefix: [prefixes[i % prefixes.length]!] },
    related: { role: ['tag'], id: [`flowtrail.tag.${TAGS[i]}`] },
  }));
  for (const f of filters) await store.query(f, { limit: 50 }); // warm-up
  const firstPage: number[] = [];
  let returned = 0;
  for (const f of filters) {
    firstPage.push(
      await time(async () => {
        returned += (await store.query(f, { limit: 50 })).events.length;
      }),
    );
  }
  results.firstPageP50Ms = round(percentile(firstPage, 50));
  results.firstPageP95Ms = round(percentile(firstPage, 95));
  console.log(
    `first page (prefix + related tag + 7 days, limit 50) over 20 filters: p50 ${results.firstPageP50Ms} ms, p95 ${results.firstPageP95Ms} ms (${returned} events returned)`,
  );

  const others: [string, EventFilter][] = [
    [
      'a run’s events (related id)',
      { related: { id: ['flowtrail.flow.Flow3'] }, resource: { idPrefix: ['flowtrail.task.Flow3/83/'] } },
    ],
    ['one resource, all time', { resource: { id: ['dataset.dataset-42'] } }],
    [
      'label glob + 7 days',
      { since: since7, resource: { labels: { 'flowtrail.resource.name': 'model-1*', 'acme.env': '!prod' } } },
    ],
    ['any resource tag, 30 days', { anyResource: { id: ['flowtrail.tag.tag7'] } }],
    [
      'two related filters (AND)',
      {
        since: since7,
        related: [
          { role: ['tag'], id: ['flowtrail.tag.tag1'] },
          { role: ['tag'], id: ['flowtrail.tag.tag2'] },
        ],
      },
    ],
    ['rare event name', { event: { name: ['flowtrail.run.crashed'] } }],
    ['text search, 7 days', { since: since7, text: 'worker-7 +staging -flowtrail.task' }],
    ['text search, a rare term, all time', { text: 'dataset-4242' }],
    ['no filter, oldest first', { order: 'asc' }],
  ];
  for (const [label, f] of others) {
    await store.query(f, { limit: 50 });
    const ms = await time(() => store.query(f, { limit: 50 }));
    console.log(`  first page, ${label}: ${round(ms)} ms`);
  }
  {
    let cursor: string | undefined;
    const f = filters[0]!;
    const t0 = performance.now();
    let pages = 0;
    do {
      const p = await store.query(f, { limit: 500, ...(cursor ? { cursor } : {}) });
      cursor = p.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    console.log(`  10 pages of 500 following cursors: ${round(performance.now() - t0)} ms`);
    const tt = await time(() => store.total(f));
    console.log(`  total() of the same filter: ${round(tt)} ms`);
  }

  const hour7: number[] = [];
  const day30: number[] = [];
  for (let i = 0; i < 5; i++) {
    hour7.push(
      await time(() =>
        store.count({ since: since7, until: new Date(end) }, 'time', { timeUnit: 'hour', timeInterval: 1 }),
      ),
    );
    day30.push(
      await time(() =>
        store.count({ since: new Date(end - 30 * DAY), until: new Date(end) }, 'time', { timeUnit: 'day' }),
      ),
    );
  }
  results.countHour7dMs = round(percentile(hour7, 50));
  results.countDay30dMs = round(percentile(day30, 50));
  console.log(
    `count by time: hour buckets over 7 days ${results.countHour7dMs} ms; day buckets over 30 days ${results.countDay30dMs} ms (median of 5)`,
  );
  const filtered = await time(() =>
    store.count({ ...filters[0]!, until: new Date(end) }, 'time', { timeUnit: 'hour' }),
  );
  console.log(`  hour buckets over 7 days, prefix + tag filter: ${round(filtered)} ms`);
  const byEvent = await time(() => store.count({ since: since7 }, 'event'));
  console.log(`  count by event, 7 days: ${round(byEvent)} ms`);
  await corpus.close(kept === undefined);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(JSON.stringify({ bench: 'events', corpus: CORPUS, ...results }));
