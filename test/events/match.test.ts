import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventFilter } from '../../src/events/filter.ts';
import { globToRegExp } from '../../src/events/glob.ts';
import { labelsMatch } from '../../src/events/label-pattern.ts';
import { matchesFilter } from '../../src/events/match-filter.ts';
import type { EventInput, FlowtrailEvent } from '../../src/events/model.ts';
import { parseTextQuery, searchText } from '../../src/events/text-query.ts';
import { validateEvent } from '../../src/events/validate-event.ts';
import { globToPostgresRegex } from '../../src/store/sql/postgres/postgres-glob.ts';
import { globToSqlite } from '../../src/store/sql/sqlite/sqlite-glob.ts';
import { GLOB_CASES, GLOB_PATTERNS, GLOB_TEXTS } from './glob-cases.ts';

const T0 = Date.UTC(2025, 0, 6);
const ev = (input: Partial<EventInput> & Pick<EventInput, 'resource'>): FlowtrailEvent =>
  validateEvent({ event: 'thing.happened', occurred: new Date(T0), ...input }, { allowReserved: true });
const rel = (id: string, role: string, extra: Record<string, string> = {}) => ({
  'flowtrail.resource.id': id,
  'flowtrail.resource.role': role,
  ...extra,
});

describe('globToRegExp', () => {
  it.each(GLOB_CASES)('%j matches %j: %s', (pattern, text, want) => {
    expect(globToRegExp(pattern).test(text)).toBe(want);
  });

  describe('has the same semantics as SQLite GLOB', () => {
    const db = new BetterSqlite3(':memory:');
    afterAll(() => db.close());
    const glob = db.prepare('SELECT ? GLOB ? AS hit');
    it.each(GLOB_PATTERNS)('%j', (pattern) => {
      const sqlite = globToSqlite(pattern);
      for (const text of GLOB_TEXTS) {
        const want = globToRegExp(pattern).test(text);
        const got = sqlite === false ? false : (glob.get(text, sqlite) as { hit: number }).hit === 1;
        expect(got, `${JSON.stringify(text)} GLOB ${JSON.stringify(sqlite)}`).toBe(want);
      }
    });
  });
});

describe('globToPostgresRegex', () => {
  it('anchors, escapes punctuation, and writes classes as code points', () => {
    expect(globToPostgresRegex('cute-[a-c]*')).toBe('^cute\\-[\\u0061-\\u0063].*$');
    expect(globToPostgresRegex('a?[!]]')).toBe('^a.[^\\u005d]$');
    expect(globToPostgresRegex('x[😀-😂]')).toBe('^x[\\U0001f600-\\U0001f602]$');
    expect(globToPostgresRegex('')).toBe('^$');
  });
  it('never matches an empty class; an empty negated class is any character', () => {
    expect(globToPostgresRegex('a[z-a]')).toBe(false);
    expect(globToPostgresRegex('[!z-a]')).toBe('^.$');
  });
  it('leaves out characters PostgreSQL text cannot hold (NUL, lone surrogates)', () => {
    expect(globToPostgresRegex('[\ud800-\udfff]')).toBe(false);
    expect(globToPostgresRegex('[\u0000-a]')).toBe('^[\\u0001-\\u0061]$');
    expect(globToPostgresRegex('[a-\ue000]')).toBe('^[\\u0061-\\ud7ff\\ue000]$');
  });
});

describe('labelsMatch', () => {
  const labels = {
    'flowtrail.resource.id': 'dataset.sales',
    'flowtrail.resource.name': 'sales',
    env: 'prod',
  };
  it('ANDs labels, ORs positive values, excludes negated ones', () => {
    expect(labelsMatch(labels, {})).toBe(true);
    expect(labelsMatch(labels, { env: 'prod', 'flowtrail.resource.name': 's*' })).toBe(true);
    expect(labelsMatch(labels, { env: 'prod', 'flowtrail.resource.name': 'x*' })).toBe(false);
    expect(labelsMatch(labels, { env: ['staging', 'prod'] })).toBe(true);
    expect(labelsMatch(labels, { env: '!prod' })).toBe(false);
    expect(labelsMatch(labels, { env: '!staging' })).toBe(true);
    expect(labelsMatch(labels, { 'flowtrail.resource.name': ['*s', '!sales'] })).toBe(false);
    expect(labelsMatch(labels, { 'flowtrail.resource.name': ['*s', '!users'] })).toBe(true);
    expect(labelsMatch(labels, { env: [] })).toBe(false);
  });
  it('never matches a missing label, even negated', () => {
    expect(labelsMatch(labels, { team: '*' })).toBe(false);
    expect(labelsMatch(labels, { team: '!x' })).toBe(false);
    expect(labelsMatch(labels, { toString: '*' })).toBe(false);
  });
});

describe('parseTextQuery', () => {
  it('splits terms, prefixes and phrases, lower-cased', () => {
    expect(parseTextQuery('Error +PROD -"dry run" !skip  "unclosed phrase')).toEqual({
      include: ['error', 'unclosed phrase'],
      required: ['prod'],
      exclude: ['dry run', 'skip'],
    });
    expect(parseTextQuery('')).toEqual({ include: [], required: [], exclude: [] });
    expect(parseTextQuery(' - + "" ')).toEqual({ include: [], required: [], exclude: [] });
    expect(parseTextQuery('a-b +"x y"')).toEqual({ include: ['a-b'], required: ['x y'], exclude: [] });
  });
});

describe('searchText', () => {
  it('holds the name, label values of every resource and the payload, lower-cased', () => {
    const e = ev({
      event: 'Dataset.Refreshed',
      resource: { 'flowtrail.resource.id': 'dataset.Sales', env: 'PROD' },
      related: [rel('team.x', 'Owner')],
      payload: { Msg: 'Disk Full' },
    });
    const text = searchText(e);
    for (const part of [
      'dataset.refreshed',
      'dataset.sales',
      'prod',
      'team.x',
      'owner',
      '{"msg":"disk full"}',
    ])
      expect(text).toContain(part);
    expect(text).not.toContain('env'); // label keys are not searched
  });
});

describe('matchesFilter', () => {
  const runA = 'flowtrail.run.A/1';
  const events = {
    pending: ev({ event: 'flowtrail.flow-run.Pending', resource: { 'flowtrail.resource.id': runA } }),
    running: ev({
      event: 'flowtrail.flow-run.Running',
      resource: { 'flowtrail.resource.id': runA },
      related: [rel('flowtrail.tag.dev', 'tag'), rel('flowtrail.tag.prod', 'tag')],
    }),
    kitti: ev({
      event: 'bird.seen',
      resource: { 'flowtrail.resource.id': 'bird.1', 'flowtrail.resource.name': 'cute-kittiwake' },
      related: [rel(runA, 'run'), rel('flowtrail.tag.dev', 'tag')],
      payload: { note: 'Spotted near the "old" pier' },
    }),
    nameless: ev({ event: 'bird.seen', resource: { 'flowtrail.resource.id': 'bird.2' } }),
  };
  const all = Object.entries(events);
  const which = (f: EventFilter) =>
    all
      .filter(([, e]) => matchesFilter(e, f))
      .map(([k]) => k)
      .sort();

  it('event prefix with an excluded name; name is exact', () => {
    expect(
      which({ event: { prefix: ['flowtrail.flow-run.'], excludeName: ['flowtrail.flow-run.Pending'] } }),
    ).toEqual(['running']);
    expect(which({ event: { name: ['flowtrail.flow-run'] } })).toEqual([]);
    expect(which({ event: { excludePrefix: ['flowtrail.'] } })).toEqual(['kitti', 'nameless']);
  });

  it('label globs and negation; a missing label matches neither', () => {
    expect(which({ resource: { labels: { 'flowtrail.resource.name': 'cute-*' } } })).toEqual(['kitti']);
    expect(which({ resource: { labels: { 'flowtrail.resource.name': '!cute-*' } } })).toEqual([]);
  });

  it('related never matches the primary resource; anyResource does', () => {
    expect(which({ related: { id: [runA] } })).toEqual(['kitti']);
    expect(which({ anyResource: { id: [runA] } })).toEqual(['kitti', 'pending', 'running']);
    expect(which({ resource: { id: [runA] } })).toEqual(['pending', 'running']);
    expect(which({ related: { role: [''] } })).toEqual(['kitti', 'nameless', 'pending', 'running']);
    expect(which({ related: { role: ['tag'] } })).toEqual(['kitti', 'running']);
  });

  it('a related list is ANDed; one related resource satisfies each filter', () => {
    expect(which({ related: [{ id: ['flowtrail.tag.dev'] }, { id: ['flowtrail.tag.prod'] }] })).toEqual([
      'running',
    ]);
    expect(which({ related: { id: ['flowtrail.tag.dev'], role: ['run'] } })).toEqual([]);
    expect(which({ related: { resourcesInRoles: [[runA, 'run']] } })).toEqual(['kitti']);
    expect(which({ related: { resourcesInRoles: [[runA, 'tag']] } })).toEqual([]);
    // Some tag other than dev.
    expect(
      which({
        related: {
          labels: { 'flowtrail.resource.role': 'tag', 'flowtrail.resource.id': '!flowtrail.tag.dev' },
        },
      }),
    ).toEqual(['running']);
    expect(which({ related: {} })).toEqual(['kitti', 'nameless', 'pending', 'running']);
  });

  it('anyResource: one resource satisfies all of a filter; a list is ANDed', () => {
    expect(
      which({ anyResource: { idPrefix: ['bird.'], labels: { 'flowtrail.resource.name': '*' } } }),
    ).toEqual(['kitti']);
    expect(which({ anyResource: { id: ['bird.1'], labels: { 'flowtrail.resource.role': 'tag' } } })).toEqual(
      [],
    );
    expect(
      which({ anyResource: [{ id: ['bird.1'] }, { labels: { 'flowtrail.resource.role': 'tag' } }] }),
    ).toEqual(['kitti']);
  });

  it('ids, times and text', () => {
    expect(which({ id: [events.nameless.id] })).toEqual(['nameless']);
    expect(which({ id: [] })).toHaveLength(4);
    expect(which({ since: new Date(T0), until: new Date(T0) })).toHaveLength(4);
    expect(which({ since: new Date(T0 + 1) })).toEqual([]);
    expect(which({ until: new Date(T0 - 1) })).toEqual([]);
    expect(which({ text: 'KITTIWAKE' })).toEqual(['kitti']);
    expect(which({ text: '"spotted near"' })).toEqual(['kitti']);
    expect(which({ text: 'bird -kittiwake' })).toEqual(['nameless']);
    expect(which({ text: '+flowtrail +prod' })).toEqual(['running']);
    expect(which({ text: 'pending running' })).toEqual(['pending', 'running']);
    expect(which({ text: '!bird' })).toEqual(['pending', 'running']);
  });
});
