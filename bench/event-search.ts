/**
 * Text search over 1,000,000 stored events against baseline commits, measured in the same run:
 * `node --import tsx bench/event-search.ts`. Prints figures and one JSON line; asserts nothing.
 *
 * Each tree (this one and each `BENCH_BASELINE` commit, see `baseline.ts`) gets an embedded SQLite
 * store seeded with the event feed's corpus (`bench/ui/event-feed.ts`: BENCH_EVENTS events over
 * 30 days, batches of 10,000); a tree whose store keeps its text index behind the appends then
 * brings it up (`indexText`, what the server's indexer does). Then the feed's 20 text searches
 * (first page, limit 100, newest first) run on every store in turn, `BENCH_REPEATS` rounds
 * (default 3); per term the median, then p50 / p95 over the terms and the ratios.
 * `FLOWTRAIL_BENCH_DIR=dir` keeps (and reuses) the stores there.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EventStore } from '../src/store/event-store.ts';
import { baselineCheckouts } from './baseline.ts';
import { percentile } from './lib.ts';
import { corpusBatches, TERMS } from './ui/event-feed.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dir = process.env.FLOWTRAIL_BENCH_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ft-search-bench-'));
fs.mkdirSync(dir, { recursive: true });
const trees = [
  { label: 'this tree', dir: root },
  ...baselineCheckouts().map((b) => ({ label: b.label, dir: b.dir })),
];
// A fixed end, so a kept store's events stay where the queries expect them.
const END = Date.UTC(2026, 11, 1);

const stores: EventStore[] = [];
try {
  for (const [k, tree] of trees.entries()) {
    const mod = (await import(
      pathToFileURL(path.join(tree.dir, 'src/store/sql/sqlite/sqlite-stores.ts')).href
    )) as {
      openSqliteEventStore(file: string): EventStore;
    };
    const store = mod.openSqliteEventStore(
      path.join(dir, `search-${k}-${tree.label.replaceAll(' ', '-')}.db`),
    );
    stores.push(store);
    if ((await store.headPosition()) === 0) {
      const t0 = performance.now();
      let n = 0;
      for (const batch of corpusBatches(END)) n += (await store.append(batch)).inserted;
      const s = (performance.now() - t0) / 1000;
      console.log(
        `${tree.label}: seeded ${n.toLocaleString()} events in ${s.toFixed(1)} s (${Math.round(n / s)} events/s)`,
      );
    }
    if (store.indexText) {
      const t0 = performance.now();
      let n = 0;
      for (let k2 = await store.indexText(20_000); k2 > 0; k2 = await store.indexText(20_000)) n += k2;
      if (n > 0)
        console.log(
          `${tree.label}: text index brought up (${n.toLocaleString()} events) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
    }
  }
  // Warm-up, then rounds alternating stores term by term.
  for (const store of stores) for (const text of TERMS) await store.query({ text }, { limit: 100 });
  const times = TERMS.map(() => stores.map((): number[] => []));
  for (let r = 0; r < REPEATS; r++)
    for (const [i, text] of TERMS.entries())
      for (const [k, store] of stores.entries()) {
        const t0 = performance.now();
        await store.query({ text }, { limit: 100 });
        times[i]![k]!.push(performance.now() - t0);
      }
  const medians = times.map((perStore) => perStore.map((xs) => percentile(xs, 50)));
  console.log(`term (median of ${REPEATS}, ms)`.padEnd(26) + trees.map((t) => t.label.padStart(12)).join(''));
  for (const [i, text] of TERMS.entries())
    console.log(text.padEnd(26) + medians[i]!.map((ms) => ms.toFixed(1).padStart(12)).join(''));
  const summary: Record<string, number> = {};
  for (const [k, tree] of trees.entries()) {
    const xs = medians.map((m) => m[k]!);
    const p50 = percentile(xs, 50);
    const p95 = percentile(xs, 95);
    summary[`${tree.label}P50Ms`] = Number(p50.toFixed(1));
    summary[`${tree.label}P95Ms`] = Number(p95.toFixed(1));
    const ratio =
      k === 0
        ? ''
        : ` → this tree's p50 ${(p50 / summary['this treeP50Ms']!).toFixed(2)}× faster, p95 ${(p95 / summary['this treeP95Ms']!).toFixed(2)}× faster`;
    console.log(`${tree.label}: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms${ratio}`);
  }
  console.log(
    JSON.stringify({
      bench: 'event-search',
      events: Number(process.env.BENCH_EVENTS ?? 1_000_000),
      ...summary,
    }),
  );
} finally {
  for (const s of stores) await s.close();
  if (process.env.FLOWTRAIL_BENCH_DIR === undefined) fs.rmSync(dir, { recursive: true, force: true });
}
