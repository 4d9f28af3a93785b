/**
 * The conformance suite every `EventStore` adapter must pass. An adapter's test file calls
 * `runEventStoreSuite('sqlite', async () => ({ store, cleanup }))`; each test gets a fresh, empty
 * store. Filter answers are checked against `matchesFilter` (the in-memory twin used by live
 * subscriptions) over a fixed corpus built here, so both implementations give the same answers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import type { EventFilter } from '../../src/events/filter.ts';
import { matchesFilter } from '../../src/events/match-filter.ts';
import type { EventInput, FlowtrailEvent } from '../../src/events/model.ts';
import { validateEvent } from '../../src/events/validate-event.ts';
import type { EventStore } from '../../src/store/event-store.ts';

export interface EventStoreFixture {
  store: EventStore;
  cleanup: () => Promise<void>;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Monday 2025-01-06T00:00Z. */
const T0 = Date.UTC(2025, 0, 6);

// ---------------------------------------------------------------------------------------------
// The corpus

let seed = 42;
function rand(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

function ev(input: EventInput): FlowtrailEvent {
  // A fixed intake time for a corpus spread around it (future-dated on purpose).
  return validateEvent(input, {
    allowReserved: true,
    now: new Date(T0 + 30 * DAY),
    maxFutureSkewMs: Number.POSITIVE_INFINITY,
  });
}

const rel = (id: string, role: string, extra: Record<string, string> = {}) => ({
  'flowtrail.resource.id': id,
  'flowtrail.resource.role': role,
  ...extra,
});
const tag = (t: string) => rel(`flowtrail.tag.${t}`, 'tag');

const DATASETS: Record<string, string>[] = [
  { 'flowtrail.resource.id': 'dataset.sales', 'flowtrail.resource.name': 'sales', 'acme.env': 'prod' },
  { 'flowtrail.resource.id': 'dataset.users', 'flowtrail.resource.name': 'users', 'acme.env': 'staging' },
  { 'flowtrail.resource.id': 'dataset.cute-kittiwake', 'flowtrail.resource.name': 'cute-kittiwake' },
  { 'flowtrail.resource.id': 'dataset.raw', 'acme.team': 'search' },
  {
    'flowtrail.resource.id': 'dataset.odd',
    'flowtrail.resource.name': 'a*b',
    'acme."quoted"': 'yes',
    'acme.back\\slash': 'x[1]',
    'acme.pct': '50%_\\',
  },
];
const RUNS = ['A/1', 'A/2', 'B/1'];

/**
 * About 150 events over ten days: system-like run and task events, user dataset events with
 * labels, tags and owners, payloads with text, several sharing one timestamp.
 */
function buildCorpus(): FlowtrailEvent[] {
  seed = 42;
  const out: FlowtrailEvent[] = [];
  let t = T0 + 9 * HOUR + 17 * MIN;
  for (let i = 0; i < 140; i++) {
    // Mostly forward, sometimes the same millisecond, sometimes a little back (late arrivals).
    const r = rand();
    t += r < 0.15 ? 0 : r < 0.25 ? -37 * MIN : Math.floor(rand() * 4 * HOUR);
    const kind = i % 4;
    if (kind === 0 || kind === 1) {
      const run = pick(RUNS);
      const flow = run.split('/')[0]!;
      const tags = ['dev', 'prod', 'nightly'].filter(() => rand() < 0.4);
      const task = kind === 1;
      out.push(
        ev({
          event: task
            ? pick(['flowtrail.task.started', 'flowtrail.task.completed', 'flowtrail.task.failed'])
            : pick(['flowtrail.run.started', 'flowtrail.run.completed', 'flowtrail.run.failed']),
          occurred: new Date(t),
          resource: task
            ? {
                'flowtrail.resource.id': `flowtrail.task.${run}/start/${i}`,
                'flowtrail.resource.name': `${run}/start/${i}`,
              }
            : { 'flowtrail.resource.id': `flowtrail.run.${run}`, 'flowtrail.resource.name': run },
          related: [
            rel(`flowtrail.flow.${flow}`, 'flow', { 'flowtrail.resource.name': flow }),
            ...(task ? [rel(`flowtrail.run.${run}`, 'run')] : []),
            ...tags.map(tag),
          ],
          payload: task ? { attempt: Math.floor(rand() * 3), host: `host-${i % 9}` } : {},
        }),
      );
    } else {
      const ds = pick(DATASETS);
      const related = [];
      if (rand() < 0.6) related.push(rel(pick(['team.forecasting', 'team.billing']), 'owner'));
      if (rand() < 0.5) related.push(tag(pick(['dev', 'prod'])));
      if (rand() < 0.3) related.push(rel(`flowtrail.run.${pick(RUNS)}`, 'run'));
      if (rand() < 0.15) related.push(rel(pick(DATASETS)['flowtrail.resource.id']!, 'source'));
      out.push(
        ev({
          event: pick([
            'dataset.refreshed',
            'dataset.checked',
            'dataset.refreshed.partially',
            'alert.raised',
          ]),
          occurred: new Date(t),
          resource: ds,
          related,
          payload:
            rand() < 0.3
              ? { msg: pick(['Disk Full on host-7', 'disk almost full', 'All good', 'Quota "soft" limit']) }
              : { rows: Math.floor(rand() * 1000), status: pick(['OK', 'Late']) },
        }),
      );
    }
  }
  // Search texts the SQLite store keeps (not ASCII) and rebuilds (ASCII, with characters JSON
  // escapes), so text cases cover both.
  out.push(
    ev({
      event: 'dataset.checked',
      occurred: new Date(t + 30 * MIN),
      resource: { 'flowtrail.resource.id': 'dataset.größe', 'flowtrail.resource.name': 'ÜBER Straße' },
      related: [tag('dev')],
      payload: { msg: 'ΣΟΦΙΑ wrote' },
    }),
    ev({
      event: 'dataset.checked',
      occurred: new Date(t + 40 * MIN),
      resource: { 'flowtrail.resource.id': 'dataset.esc', 'acme.note': 'line1\nline2 "q" \\ end\tx' },
      related: [],
      payload: { msg: 'tab\there' },
    }),
  );
  // A character that is not ASCII but lower-cases to ASCII (the Kelvin sign → "k").
  out.push(
    ev({
      event: 'sensor.read',
      occurred: new Date(t + 2 * HOUR),
      resource: { 'flowtrail.resource.id': 'sensor.kelvin', 'acme.reading': '300 \u212a' },
      related: [],
      payload: {},
    }),
  );
  // A run event relating to the run that is another event's primary resource, and vice versa.
  out.push(
    ev({
      event: 'run.note',
      occurred: new Date(t + HOUR),
      resource: { 'flowtrail.resource.id': 'note.1' },
      related: [rel('flowtrail.run.A/1', 'run'), tag('dev'), tag('nightly')],
      payload: { text: 'cute kittens' },
    }),
  );
  // Some events follow an earlier one (no random draw, so the rest of the corpus is unchanged).
  for (let i = 5; i < out.length; i += 11) out[i] = { ...out[i]!, follows: out[i - (i % 3) - 1]!.id };
  return out;
}

/** The expected answer of a filter: the corpus filtered in memory, in the store's order. */
function expected(corpus: readonly FlowtrailEvent[], filter: EventFilter): string[] {
  const matching = corpus.map((e, seq) => ({ e, seq })).filter(({ e }) => matchesFilter(e, filter));
  const dir = filter.order === 'asc' ? 1 : -1;
  matching.sort((a, b) => dir * (a.e.occurred.getTime() - b.e.occurred.getTime() || a.seq - b.seq));
  return matching.map(({ e }) => e.id);
}

const at = (ms: number) => new Date(ms);

/** Filters exercising every field, alone and combined (checked against `matchesFilter`). */
function filterCases(corpus: readonly FlowtrailEvent[]): [string, EventFilter][] {
  const mid = corpus[60]!.occurred;
  const someIds = [corpus[3]!.id, corpus[77]!.id, corpus[140]!.id, '00000000-0000-7000-8000-000000000000'];
  return [
    ['no filter', {}],
    ['order asc', { order: 'asc' }],
    ['since (inclusive, on an event)', { since: mid }],
    ['until (inclusive, on an event)', { until: mid }],
    ['since and until', { since: at(T0 + 2 * DAY), until: at(T0 + 5 * DAY) }],
    ['since = until', { since: mid, until: mid }],
    ['event.name', { event: { name: ['dataset.refreshed', 'alert.raised'] } }],
    ['event.prefix', { event: { prefix: ['flowtrail.run.'] } }],
    [
      'event.prefix (two) + excludeName',
      { event: { prefix: ['flowtrail.', 'alert.'], excludeName: ['flowtrail.task.failed'] } },
    ],
    ['event.prefix is a plain prefix', { event: { prefix: ['dataset.refreshed'] } }],
    ['event.excludePrefix', { event: { excludePrefix: ['flowtrail.task.', 'dataset.refreshed.'] } }],
    ['event.prefix empty string', { event: { prefix: [''] } }],
    ['event: empty lists are no constraint', { event: { name: [], prefix: [], excludeName: [] } }],
    ['resource.id', { resource: { id: ['dataset.sales', 'flowtrail.run.A/1'] } }],
    ['resource.idPrefix', { resource: { idPrefix: ['flowtrail.task.A/', 'dataset.u'] } }],
    ['resource.labels glob', { resource: { labels: { 'flowtrail.resource.name': 'cute-*' } } }],
    [
      'resource.labels negated (missing never matches)',
      { resource: { labels: { 'flowtrail.resource.name': '!cute-*' } } },
    ],
    [
      'resource.labels list ORed',
      { resource: { labels: { 'flowtrail.resource.name': ['sales', 'users'] } } },
    ],
    [
      'resource.labels negated list',
      { resource: { labels: { 'flowtrail.resource.name': ['!sales', '!users'] } } },
    ],
    [
      'resource.labels positive and negated',
      { resource: { labels: { 'flowtrail.resource.name': ['*s', '!sales'] } } },
    ],
    [
      'resource.labels several ANDed',
      { resource: { labels: { 'flowtrail.resource.name': '*', 'acme.env': 'prod' } } },
    ],
    [
      'resource.labels ? and classes',
      { resource: { labels: { 'flowtrail.resource.name': ['?/?', '[a-c]*', '[!st]*s'] } } },
    ],
    [
      'resource.labels literal specials',
      { resource: { labels: { 'flowtrail.resource.name': 'a[*]b', 'acme.pct': '50%_\\' } } },
    ],
    [
      'resource.labels odd keys',
      { resource: { labels: { 'acme."quoted"': 'y*', 'acme.back\\slash': 'x[[]1]' } } },
    ],
    [
      'resource.labels empty list matches nothing',
      { resource: { labels: { 'flowtrail.resource.name': [] } } },
    ],
    ['resource.labels on the id', { resource: { labels: { 'flowtrail.resource.id': 'dataset.*' } } }],
    [
      'resource.labels on the id, negated',
      { resource: { labels: { 'flowtrail.resource.id': '!dataset.*' } } },
    ],
    [
      'resource.labels exact id',
      { resource: { labels: { 'flowtrail.resource.id': ['dataset.raw', 'dataset.odd'] } } },
    ],
    ['resource all criteria', { resource: { idPrefix: ['dataset.'], labels: { 'acme.env': '*' } } }],
    ['related.id', { related: { id: ['flowtrail.run.A/1'] } }],
    ['related.id never matches the primary', { related: { id: ['dataset.sales'] } }],
    ['related.role', { related: { role: ['owner'] } }],
    [
      'related.role and id on one resource',
      { related: { role: ['source'], id: ['dataset.sales', 'dataset.users'] } },
    ],
    ['related.role empty string is the primary', { related: { role: [''] } }],
    [
      'related.resourcesInRoles',
      {
        related: {
          resourcesInRoles: [
            ['flowtrail.tag.dev', 'tag'],
            ['team.billing', 'owner'],
          ],
        },
      },
    ],
    [
      'related.labels: any tag other than dev',
      {
        related: {
          labels: { 'flowtrail.resource.role': 'tag', 'flowtrail.resource.id': '!flowtrail.tag.dev' },
        },
      },
    ],
    ['related.labels name glob', { related: { labels: { 'flowtrail.resource.name': 'A' } } }],
    ['related list ANDed', { related: [{ id: ['flowtrail.tag.dev'] }, { id: ['flowtrail.tag.nightly'] }] }],
    [
      'related list with role',
      { related: [{ role: ['tag'], id: ['flowtrail.tag.prod'] }, { role: ['owner'] }] },
    ],
    ['related empty filter is no constraint', { related: {} }],
    ['anyResource.id (primary or related)', { anyResource: { id: ['flowtrail.run.A/1'] } }],
    ['anyResource.idPrefix', { anyResource: { idPrefix: ['team.'] } }],
    [
      'anyResource.labels one resource all labels',
      {
        anyResource: {
          labels: { 'flowtrail.resource.id': 'flowtrail.flow.*', 'flowtrail.resource.name': 'B' },
        },
      },
    ],
    ['anyResource list ANDed', { anyResource: [{ id: ['dataset.sales'] }, { idPrefix: ['team.f'] }] }],
    ['id', { id: someIds }],
    ['follows', { follows: [corpus[3]!.id, corpus[4]!.id, corpus[26]!.id.toUpperCase()] }],
    ['follows + event.prefix', { follows: corpus.map((e) => e.id), event: { prefix: ['dataset.'] } }],
    ['text: one term', { text: 'disk' }],
    ['text: case-insensitive', { text: 'SALES' }],
    ['text: terms ORed', { text: 'kittiwake kittens' }],
    ['text: phrase', { text: '"disk full"' }],
    ['text: required and excluded', { text: '+sales -prod' }],
    ['text: ! excludes', { text: '!nightly' }],
    ['text: payload key and quotes', { text: 'attempt "\\"soft\\""' }],
    ['text: label value of a related resource', { text: 'forecasting' }],
    ['text: empty', { text: '' }],
    ['text: non-ASCII, lower-cased', { text: 'über' }],
    ['text: non-ASCII in the payload', { text: 'σοφια' }],
    ['text: a non-ASCII letter whose lower case is ASCII', { text: '"300 k"' }],
    ['text: a phrase across a line break', { text: '"line1\nline2"' }],
    ['text: a quote inside a term', { text: 'q"' }],
    ['text: a backslash in a phrase', { text: '"\\ end"' }],
    ['text: an escaped tab in the payload JSON', { text: 'tab\\there' }],
    ['text: a tab in a label value', { text: '"end\tx"' }],
    ['text: a label key is not searched', { text: 'acme.note' }],
    ['text: across the resource and a related resource', { text: '"note.1\nflowtrail.run.a/1\nrun"' }],
    ['text: across the last label value and the payload', { text: '"\tx\n{"' }],
    ['text: across two label values', { text: '"dataset.esc\nline1"' }],
    ['text: rebuilt text, required and excluded', { text: '+checked +line2 -größe' }],
    [
      'combined: time + prefix + related tag + text',
      {
        since: at(T0 + DAY),
        event: { prefix: ['flowtrail.'] },
        related: { role: ['tag'], id: ['flowtrail.tag.dev'] },
        text: 'host',
      },
    ],
    [
      'combined: resource labels + anyResource + exclude',
      {
        resource: { labels: { 'flowtrail.resource.name': ['sales', 'users', 'cute-*'] } },
        anyResource: { idPrefix: ['team.'] },
        event: { excludeName: ['dataset.checked'] },
        order: 'asc',
      },
    ],
    [
      'combined: everything',
      {
        since: at(T0 + DAY),
        until: at(T0 + 9 * DAY),
        event: { prefix: ['dataset.', 'flowtrail.run.'], excludePrefix: ['dataset.refreshed.'] },
        resource: { idPrefix: ['dataset.', 'flowtrail.run.'] },
        related: [{ role: ['tag', 'owner'] }],
        anyResource: { labels: { 'flowtrail.resource.id': '!team.billing' } },
        text: '-late',
      },
    ],
  ];
}

// ---------------------------------------------------------------------------------------------

export function runEventStoreSuite(name: string, makeStore: () => Promise<EventStoreFixture>): void {
  describe(`EventStore conformance: ${name}`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    /** Every page of a query, following cursors. */
    async function all(filter: EventFilter, limit = 7): Promise<FlowtrailEvent[]> {
      const out: FlowtrailEvent[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 1000; guard++) {
        const page = await store.query(filter, { limit, ...(cursor ? { cursor } : {}) });
        expect(page.events.length).toBeLessThanOrEqual(limit);
        out.push(...page.events);
        if (page.nextCursor === null) return out;
        expect(page.events).toHaveLength(limit);
        cursor = page.nextCursor;
      }
      throw new Error('pagination did not end');
    }

    it('has a location and starts empty', async () => {
      expect(store.location.length).toBeGreaterThan(0);
      expect(await store.headPosition()).toBe(0);
      expect(await store.query({})).toEqual({ events: [], nextCursor: null });
      expect(await store.total({})).toBe(0);
      expect(await store.count({}, 'event')).toEqual([]);
    });

    it('stores events and returns them unchanged', async () => {
      const corpus = buildCorpus();
      expect(await store.append(corpus)).toEqual({ inserted: corpus.length });
      const stored = await all({ order: 'asc' }, 500);
      const byId = new Map(stored.map((e) => [e.id, e]));
      expect(byId.size).toBe(corpus.length);
      for (const e of corpus) expect(byId.get(e.id)).toEqual(e);
    });

    describe('filters (against matchesFilter over a fixed corpus)', () => {
      const corpus = buildCorpus();
      const cases = filterCases(corpus);

      it('the corpus exercises every case (no case is trivially empty or everything, except on purpose)', () => {
        const allowedEmpty = new Set([
          'related.id never matches the primary',
          'resource.labels empty list matches nothing',
          'text: a label key is not searched',
        ]);
        const allowedAll = new Set([
          'no filter',
          'order asc',
          'event.prefix empty string',
          'event: empty lists are no constraint',
          'related empty filter is no constraint',
          'related.role empty string is the primary',
          'text: empty',
        ]);
        for (const [label, f] of cases) {
          const n = expected(corpus, f).length;
          if (!allowedEmpty.has(label)) expect(n, label).toBeGreaterThan(0);
          if (!allowedAll.has(label)) expect(n, label).toBeLessThan(corpus.length);
        }
      });

      it('every case gives the same events, in the same order, as matchesFilter', async () => {
        await store.append(corpus.slice(0, 70));
        await store.append(corpus.slice(70));
        for (const [label, f] of cases) {
          const want = expected(corpus, f);
          const got = (await all(f)).map((e) => e.id);
          expect(got, label).toEqual(want);
          expect(await store.total(f), label).toBe(want.length);
        }
      });

      it('anyResource and related agree with hand-counted answers', async () => {
        await store.append(corpus);
        const ids = async (f: EventFilter) => new Set((await all(f, 500)).map((e) => e.id));
        const primaryA1 = corpus.filter((e) => e.resource['flowtrail.resource.id'] === 'flowtrail.run.A/1');
        const relatedA1 = corpus.filter((e) =>
          e.related.some((r) => r['flowtrail.resource.id'] === 'flowtrail.run.A/1'),
        );
        expect(primaryA1.length).toBeGreaterThan(0);
        expect(relatedA1.length).toBeGreaterThan(0);
        expect(await ids({ related: { id: ['flowtrail.run.A/1'] } })).toEqual(
          new Set(relatedA1.map((e) => e.id)),
        );
        expect(await ids({ resource: { id: ['flowtrail.run.A/1'] } })).toEqual(
          new Set(primaryA1.map((e) => e.id)),
        );
        expect(await ids({ anyResource: { id: ['flowtrail.run.A/1'] } })).toEqual(
          new Set([...primaryA1, ...relatedA1].map((e) => e.id)),
        );
        const note = corpus[corpus.length - 1]!;
        const both = await ids({
          related: [{ id: ['flowtrail.tag.dev'] }, { id: ['flowtrail.tag.nightly'] }],
        });
        expect(both.has(note.id)).toBe(true);
        for (const id of both) {
          const e = corpus.find((x) => x.id === id)!;
          const tags = e.related.map((r) => r['flowtrail.resource.id']);
          expect(tags).toContain('flowtrail.tag.dev');
          expect(tags).toContain('flowtrail.tag.nightly');
        }
        // A missing label matches neither a pattern nor its negation.
        const named = await ids({ resource: { labels: { 'flowtrail.resource.name': 'cute-*' } } });
        const notNamed = await ids({ resource: { labels: { 'flowtrail.resource.name': '!cute-*' } } });
        const raw = corpus.filter((e) => e.resource['flowtrail.resource.name'] === undefined);
        expect(raw.some((e) => e.resource['flowtrail.resource.id'] === 'dataset.raw')).toBe(true);
        for (const e of raw) {
          expect(named.has(e.id)).toBe(false);
          expect(notNamed.has(e.id)).toBe(false);
        }
        expect(named.size + notNamed.size).toBe(corpus.length - raw.length);
      });

      it('refuses invalid filters', async () => {
        await expect(store.query({ event: { prefix: 'x' } } as never)).rejects.toThrow(ValidationError);
        await expect(store.total({ since: at(T0 + DAY), until: at(T0) })).rejects.toThrow(ValidationError);
        await expect(store.query({ text: 'x'.repeat(201) })).rejects.toThrow(ValidationError);
        await expect(store.count({ bogus: 1 } as never, 'event')).rejects.toThrow(ValidationError);
      });
    });

    describe('pagination', () => {
      it('returns every match exactly once, newest first by default, ties in arrival order', async () => {
        const corpus = buildCorpus();
        await store.append(corpus);
        for (const limit of [1, 3, 50, 500]) {
          const got = (await all({}, limit)).map((e) => e.id);
          expect(got).toEqual(expected(corpus, {}));
        }
        const first = await store.query({});
        expect(first.events).toHaveLength(50);
        expect(first.nextCursor).not.toBeNull();
      });

      it('stays exact while new events arrive between pages', async () => {
        const corpus = buildCorpus();
        await store.append(corpus);
        for (const order of ['asc', 'desc'] as const) {
          const filter: EventFilter = { event: { prefix: ['dataset.'] }, order };
          const want = expected(corpus, filter);
          const seen: string[] = [];
          let cursor: string | undefined;
          let round = 0;
          do {
            const page = await store.query(filter, { limit: 4, ...(cursor ? { cursor } : {}) });
            seen.push(...page.events.map((e) => e.id));
            cursor = page.nextCursor ?? undefined;
            // New matches before the start, at the same time as the last one seen, and beyond the end.
            const last = page.events[page.events.length - 1]?.occurred.getTime() ?? T0;
            await store.append(
              [T0 - DAY, last, T0 + 40 * DAY].map((t, i) =>
                ev({
                  event: 'dataset.late',
                  occurred: at(t),
                  resource: { 'flowtrail.resource.id': `dataset.new-${order}-${round}-${i}` },
                }),
              ),
            );
            round++;
          } while (cursor);
          expect(new Set(seen).size).toBe(seen.length);
          const original = seen.filter((id) => want.includes(id));
          expect(original).toEqual(want);
        }
      });

      it('refuses bad page sizes and cursors', async () => {
        await store.append(buildCorpus().slice(0, 10));
        for (const limit of [0, 501, 1.5, -1])
          await expect(store.query({}, { limit })).rejects.toMatchObject({ field: 'limit' });
        expect((await store.query({}, { limit: 500 })).events).toHaveLength(10);
        for (const cursor of ['nonsense', '', Buffer.from('{"v":1}').toString('base64url')])
          await expect(store.query({}, { cursor })).rejects.toMatchObject({ field: 'cursor' });
        const page = await store.query({ order: 'asc' }, { limit: 3 });
        await expect(store.query({ order: 'desc' }, { cursor: page.nextCursor! })).rejects.toMatchObject({
          field: 'cursor',
        });
        // The cursor carries its direction.
        const next = await store.query({}, { limit: 3, cursor: page.nextCursor! });
        expect(next.events[0]!.occurred.getTime()).toBeGreaterThanOrEqual(page.events[2]!.occurred.getTime());
      });
    });

    describe('counts', () => {
      it('by event: count desc, then name asc, with first and last occurrence', async () => {
        const corpus = buildCorpus();
        await store.append(corpus);
        for (const f of [{}, { since: at(T0 + 3 * DAY) }, { related: { role: ['tag'] } }] as EventFilter[]) {
          const got = await store.count(f, 'event');
          const groups = new Map<string, FlowtrailEvent[]>();
          for (const e of corpus.filter((x) => matchesFilter(x, f)))
            groups.set(e.event, [...(groups.get(e.event) ?? []), e]);
          const want = [...groups]
            .map(([k, es]) => ({
              value: k,
              label: k,
              count: es.length,
              startTime: new Date(Math.min(...es.map((e) => e.occurred.getTime()))),
              endTime: new Date(Math.max(...es.map((e) => e.occurred.getTime()))),
            }))
            .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
          expect(got).toEqual(want);
        }
      });

      it('by resource: labelled with the name on its newest event, else its id', async () => {
        const r = (name?: string) => ({
          'flowtrail.resource.id': 'dataset.renamed',
          ...(name ? { 'flowtrail.resource.name': name } : {}),
        });
        await store.append([
          ev({ event: 'a', occurred: at(T0 + 2 * HOUR), resource: r('new name') }),
          ev({ event: 'a', occurred: at(T0), resource: r('old name') }),
          ev({ event: 'a', occurred: at(T0 + HOUR), resource: r() }),
          ev({ event: 'b', occurred: at(T0 + 5), resource: { 'flowtrail.resource.id': 'zz.unnamed' } }),
          ev({ event: 'b', occurred: at(T0 + 6), resource: { 'flowtrail.resource.id': 'zz.unnamed' } }),
          ev({ event: 'b', occurred: at(T0 + 7), resource: { 'flowtrail.resource.id': 'aa.unnamed' } }),
          ev({
            event: 'b',
            occurred: at(T0 + 8),
            resource: { 'flowtrail.resource.id': 'x', 'flowtrail.resource.name': 'b-name' },
          }),
        ]);
        expect(await store.count({}, 'resource')).toEqual([
          {
            value: 'dataset.renamed',
            label: 'new name',
            count: 3,
            startTime: at(T0),
            endTime: at(T0 + 2 * HOUR),
          },
          { value: 'zz.unnamed', label: 'zz.unnamed', count: 2, startTime: at(T0 + 5), endTime: at(T0 + 6) },
          { value: 'aa.unnamed', label: 'aa.unnamed', count: 1, startTime: at(T0 + 7), endTime: at(T0 + 7) },
          { value: 'x', label: 'b-name', count: 1, startTime: at(T0 + 8), endTime: at(T0 + 8) },
        ]);
        // Within a filter, the newest matching event names the resource.
        const before = await store.count({ until: at(T0 + HOUR) }, 'resource');
        expect(before.find((c) => c.value === 'dataset.renamed')?.label).toBe('dataset.renamed');
        const early = await store.count({ until: at(T0 + 30 * MIN) }, 'resource');
        expect(early.find((c) => c.value === 'dataset.renamed')?.label).toBe('old name');
      });

      it('by time: aligned buckets, zero-filled across since..until, matching matchesFilter', async () => {
        const corpus = buildCorpus();
        await store.append(corpus);
        const cases: [EventFilter, 'second' | 'minute' | 'hour' | 'day' | 'week', number][] = [
          [
            { since: at(T0 + 10 * HOUR + 30 * MIN), until: at(T0 + 2 * DAY + 15 * HOUR + 10 * MIN) },
            'hour',
            1,
          ],
          [{ since: at(T0 + 10 * HOUR + 31 * MIN), until: at(T0 + 3 * DAY) }, 'hour', 0.5],
          [{ since: at(T0 + 7 * MIN), until: at(T0 + 12 * DAY), event: { prefix: ['dataset.'] } }, 'day', 1],
          [
            { since: at(T0 - 3 * DAY), until: at(T0 + 20 * DAY), related: { id: ['flowtrail.tag.dev'] } },
            'week',
            1,
          ],
          [{ since: at(T0 + 5 * HOUR), until: at(T0 + 3 * DAY) }, 'minute', 7],
          [{ since: at(T0 + DAY), until: at(T0 + DAY + 9_999) }, 'second', 0.01],
        ];
        for (const [f, unit, interval] of cases) {
          const size = Math.round(
            { second: 1e3, minute: 6e4, hour: 36e5, day: 864e5, week: 6048e5 }[unit] * interval,
          );
          const got = await store.count(f, 'time', { timeUnit: unit, timeInterval: interval });
          const origin = Date.UTC(2024, 0, 1);
          const start = origin + Math.floor((f.since!.getTime() - origin) / size) * size;
          const n = Math.floor((f.until!.getTime() - start) / size) + 1;
          expect(got).toHaveLength(n);
          got.forEach((b, i) => {
            expect(b.value).toBe(String(i));
            expect(b.startTime.getTime()).toBe(start + i * size);
            expect(b.endTime.getTime()).toBe(start + (i + 1) * size - 1);
            expect((b.startTime.getTime() - origin) % size).toBe(0);
            const inBucket = corpus.filter(
              (e) =>
                matchesFilter(e, f) &&
                e.occurred.getTime() >= b.startTime.getTime() &&
                e.occurred.getTime() <= b.endTime.getTime(),
            );
            expect(b.count, `${unit}×${interval} bucket ${i}`).toBe(inBucket.length);
          });
          expect(got.reduce((s, b) => s + b.count, 0)).toBe(corpus.filter((e) => matchesFilter(e, f)).length);
          if (unit === 'hour' && interval === 1) {
            expect(got[0]!.startTime.toISOString()).toBe('2025-01-06T10:00:00.000Z');
            expect(got.some((b) => b.count === 0)).toBe(true);
          }
          if (unit === 'week') expect(got[0]!.startTime.getUTCDay()).toBe(1); // Mondays
        }
      });

      it('by time: defaults to until = now and since = the first match', async () => {
        const now = Date.now();
        await store.append([
          ev({ event: 'x.y', occurred: at(now - 150 * MIN), resource: { 'flowtrail.resource.id': 'r' } }),
          ev({ event: 'x.y', occurred: at(now - 10 * MIN), resource: { 'flowtrail.resource.id': 'r' } }),
        ]);
        const got = await store.count({}, 'time', { timeUnit: 'hour' });
        expect(got.length).toBeGreaterThanOrEqual(3);
        expect(got.length).toBeLessThanOrEqual(4);
        expect(got[0]!.count).toBe(1);
        // The later event's bucket holds it; the last bucket reaches now (and may be empty when
        // the hour turned within the last 10 minutes).
        const later = now - 10 * MIN;
        const holding = got.find((b) => b.startTime.getTime() <= later && later <= b.endTime.getTime())!;
        expect(holding.count).toBe(1);
        expect(got.reduce((sum, b) => sum + b.count, 0)).toBe(2);
        expect(got[got.length - 1]!.endTime.getTime()).toBeGreaterThanOrEqual(now);
        expect(await store.count({ event: { name: ['none'] } }, 'time')).toEqual([]);
      });

      it('by time: refuses more than 1000 buckets and intervals under 0.01', async () => {
        const since = at(T0);
        await expect(
          store.count({ since, until: at(T0 + 1000 * HOUR - 1) }, 'time', { timeUnit: 'hour' }),
        ).resolves.toHaveLength(1000);
        const err = await store
          .count({ since, until: at(T0 + 1000 * HOUR) }, 'time', { timeUnit: 'hour' })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).message).toContain('1001 buckets');
        await expect(
          store.count({ since, until: at(T0 + 1000) }, 'time', { timeUnit: 'second', timeInterval: 0.009 }),
        ).rejects.toMatchObject({ field: 'timeInterval' });
        await expect(
          store.count({ since, until: at(T0 + 1000) }, 'time', { timeUnit: 'fortnight' as never }),
        ).rejects.toMatchObject({ field: 'timeUnit' });
        await expect(store.count({}, 'colour' as never)).rejects.toThrow(ValidationError);
      });
    });

    describe('dedupe', () => {
      it('stores an id once, within a batch and across batches', async () => {
        const corpus = buildCorpus();
        const [a, b, c] = corpus as [FlowtrailEvent, FlowtrailEvent, FlowtrailEvent];
        const changedCopy = { ...a, event: 'changed.copy', occurred: at(T0 - DAY) };
        expect(await store.append([a, b, a, changedCopy])).toEqual({ inserted: 2 });
        expect(await store.append([b, c, a])).toEqual({ inserted: 1 });
        expect(await store.append([c])).toEqual({ inserted: 0 });
        expect(await store.total({})).toBe(3);
        const stored = await all({ order: 'asc' });
        expect(stored.map((e) => e.id).sort()).toEqual([a.id, b.id, c.id].sort());
        expect(stored.find((e) => e.id === a.id)).toEqual(a); // the first copy wins
        expect(await store.total({ event: { name: ['changed.copy'] } })).toBe(0);
        // Resource rows were written once: a resource filter finds each event once.
        for (const e of [a, b, c]) {
          const hits = await all({ anyResource: { id: [e.resource['flowtrail.resource.id']] } });
          expect(hits.filter((x) => x.id === e.id)).toHaveLength(1);
        }
        const { events } = await store.readAfter(0);
        expect(events.map((e) => e.id)).toEqual([a.id, b.id, c.id]);
      });
    });

    describe('arrival order', () => {
      it('reads after a position, in arrival order, whatever the occurred times', async () => {
        expect(await store.readAfter(0)).toEqual({ events: [], position: 0 });
        const corpus = buildCorpus();
        await store.append(corpus.slice(0, 5));
        const head = await store.headPosition();
        expect(head).toBeGreaterThan(0);
        await store.append(corpus.slice(5, 8));
        const after = await store.readAfter(head);
        expect(after.events.map((e) => e.id)).toEqual(corpus.slice(5, 8).map((e) => e.id));
        expect(after.position).toBe(await store.headPosition());
        expect(await store.readAfter(after.position)).toEqual({ events: [], position: after.position });
        const firstTwo = await store.readAfter(0, 2);
        expect(firstTwo.events.map((e) => e.id)).toEqual(corpus.slice(0, 2).map((e) => e.id));
        const rest = await store.readAfter(firstTwo.position, 100);
        expect(rest.events.map((e) => e.id)).toEqual(corpus.slice(2, 8).map((e) => e.id));
        await expect(store.readAfter(-1)).rejects.toThrow(ValidationError);
        await expect(store.readAfter(0, 0)).rejects.toThrow(ValidationError);
      });
    });

    describe('retention', () => {
      it('removes events older than the period, honouring per-name overrides (capped by the period)', async () => {
        const now = T0 + 30 * DAY;
        const mk = (event: string, ageMs: number, i: number) =>
          ev({
            event,
            occurred: at(now - ageMs),
            resource: { 'flowtrail.resource.id': `r.${event}.${i}` },
            related: [tag('shared'), rel(`owner.${i}`, 'owner')],
          });
        const events = [
          mk('keep.me', 1 * DAY, 0),
          mk('keep.me', 6 * DAY, 1),
          mk('keep.me', 7 * DAY - 1, 2),
          mk('drop.me', 7 * DAY + 1, 3),
          mk('drop.me', 8 * DAY, 4),
          mk('drop.me', 20 * DAY, 5),
          mk('heartbeat', 30 * MIN, 6),
          mk('heartbeat', 2 * HOUR, 7),
          mk('heartbeat', 3 * DAY, 8),
          mk('forever', 6 * DAY, 9),
          mk('forever', 8 * DAY, 10),
        ];
        await store.append(events);
        const result = await store.applyRetention(
          { retentionMs: 7 * DAY, overrides: { heartbeat: HOUR, forever: 365 * DAY } },
          at(now),
        );
        expect(result).toEqual({ deleted: 6 });
        const left = (await all({ order: 'asc' }, 100))
          .map((e) => e.resource['flowtrail.resource.id'])
          .sort();
        expect(left).toEqual(
          ['r.forever.9', 'r.heartbeat.6', 'r.keep.me.0', 'r.keep.me.1', 'r.keep.me.2'].sort(),
        );
        // Their resource rows went with them.
        expect(await store.total({ related: { id: ['flowtrail.tag.shared'] } })).toBe(5);
        for (const i of [3, 4, 5, 7, 8, 10]) {
          expect(await store.total({ anyResource: { id: [`owner.${i}`] } })).toBe(0);
          expect(
            await store.total({
              anyResource: { idPrefix: [`r.`], labels: { 'flowtrail.resource.id': `*.${i}` } },
            }),
          ).toBe(0);
        }
        expect(await store.count({}, 'resource')).toHaveLength(5);
        expect(await store.applyRetention({ retentionMs: 7 * DAY }, at(now))).toEqual({ deleted: 0 });
        await expect(store.applyRetention({ retentionMs: -1 })).rejects.toThrow(ValidationError);
      });

      it('deletes in batches beyond one batch', async () => {
        const now = T0 + 30 * DAY;
        const many = Array.from({ length: 4500 }, (_, i) =>
          ev({
            event: 'bulk',
            occurred: at(now - 10 * DAY - i),
            resource: { 'flowtrail.resource.id': `bulk.${i}` },
            related: [tag('bulk')],
          }),
        );
        await store.append(many);
        expect(await store.applyRetention({ retentionMs: 7 * DAY }, at(now))).toEqual({ deleted: 4500 });
        expect(await store.total({})).toBe(0);
        expect(await store.total({ related: { id: ['flowtrail.tag.bulk'] } })).toBe(0);
      });
    });
  });
}
