/**
 * `flowtrail events emit | list | tail | count`: each call is a spawned `bin/flowtrail.js` against
 * a temporary home. A fixed corpus is written straight into the store (fast); everything else goes
 * through the CLI. Independent calls run concurrently to keep the file fast.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput, FlowtrailEvent } from '../../src/events/model.ts';
import { validateEvent } from '../../src/events/validate-event.ts';
import { type TempHome, tempHome } from '../../src/testing/index.ts';
import { type CliResult, example, readHome, repoRoot, runCli } from '../helpers.ts';

const BIN = path.join(repoRoot, 'bin/flowtrail.js');
const ID = 'flowtrail.resource.id';
const ROLE = 'flowtrail.resource.role';
const NAME = 'flowtrail.resource.name';

function env(home: string): NodeJS.ProcessEnv {
  return { ...process.env, FLOWTRAIL_HOME: home, FLOWTRAIL_USER: 'tester', FLOWTRAIL_PRODUCTION_TOKEN: '' };
}

const cli = (home: string, args: string[]): Promise<CliResult> => runCli(args, env(home));

interface JsonEvent {
  id: string;
  occurred: string;
  received: string;
  event: string;
  resource: Record<string, string>;
  related: Record<string, string>[];
  payload: Record<string, unknown>;
  follows: string | null;
}

interface JsonPage {
  events: JsonEvent[];
  nextCursor: string | null;
}

/** A CLI call that must succeed with `--json`; the parsed output. */
async function json<T>(home: string, args: string[]): Promise<T> {
  const r = await cli(home, [...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** A CLI call that must fail with one line `flowtrail: … [CODE]`. */
async function fails(home: string, args: string[], code: number, errorCode: string): Promise<string> {
  const r = await cli(home, args);
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^flowtrail: .* \\[${errorCode}\\]$`));
  return lines[0]!;
}

/** Writes validated events straight into a home's event store. */
async function seed(home: string, inputs: EventInput[]): Promise<FlowtrailEvent[]> {
  const events = inputs.map((i) => validateEvent(i));
  await using stores = readHome(home);
  await stores.events.append(events);
  return events;
}

/** A temp home for one describe block: seeded with these events before its tests, removed after. */
function seededHome(inputs: EventInput[]): { readonly path: string; readonly events: FlowtrailEvent[] } {
  let home: TempHome | undefined;
  let events: FlowtrailEvent[] = [];
  beforeAll(async () => {
    home = await tempHome();
    events = await seed(home.path, inputs);
  });
  afterAll(async () => {
    await home?.[Symbol.asyncDispose]();
  });
  return {
    get path() {
      return home!.path;
    },
    get events() {
      return events;
    },
  };
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.now();

const owner = (id: string) => ({ [ID]: id, [ROLE]: 'owner' });
const tag = (t: string) => ({ [ID]: `tag.${t}`, [ROLE]: 'tag' });

/** The fixed corpus: each event's payload `key` names it. */
const CORPUS: EventInput[] = [
  {
    event: 'dataset.refreshed',
    resource: { [ID]: 'dataset.sales', [NAME]: 'sales', region: 'eu' },
    related: [owner('team.forecasting'), tag('nightly')],
    payload: { key: 'e1', rows: 100, note: 'quarterly close' },
    occurred: new Date(NOW - 3 * HOUR),
  },
  {
    event: 'dataset.refreshed',
    resource: { [ID]: 'dataset.costs', [NAME]: 'costs', region: 'us' },
    related: [owner('team.finance')],
    payload: { key: 'e2', rows: 5 },
    occurred: new Date(NOW - 90 * MIN),
  },
  {
    event: 'dataset.deleted',
    resource: { [ID]: 'dataset.tmp', region: 'eu-west' },
    related: [owner('team.forecasting'), tag('dev')],
    payload: { key: 'e3', reason: 'test cleanup' },
    occurred: new Date(NOW - 30 * MIN),
  },
  {
    event: 'model.promoted',
    resource: { [ID]: 'model.churn', [NAME]: 'churn' },
    related: [
      { [ID]: 'dataset.sales', [ROLE]: 'input' },
      { [ID]: 'run.train.7', [ROLE]: 'run' },
    ],
    payload: { key: 'e4', auc: 0.91 },
    occurred: new Date(NOW - 10 * MIN),
  },
  {
    event: 'model.trained',
    resource: { [ID]: 'model.churn', [NAME]: 'churn' },
    related: [owner('team.ml'), tag('nightly')],
    payload: { key: 'e5' },
    occurred: new Date(NOW - 48 * HOUR),
  },
];

let corpusHome: TempHome;
let corpus: FlowtrailEvent[];

beforeAll(async () => {
  corpusHome = await tempHome();
  corpus = await seed(corpusHome.path, CORPUS);
});

afterAll(async () => {
  await corpusHome?.[Symbol.asyncDispose]();
});

/** The payload keys of the events `events list FLAGS --json` returns, in order. */
async function keys(args: string[]): Promise<string[]> {
  const page = await json<JsonPage>(corpusHome.path, ['events', 'list', ...args]);
  expect(page.nextCursor).toBeNull();
  return page.events.map((e) => String(e.payload.key));
}

describe('flowtrail events emit', () => {
  it('stores an event with resource labels, related resources and a payload; list reads it back', async () => {
    await using home = await tempHome();
    const first = await cli(home.path, [
      'events',
      'emit',
      'dataset.refreshed',
      '--resource-id',
      'dataset.sales',
      '--resource',
      `${NAME}=sales`,
      'region=eu',
      '--related',
      'owner:team.forecasting',
      'upstream:urn:warehouse:sales',
      '--related-label',
      'owner:team.forecasting:slack=#forecasting',
      '--payload',
      '{"rows":120000,"source":{"table":"sales"}}',
      '--occurred',
      '2025-01-31T12:00:00Z',
    ]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const id = first.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const given = '0190a6f2-3c4d-7a1b-8e2f-0123456789ab';
    const second = await json<JsonEvent>(home.path, [
      'events',
      'emit',
      'dataset.checked',
      `--resource=${ID}=dataset.sales`,
      '--id',
      given,
      '--follows',
      id,
      '--occurred',
      '2025-01-31T12:05:00Z',
    ]);
    expect(second).toMatchObject({
      id: given,
      event: 'dataset.checked',
      occurred: '2025-01-31T12:05:00.000Z',
      resource: { [ID]: 'dataset.sales' },
      related: [],
      payload: {},
      follows: id,
      received: expect.any(String),
    });

    const [page, text] = await Promise.all([
      json<JsonPage>(home.path, ['events', 'list']),
      cli(home.path, ['events', 'list']),
    ]);
    expect(page.nextCursor).toBeNull();
    expect(page.events.map((e) => e.id)).toEqual([given, id]);
    expect(page.events[1]).toEqual({
      id,
      occurred: '2025-01-31T12:00:00.000Z',
      received: expect.any(String),
      event: 'dataset.refreshed',
      resource: { [ID]: 'dataset.sales', [NAME]: 'sales', region: 'eu' },
      related: [
        { [ID]: 'team.forecasting', [ROLE]: 'owner', slack: '#forecasting' },
        { [ID]: 'urn:warehouse:sales', [ROLE]: 'upstream' },
      ],
      payload: { rows: 120000, source: { table: 'sales' } },
      follows: null,
    });
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^2025-01-31T12:05:00\.000Z {2}dataset\.checked +dataset\.sales +-$/);
    expect(lines[1]).toMatch(
      /^2025-01-31T12:00:00\.000Z {2}dataset\.refreshed +dataset\.sales +owner:team\.forecasting,upstream:urn:warehouse:sales {2}\{"rows":120000,"source":\{"table":"sales"\}\}$/,
    );
  });

  it('an invalid event is one line naming the field, exit 2', async () => {
    await using home = await tempHome();
    const [noId, reserved, badId, badRole, badTime] = await Promise.all([
      fails(home.path, ['events', 'emit', 'dataset.refreshed', '--resource', 'region=eu'], 2, 'VALIDATION'),
      fails(home.path, ['events', 'emit', 'flowtrail.run.completed', '--resource-id', 'x'], 2, 'VALIDATION'),
      fails(
        home.path,
        ['events', 'emit', 'a.b', '--resource-id', 'x', '--id', 'not-a-uuid'],
        2,
        'VALIDATION',
      ),
      fails(home.path, ['events', 'emit', 'a.b', '--resource-id', 'x', '--related', 'owner'], 2, 'USAGE'),
      fails(home.path, ['events', 'emit', 'a.b', '--resource-id', 'x', '--occurred', 'soon'], 2, 'USAGE'),
    ]);
    expect(noId).toContain("has no 'flowtrail.resource.id' label");
    expect(noId).toContain('field resource["flowtrail.resource.id"], given by --resource-id/--resource');
    expect(reserved).toContain("reserved prefix 'flowtrail.'");
    expect(reserved).toContain('(field event, given by NAME)');
    expect(badId).toContain('must be a UUID');
    expect(badId).toContain('(field id, given by --id)');
    expect(badRole).toContain('--related expects role:id');
    expect(badTime).toContain('--occurred must be an ISO time');
    // Nothing was stored.
    expect((await json<JsonPage>(home.path, ['events', 'list'])).events).toEqual([]);
  });

  it('--payload that is not a JSON object is a usage error naming the flag', async () => {
    await using home = await tempHome();
    const base = ['events', 'emit', 'a.b', '--resource-id', 'x', '--payload'];
    const [bad, array] = await Promise.all([
      fails(home.path, [...base, '{rows: 1}'], 2, 'USAGE'),
      fails(home.path, [...base, '[1, 2]'], 2, 'USAGE'),
    ]);
    expect(bad).toMatch(/^flowtrail: --payload is not valid JSON \(.+\); give an object/);
    expect(array).toContain('--payload must be a JSON object');
    expect(array).toContain('got an array');
  });
});

describe('flowtrail events list', () => {
  it('each filter flag, alone and combined', async () => {
    const e3 = corpus[2]!;
    const iso = (ms: number) => new Date(ms).toISOString();
    const results = await Promise.all([
      keys([]),
      keys(['--order', 'asc']),
      keys(['--event', 'dataset.refreshed']),
      keys(['--event', 'dataset.deleted', 'model.trained']),
      keys(['--prefix', 'dataset.']),
      keys(['--prefix', 'dataset.', '--exclude', 'dataset.deleted']),
      keys(['--exclude-prefix', 'dataset.']),
      keys(['--resource-id', 'dataset.sales', 'dataset.costs']),
      keys(['--resource-prefix', 'model.']),
      keys(['--resource-label', 'region=eu*']),
      keys(['--resource-label', 'region=!eu*']),
      keys(['--resource-label', 'region=eu', '--resource-label', 'region=us']),
      keys(['--resource-label', `${NAME}=s*`, 'region=eu']),
      keys(['--related', 'owner:team.forecasting']),
      keys(['--related', 'owner:team.forecasting', 'tag:tag.nightly']),
      keys(['--related', 'tag:tag.nightly', '--related-role', 'owner']),
      keys(['--related-role', 'input']),
      keys(['--any-resource', 'dataset.sales']),
      keys(['--text', 'quarterly']),
      keys(['--text', '"test cleanup"']),
      keys(['--text', '+refreshed -quarterly']),
      keys(['--since', '2h']),
      keys(['--until', '1h']),
      keys(['--since', iso(NOW - 100 * MIN), '--until', iso(NOW - 20 * MIN)]),
      keys(['--since', '3d', '--until', '150m', '--related-role', 'tag']),
      keys(['--id', e3.id]),
    ]);
    expect(results).toEqual([
      ['e4', 'e3', 'e2', 'e1', 'e5'], // newest first
      ['e5', 'e1', 'e2', 'e3', 'e4'],
      ['e2', 'e1'],
      ['e3', 'e5'],
      ['e3', 'e2', 'e1'],
      ['e2', 'e1'],
      ['e4', 'e5'],
      ['e2', 'e1'],
      ['e4', 'e5'],
      ['e3', 'e1'],
      ['e2'], // a missing label never matches, even negated
      ['e2', 'e1'], // a repeated key ORs its values
      ['e1'],
      ['e3', 'e1'],
      ['e1'], // each --related must be met
      ['e1', 'e5'],
      ['e4'],
      ['e4', 'e1'], // primary or related
      ['e1'],
      ['e3'],
      ['e2'],
      ['e4', 'e3', 'e2'],
      ['e2', 'e1', 'e5'],
      ['e3', 'e2'],
      ['e1', 'e5'],
      ['e3'],
    ]);
  });

  it('text lines abbreviate related resources and summarize the payload', async () => {
    const r = await cli(corpusHome.path, ['events', 'list', '--resource-prefix', 'model.']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^\S+Z {2}model\.promoted +model\.churn +input:dataset\.sales,run:run\.train\.7 {2}\{"key":"e4","auc":0\.91\}$/,
      ),
      expect.stringMatching(
        /^\S+Z {2}model\.trained +model\.churn +owner:team\.ml,tag:tag\.nightly {2}\{"key":"e5"\}$/,
      ),
    ]);
    const none = await cli(corpusHome.path, ['events', 'list', '--event', 'nothing.here']);
    expect(none.stdout).toBe('(no matching events)\n');
  });

  it('bad filter flags are usage errors, exit 2', async () => {
    const home = corpusHome.path;
    const [since, related, label, order, limit, all] = await Promise.all([
      fails(home, ['events', 'list', '--since', 'yesterday'], 2, 'USAGE'),
      fails(home, ['events', 'list', '--related', 'team.forecasting'], 2, 'USAGE'),
      fails(home, ['events', 'list', '--resource-label', 'region'], 2, 'USAGE'),
      fails(home, ['events', 'list', '--order', 'up'], 2, 'USAGE'),
      fails(home, ['events', 'list', '--limit', '0'], 2, 'USAGE'),
      fails(home, ['events', 'list', '--all', '--cursor', 'abc'], 2, 'USAGE'),
    ]);
    expect(since).toContain('--since must be an ISO time');
    expect(related).toContain('use --any-resource ID');
    expect(label).toContain('--resource-label expects key=value');
    expect(order).toContain('--order must be asc or desc');
    expect(limit).toContain('--limit must be a positive integer');
    expect(all).toContain('--all reads every page');
    const text = await fails(home, ['events', 'list', '--text', 'x'.repeat(201)], 2, 'VALIDATION');
    expect(text).toContain("'filter.text' is 201 characters long");
  });
});

describe('pagination', () => {
  // 23 events, several sharing an occurred time, so pages must break ties.
  const home = seededHome(
    Array.from({ length: 23 }, (_, i) => ({
      event: i % 2 === 0 ? 'page.even' : 'page.odd',
      resource: { [ID]: `page.item.${i}` },
      payload: { i },
      occurred: new Date(NOW - Math.floor(i / 3) * MIN),
    })),
  );

  it('--limit and --cursor visit every event exactly once, in order', async () => {
    for (const order of ['desc', 'asc']) {
      const seen: JsonEvent[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: JsonPage = await json<JsonPage>(home.path, [
          'events',
          'list',
          '--limit',
          '5',
          '--order',
          order,
          ...(cursor ? ['--cursor', cursor] : []),
        ]);
        expect(page.events.length).toBeLessThanOrEqual(5);
        seen.push(...page.events);
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(5);
      expect(seen).toHaveLength(23);
      expect(new Set(seen.map((e) => e.id)).size).toBe(23);
      expect(new Set(seen.map((e) => e.id))).toEqual(new Set(home.events.map((e) => e.id)));
      const times = seen.map((e) => Date.parse(e.occurred));
      const sorted = [...times].sort((a, b) => (order === 'asc' ? a - b : b - a));
      expect(times).toEqual(sorted);
    }
  });

  it('text pages end with the cursor hint; --all reads everything', async () => {
    const first = await cli(home.path, ['events', 'list', '--limit', '10', '--event', 'page.even']);
    expect(first.code).toBe(0);
    const lines = first.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    const hint = /^-- more events: add --cursor (\S+) \(same filters\) for the next page, or --all$/.exec(
      lines[10]!,
    );
    expect(hint).not.toBeNull();
    const second = await cli(home.path, [
      'events',
      'list',
      '--limit',
      '10',
      '--event',
      'page.even',
      '--cursor',
      hint![1]!,
    ]);
    expect(second.stdout.trimEnd().split('\n')).toHaveLength(2); // 12 even events: 10 + 2, no hint
    expect(second.stdout).not.toContain('--cursor');

    const [all, allText, allEven] = await Promise.all([
      json<JsonPage>(home.path, ['events', 'list', '--all']),
      cli(home.path, ['events', 'list', '--all']),
      json<JsonPage>(home.path, ['events', 'list', '--all', '--event', 'page.even', '--order', 'asc']),
    ]);
    expect(all.nextCursor).toBeNull();
    expect(new Set(all.events.map((e) => e.id))).toEqual(new Set(home.events.map((e) => e.id)));
    expect(all.events).toHaveLength(23);
    expect(allText.stdout.trimEnd().split('\n')).toHaveLength(23);
    expect(allEven.events.map((e) => Number(e.payload.i)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, k) => 2 * k),
    );
    const times = allEven.events.map((e) => Date.parse(e.occurred));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('flowtrail events count', () => {
  interface Count {
    value: string;
    label: string;
    count: number;
    startTime: string;
    endTime: string;
  }

  it('by event, by resource and by time (zero-filled), text and JSON', async () => {
    const home = corpusHome.path;
    const [byEvent, byResource, byTime, eventText, resourceText, timeText] = await Promise.all([
      json<Count[]>(home, ['events', 'count', '--by', 'event']),
      json<Count[]>(home, ['events', 'count', '--by', 'resource', '--prefix', 'dataset.', 'model.']),
      json<Count[]>(home, ['events', 'count', '--by', 'time', '--unit', 'hour', '--since', '4h']),
      cli(home, ['events', 'count', '--by', 'event', '--related-role', 'owner']),
      cli(home, ['events', 'count', '--by', 'resource', '--resource-prefix', 'model.']),
      cli(home, ['events', 'count', '--by', 'time', '--unit', 'minute', '--interval', '30', '--since', '2h']),
    ]);
    expect(byEvent.map((c) => [c.value, c.count])).toEqual([
      ['dataset.refreshed', 2],
      ['dataset.deleted', 1],
      ['model.promoted', 1],
      ['model.trained', 1],
    ]);
    expect(byResource.find((c) => c.value === 'model.churn')).toMatchObject({ label: 'churn', count: 2 });
    expect(byResource.find((c) => c.value === 'dataset.tmp')).toMatchObject({ count: 1 });
    expect(byResource.reduce((n, c) => n + c.count, 0)).toBe(5);

    // Hour buckets over the last 4 hours: aligned, consecutive, zero-filled, holding e1..e4.
    expect(byTime.length).toBeGreaterThanOrEqual(4);
    expect(byTime.reduce((n, c) => n + c.count, 0)).toBe(4);
    expect(byTime.some((c) => c.count === 0)).toBe(true);
    for (const [i, c] of byTime.entries()) {
      expect(Date.parse(c.startTime) % HOUR).toBe(0);
      if (i > 0) expect(Date.parse(c.startTime) - Date.parse(byTime[i - 1]!.startTime)).toBe(HOUR);
    }

    expect(eventText.code).toBe(0);
    expect(eventText.stdout.split('\n')[0]).toMatch(/^EVENT +COUNT$/);
    expect(eventText.stdout).toMatch(/\ndataset\.refreshed +2\n/);
    expect(eventText.stdout).toMatch(/\nmodel\.trained +1\n/);
    expect(eventText.stdout).not.toContain('model.promoted');
    expect(resourceText.stdout).toMatch(/^RESOURCE +NAME +COUNT\nmodel\.churn +churn +2\n$/);
    const timeLines = timeText.stdout.trimEnd().split('\n');
    expect(timeLines[0]).toMatch(/^START +COUNT$/);
    const rows = timeLines.slice(1).map((l) => l.split(/ +/));
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.reduce((n, r) => n + Number(r[1]), 0)).toBe(3); // e2, e3, e4
    for (const r of rows) expect(Date.parse(r[0]!) % (30 * MIN)).toBe(0);
  });

  it('bad count options are usage errors', async () => {
    const home = corpusHome.path;
    const [by, missing, unit, interval, unitForEvent] = await Promise.all([
      fails(home, ['events', 'count', '--by', 'flow'], 2, 'USAGE'),
      cli(home, ['events', 'count']),
      fails(home, ['events', 'count', '--by', 'time', '--unit', 'month'], 2, 'USAGE'),
      fails(home, ['events', 'count', '--by', 'time', '--interval', '0'], 2, 'USAGE'),
      fails(home, ['events', 'count', '--by', 'event', '--unit', 'hour'], 2, 'USAGE'),
    ]);
    expect(by).toContain('--by must be one of event, resource, time');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--by <what>' not specified");
    expect(unit).toContain('--unit must be one of second, minute, hour, day, week');
    expect(interval).toContain('--interval must be a positive number');
    expect(unitForEvent).toContain('--unit and --interval apply to --by time only');
  });
});

/** Spawns a long-running CLI call and collects its stdout lines as they come. */
function spawnCli(home: string, args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], { env: env(home) });
  const lines: string[] = [];
  let buffer = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      lines.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  exited.then(() => clearTimeout(timer));
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    /** Resolves once `n` lines were printed (rejects if the process ends first). */
    async waitForLines(n: number): Promise<void> {
      while (lines.length < n) {
        const more = new Promise<void>((resolve) => waiters.push(resolve));
        const ended = await Promise.race([more.then(() => false), exited.then(() => true)]);
        if (ended && lines.length < n)
          throw new Error(`exited after ${lines.length} lines; stderr: ${stderr}`);
      }
    },
  };
}

describe('flowtrail events tail', () => {
  it('prints the backfill, then live events from another process, honouring --related', async () => {
    await using home = await tempHome();
    const [old] = await seed(home.path, [
      { event: 'job.finished', resource: { [ID]: 'job.1' }, related: [owner('team.a')], payload: { n: 1 } },
      { event: 'job.finished', resource: { [ID]: 'job.2' }, related: [owner('team.b')], payload: { n: 2 } },
    ]);
    const tail = spawnCli(home.path, [
      'events',
      'tail',
      '--related',
      'owner:team.a',
      '--count',
      '2',
      '--json',
    ]);
    await tail.waitForLines(1);
    expect(JSON.parse(tail.lines[0]!)).toMatchObject({ id: old!.id, payload: { n: 1 } });

    // A live event the related filter rejects, then one it accepts: only the second may show.
    const emit = (who: string, n: number) =>
      cli(home.path, [
        'events',
        'emit',
        'job.finished',
        '--resource-id',
        `job.${n}`,
        '--related',
        `owner:${who}`,
        '--payload',
        JSON.stringify({ n }),
      ]);
    expect((await emit('team.b', 3)).code).toBe(0);
    expect((await emit('team.a', 4)).code).toBe(0);
    expect(await tail.exited).toBe(0);
    expect(tail.stderr()).toBe('');
    expect(tail.lines.map((l) => (JSON.parse(l) as JsonEvent).payload.n)).toEqual([1, 4]);
  });

  it('--no-backfill skips stored events; text lines; SIGINT and SIGTERM end it with exit 0', async () => {
    await using home = await tempHome();
    await seed(home.path, [{ event: 'job.started', resource: { [ID]: 'job.old' } }]);
    const live = spawnCli(home.path, ['events', 'tail', '--no-backfill', '--prefix', 'job.', '--count', '1']);
    const liveEnded = live.exited.then(() => true);
    const stopped = spawnCli(home.path, ['events', 'tail', '--prefix', 'job.']);
    const terminated = spawnCli(home.path, ['events', 'tail', '--prefix', 'job.', '--json']);
    await Promise.all([stopped.waitForLines(1), terminated.waitForLines(1)]);
    stopped.child.kill('SIGINT');
    terminated.child.kill('SIGTERM');
    expect(await stopped.exited).toBe(0);
    expect(await terminated.exited).toBe(0);
    expect(stopped.lines).toEqual([expect.stringMatching(/^\S+Z {2}job\.started +job\.old +-$/)]);

    // The --no-backfill tail never shows job.old; new events (emitted until it has seen one) it does.
    for (let k = 0; k < 20; k++) {
      expect(
        (await cli(home.path, ['events', 'emit', 'job.started', '--resource-id', `job.new.${k}`])).code,
      ).toBe(0);
      if (await Promise.race([liveEnded, new Promise((r) => setTimeout(() => r(false), 300))])) break;
    }
    expect(await live.exited).toBe(0);
    expect(live.lines).toEqual([expect.stringMatching(/^\S+Z {2}job\.started +job\.new\.\d+ +-$/)]);
  });
});

describe('lifecycle events of a real run', () => {
  it('flowtrail run, then events list --prefix flowtrail.run. shows started and completed', async () => {
    await using home = await tempHome();
    const run = await cli(home.path, ['run', example('hello.ts'), '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [page, text, tasks, counts] = await Promise.all([
      json<JsonPage>(home.path, ['events', 'list', '--prefix', 'flowtrail.run.', '--order', 'asc']),
      cli(home.path, ['events', 'list', '--prefix', 'flowtrail.run.']),
      json<JsonPage>(home.path, [
        'events',
        'list',
        '--event',
        'flowtrail.task.completed',
        '--related',
        'run:flowtrail.run.HelloFlow/1',
        '--order',
        'asc',
      ]),
      json<{ value: string; count: number }[]>(home.path, [
        'events',
        'count',
        '--by',
        'event',
        '--prefix',
        'flowtrail.',
      ]),
    ]);
    expect(page.events.map((e) => [e.event, e.resource[ID]])).toEqual([
      ['flowtrail.run.started', 'flowtrail.run.HelloFlow/1'],
      ['flowtrail.run.completed', 'flowtrail.run.HelloFlow/1'],
    ]);
    expect(page.events[0]!.related).toContainEqual(
      expect.objectContaining({ [ID]: 'flowtrail.flow.HelloFlow', [ROLE]: 'flow' }),
    );
    expect(text.stdout).toMatch(
      /Z {2}flowtrail\.run\.completed +flowtrail\.run\.HelloFlow\/1 +flow:HelloFlow/,
    );
    expect(tasks.events.map((e) => e.resource[ID]!.replace(/\/\d+$/, ''))).toEqual([
      'flowtrail.task.HelloFlow/1/start',
      'flowtrail.task.HelloFlow/1/hello',
      'flowtrail.task.HelloFlow/1/end',
    ]);
    expect(counts).toContainEqual(expect.objectContaining({ value: 'flowtrail.run.completed', count: 1 }));
    expect(counts).toContainEqual(expect.objectContaining({ value: 'flowtrail.task.completed', count: 3 }));
  });
});

describe('events list --all --limit', () => {
  // More than two store pages (500 each), so --all must stitch pages and stop inside one.
  const home = seededHome(
    Array.from({ length: 1_100 }, (_, i) => ({
      event: 'bulk.item',
      resource: { [ID]: `bulk.item.${i}` },
      payload: { i },
      occurred: new Date(NOW - i * 1000),
    })),
  );

  it('--limit caps the total --all reads, across pages, and hands back the cursor to go on', async () => {
    const [capped, small, above, all] = await Promise.all([
      json<JsonPage>(home.path, ['events', 'list', '--all', '--limit', '1050']),
      json<JsonPage>(home.path, ['events', 'list', '--all', '--limit', '7', '--order', 'asc']),
      json<JsonPage>(home.path, ['events', 'list', '--all', '--limit', '5000']),
      json<JsonPage>(home.path, ['events', 'list', '--all']),
    ]);
    expect(all.events).toHaveLength(1_100);
    expect(all.nextCursor).toBeNull();
    expect(new Set(all.events.map((e) => e.id))).toEqual(new Set(home.events.map((e) => e.id)));

    expect(capped.events).toHaveLength(1_050);
    expect(capped.events.map((e) => e.id)).toEqual(all.events.slice(0, 1_050).map((e) => e.id));
    expect(capped.nextCursor).not.toBeNull();
    const rest = await json<JsonPage>(home.path, ['events', 'list', '--cursor', capped.nextCursor!]);
    expect(rest.events.map((e) => e.id)).toEqual(all.events.slice(1_050).map((e) => e.id));

    expect(small.events.map((e) => e.payload.i)).toEqual([1099, 1098, 1097, 1096, 1095, 1094, 1093]);
    expect(above.events).toHaveLength(1_100);
    expect(above.nextCursor).toBeNull();

    const text = await cli(home.path, ['events', 'list', '--all', '--limit', '3']);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(
      /^-- more events: add --cursor \S+ \(same filters\) for the next page, or --all$/,
    );
  });

  it('without --all, --limit is still one page of at most 500', async () => {
    const msg = await fails(home.path, ['events', 'list', '--limit', '501'], 2, 'USAGE');
    expect(msg).toContain('--limit must be at most 500');
  });
});
