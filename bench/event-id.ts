/**
 * Event id benchmark: `BENCH_BASELINE=93771c6 node --import tsx bench/event-id.ts`. Prints figures,
 * asserts nothing, and ends with one JSON line.
 *
 * New UUIDv7 ids per second from four generators, run in turn five times (median), so all see the
 * same machine load:
 * - this checkout's `newEventId`;
 * - the baseline commit's `newEventId` (`BENCH_BASELINE`, see bench/baseline.ts);
 * - the `uuid` package's `v7()` (its own monotonic state, one `crypto.getRandomValues` per id);
 * - `uuid`'s `v7({ random, msecs, seq })` fed with random bytes drawn 4 KiB at a time and our
 *   millisecond/counter state (the best use of `uuid` that keeps ids strictly increasing).
 * Each figure is printed as a ratio against the baseline. `IDS=n` changes the batch size.
 */
import { randomFillSync } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { v7 } from 'uuid';
import { newEventId } from '../src/events/event-id.ts';
import { baselineCheckout, speedup } from './baseline.ts';

const IDS = Number(process.env.IDS ?? 1_000_000);
const ROUNDS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
let lastMs = -1;
let seq = 0;
function uuidPooled(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const random = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    seq = random.readUInt32BE(6) >>> 1;
  } else {
    seq = (seq + 1) >>> 0;
    if (seq === 0) lastMs++;
  }
  return v7({ random, msecs: lastMs, seq });
}

const baseline = baselineCheckout();
const generators: [string, () => string][] = [['this checkout', newEventId]];
if (baseline) {
  // Before this change the generator lived in events/validate.ts.
  const old = (await import(pathToFileURL(path.join(baseline.dir, 'src/events/validate.ts')).href)) as {
    newEventId: () => string;
  };
  generators.push([`baseline ${baseline.label}`, old.newEventId]);
}
generators.push(['uuid v7()', () => v7()], ['uuid v7(pooled random, our counter)', uuidPooled]);

/** Ids per second of one batch. */
function rate(make: () => string): number {
  let last = '';
  const t0 = performance.now();
  for (let i = 0; i < IDS; i++) last = make();
  const ms = performance.now() - t0;
  if (last.length !== 36) throw new Error(`not a UUID: ${last}`);
  return (IDS / ms) * 1000;
}

for (const [, make] of generators) rate(make); // warm-up (JIT)
const rates = new Map<string, number[]>(generators.map(([name]) => [name, []]));
for (let r = 0; r < ROUNDS; r++) for (const [name, make] of generators) rates.get(name)!.push(rate(make));

const result: Record<string, number> = {};
const baseName = baseline ? `baseline ${baseline.label}` : undefined;
for (const [name] of generators) {
  const perSecond = median(rates.get(name)!);
  result[name] = Math.round(perSecond);
  const ratio =
    baseName && name !== baseName
      ? ` → ${speedup(1 / median(rates.get(baseName)!), 1 / perSecond, baseline!.label)}`
      : '';
  console.log(
    `${name.padEnd(38)} ${Math.round(perSecond).toLocaleString('en-US').padStart(11)} ids/s${ratio}`,
  );
}
console.log(JSON.stringify({ idsPerSecond: result }));
