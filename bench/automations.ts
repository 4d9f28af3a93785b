/**
 * Automations benchmark: `node --import tsx bench/automations.ts`. Prints figures, asserts nothing.
 *
 * On a fresh embedded store (SQLite), in this process:
 * 1. Evaluation throughput: 100 enabled automations of mixed kinds (reactive on every event,
 *    thresholds in windows, forEach, after/expect, proactive with forEach, compound, sequence) and
 *    50,000 events appended while no engine runs; then a trigger engine is started and timed until
 *    its cursor reaches the feed's head. Baseline in the same run: the same events read by an engine
 *    with no automation (what reading the feed and committing the cursor cost alone).
 * 2. Reactive latency: an event POSTed to a running server (`flowtrail server`, in process) →
 *    its automation's do-nothing action `executed` (the action's `finishedAt` minus the event's
 *    `received`, both stamped by the server's clock).
 * 3. Proactive lateness: how long after a window's deadline its firing was decided, over several
 *    2 s windows (built directly: saving refuses windows under 10 s, the engine does not care).
 * The event → triggered deployment's first task running figure is `bench/trigger-latency.ts`.
 *
 * The throughput runs `BENCH_AUTOMATION_ROUNDS` times (default 3; medians are printed), each round
 * also on the baseline commits' engines (`BENCH_BASELINE`, see `baseline.ts`; default `HEAD`, `none`
 * for none), alternating, and the ratios are printed. `BENCH_AUTOMATION_PARTS=throughput` skips
 * the latencies; `BENCH_AUTOMATION_PROFILE=file.cpuprofile` writes a CPU profile of this checkout's
 * last evaluation (not of the seeding).
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Automation } from '../src/automations/model.ts';
import { validateAutomation } from '../src/automations/validate-automation.ts';
import { newEventId } from '../src/events/event-id.ts';
import type { FlowtrailEvent } from '../src/events/model.ts';
import { TriggerEngine } from '../src/server/engine/trigger-engine.ts';
import { startServer } from '../src/server/server.ts';
import type { ServerStores } from '../src/server/stores.ts';
import { openArtifactStore, openDatabaseStores } from '../src/store/open.ts';
import { baselineCheckouts } from './baseline.ts';
import { percentile, sleep } from './lib.ts';

const EVENTS = Number(process.env.BENCH_AUTOMATION_EVENTS ?? 50_000);
const AUTOMATIONS = 100;
const ROUNDS = Number(process.env.BENCH_AUTOMATION_ROUNDS ?? 3);

/** What a throughput run needs of a checkout: this one, or a baseline commit's sources. */
interface EngineKit {
  label: string;
  TriggerEngine: typeof TriggerEngine;
  openDatabaseStores: typeof openDatabaseStores;
  openArtifactStore: typeof openArtifactStore;
  validateAutomation: typeof validateAutomation;
}

const thisCheckout: EngineKit = {
  label: 'this checkout',
  TriggerEngine,
  openDatabaseStores,
  openArtifactStore,
  validateAutomation,
};

/** The same parts from a baseline checkout's sources (run by tsx like this file). */
async function baselineKit(dir: string, label: string): Promise<EngineKit> {
  const load = (file: string) => import(pathToFileURL(path.join(dir, file)).href);
  const [engine, open, validate] = await Promise.all([
    load('src/server/engine/trigger-engine.ts'),
    load('src/store/open.ts'),
    load('src/automations/validate-automation.ts'),
  ]);
  return {
    label,
    TriggerEngine: engine.TriggerEngine,
    openDatabaseStores: open.openDatabaseStores,
    openArtifactStore: open.openArtifactStore,
    validateAutomation: validate.validateAutomation,
  };
}

function mixedAutomation(kit: EngineKit, i: number): Automation {
  const kind = i % 7;
  const name = `bench ${i}`;
  // As automations are written: about one resource (a host), or counting over many.
  const host = { 'flowtrail.resource.id': `host.${(i * 7) % 200}` };
  const leaf = (expect: string) => ({ type: 'event', expect: [expect], match: host });
  const trigger = [
    { type: 'event', expect: [`metric.${i % 10}`], match: host },
    { type: 'event', expect: ['metric.*'], threshold: 500, within: '1h', forEach: ['flowtrail.resource.id'] },
    { type: 'event', expect: ['metric.*'], threshold: 5, within: '1h', match: host },
    { type: 'event', after: ['deploy.started'], expect: ['deploy.finished'], within: '1h', match: host },
    {
      type: 'event',
      expect: ['heartbeat'],
      after: ['heartbeat'],
      posture: 'proactive',
      within: '10m',
      forEach: ['flowtrail.resource.id'],
    },
    {
      type: 'compound',
      require: 'all',
      within: '1h',
      triggers: [leaf(`metric.${i % 10}`), leaf('heartbeat')],
    },
    { type: 'sequence', within: '1h', triggers: [leaf('deploy.started'), leaf('deploy.finished')] },
  ][kind];
  return kit.validateAutomation({ name, trigger, actions: [{ type: 'do-nothing' }] });
}

function benchEvent(i: number, now: number): FlowtrailEvent {
  const names = [
    'metric.0',
    'metric.1',
    'metric.2',
    'metric.3',
    'metric.4',
    'metric.5',
    'metric.6',
    'metric.7',
    'metric.8',
    'metric.9',
    'heartbeat',
    'deploy.started',
    'deploy.finished',
  ];
  return {
    id: newEventId(),
    occurred: new Date(now + i),
    event: names[i % names.length]!,
    resource: { 'flowtrail.resource.id': `host.${i % 200}` },
    related: [],
    payload: { i },
    follows: null,
    received: new Date(now + i),
  };
}

/**
 * With `BENCH_AUTOMATION_PROFILE=file.cpuprofile`, a CPU profile of the evaluation alone (not of
 * the seeding): returns the function that stops it and writes the file.
 */
async function startProfile(): Promise<(() => Promise<void>) | null> {
  const file = process.env.BENCH_AUTOMATION_PROFILE;
  if (!file) return null;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

async function openStores(dir: string, kit: EngineKit = thisCheckout): Promise<ServerStores> {
  const db = await kit.openDatabaseStores({ kind: 'sqlite', file: path.join(dir, 'flowtrail.db') });
  return { ...db, artifacts: kit.openArtifactStore(path.join(dir, 'artifacts')) };
}

/** Seconds an engine needs to evaluate EVENTS events with `n` automations, and the firings it made. */
async function throughput(
  n: number,
  kit: EngineKit,
  profile: boolean,
): Promise<{ seconds: number; firings: number }> {
  const { TriggerEngine } = kit;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-bench-automations-'));
  const stores = await openStores(dir, kit);
  try {
    const options = { stores, artifactRoot: path.join(dir, 'artifacts'), buildDir: path.join(dir, 'build') };
    // A first engine sets the cursor at the head, then stops.
    const first = new TriggerEngine(options);
    first.start();
    while ((await stores.deployments.engineState()).position < 0) await sleep(10);
    await first.stop();
    const now = Date.now();
    for (let i = 0; i < n; i++) await stores.automations.create(mixedAutomation(kit, i), now);
    const start = Date.now() + 1;
    await sleep(2);
    for (let i = 0; i < EVENTS; i += 1000)
      await stores.events.append(
        Array.from({ length: Math.min(1000, EVENTS - i) }, (_, k) => benchEvent(i + k, start)),
      );
    const head = await stores.events.headPosition();
    const engine = new TriggerEngine(options);
    const profiling = profile ? await startProfile() : null;
    const t0 = performance.now();
    engine.start();
    while ((await stores.deployments.engineState()).position < head) await sleep(5);
    const seconds = (performance.now() - t0) / 1000;
    await profiling?.();
    await engine.stop();
    let firings = 0;
    for (const a of await stores.automations.list())
      firings += (await stores.automations.history(a.id, { limit: 100_000 })).length;
    return { seconds, firings };
  } finally {
    await stores.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function latencies(): Promise<{ reactive: number[]; proactiveLate: number[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-bench-automations-live-'));
  const server = await startServer({
    port: 0,
    auth: 'off',
    database: path.join(dir, 'flowtrail.db'),
    artifacts: path.join(dir, 'artifacts'),
  });
  try {
    const { stores } = server;
    const reactive = validateAutomation({
      name: 'react',
      trigger: { type: 'event', expect: ['bench.react'] },
      actions: [{ type: 'do-nothing' }],
    });
    await stores.automations.create(reactive, Date.now());
    const base = validateAutomation({
      name: 'absence',
      trigger: { type: 'event', expect: ['bench.never'], posture: 'proactive', within: 10 },
      actions: [{ type: 'do-nothing' }],
    });
    const proactive: Automation = {
      ...base,
      trigger: { ...(base.trigger as Extract<Automation['trigger'], { type: 'event' }>), withinMs: 2000 },
    };
    await stores.automations.create(proactive, Date.now());
    await sleep(500);
    const reactiveMs: number[] = [];
    for (let i = 0; i < 52; i++) {
      const response = await fetch(`${server.url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          events: [{ event: 'bench.react', resource: { 'flowtrail.resource.id': 'bench' } }],
        }),
      });
      if (!response.ok) throw new Error(`POST /events: ${response.status} ${await response.text()}`);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [latest] = await stores.automations.history(reactive.id, { limit: 1 });
        const action = latest?.actions[0];
        if (
          latest &&
          action?.finishedAt &&
          (await stores.automations.history(reactive.id, { limit: 100 })).length === i + 1
        ) {
          const [event] = (await stores.events.query({ id: latest.firing.eventIds }, { limit: 1 })).events;
          if (i >= 2) reactiveMs.push(action.finishedAt - event!.received.getTime());
          break;
        }
        if (Date.now() > deadline) throw new Error('the reactive action did not run');
        await sleep(2);
      }
      await sleep(20);
    }
    // Proactive: wait for five windows to end.
    for (;;) {
      const h = await stores.automations.history(proactive.id, { limit: 10 });
      if (h.length >= 5) {
        return {
          reactive: reactiveMs,
          proactiveLate: h.map((f) => f.firing.firing.triggered - f.firing.firing.at),
        };
      }
      await sleep(100);
    }
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const baselines = await Promise.all(baselineCheckouts().map((b) => baselineKit(b.dir, b.label)));
const rates = new Map<EngineKit, number[]>([thisCheckout, ...baselines].map((k) => [k, []]));
const noAutomation: number[] = [];
let firings = 0;
for (let round = 0; round < ROUNDS; round++) {
  // Alternating, so a change in the machine's load falls on every engine alike.
  noAutomation.push(EVENTS / (await throughput(0, thisCheckout, false)).seconds);
  for (const kit of [thisCheckout, ...baselines]) {
    const run = await throughput(AUTOMATIONS, kit, kit === thisCheckout && round === ROUNDS - 1);
    if (kit === thisCheckout) firings = run.firings;
    rates.get(kit)!.push(EVENTS / run.seconds);
  }
}
const median = (xs: number[]) => Math.round(percentile(xs, 50));
const mine = median(rates.get(thisCheckout)!);
const none = median(noAutomation);
const list = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');
console.log(
  `evaluation, ${AUTOMATIONS} automations × ${EVENTS} events (SQLite, ${firings} firings): ${mine} events/s, median of ${ROUNDS} (${list(rates.get(thisCheckout)!)}) (target ≥ 10,000); baseline, no automation: ${none} events/s → evaluation keeps ${((mine / none) * 100).toFixed(0)}% of the feed-reading rate`,
);
const baselineRates: Record<string, number> = {};
for (const kit of baselines) {
  const rate = median(rates.get(kit)!);
  baselineRates[`baseline_${kit.label}_events_per_s`] = rate;
  console.log(
    `  baseline ${kit.label}: ${rate} events/s (${list(rates.get(kit)!)}) → this checkout evaluates ${(mine / rate).toFixed(2)}× as fast`,
  );
}
const { reactive, proactiveLate } =
  process.env.BENCH_AUTOMATION_PARTS === 'throughput'
    ? { reactive: [0], proactiveLate: [0] }
    : await latencies();
console.log(
  `event accepted → reactive action executed (${reactive.length} events): p50 ${percentile(reactive, 50)} ms, p95 ${percentile(reactive, 95)} ms (target p50 ≤ 50 ms)`,
);
console.log(
  `proactive firing after its deadline (${proactiveLate.length} windows): max ${Math.max(...proactiveLate)} ms, p50 ${percentile(proactiveLate, 50)} ms (target ≤ 1,000 ms)`,
);
console.log(
  JSON.stringify({
    automations_events_per_s: mine,
    firings,
    baseline_events_per_s: none,
    ...baselineRates,
    reactive_p50_ms: percentile(reactive, 50),
    reactive_p95_ms: percentile(reactive, 95),
    proactive_late_max_ms: Math.max(...proactiveLate),
  }),
);
