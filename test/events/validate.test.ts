import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import { newEventId } from '../../src/events/event-id.ts';
import { EVENT_LIMITS, type EventInput } from '../../src/events/model.ts';
import { eventSize, validateEvent } from '../../src/events/validate-event.ts';
import { validateFilter } from '../../src/events/validate-filter.ts';

const NOW = new Date('2025-03-04T05:06:07.089Z');
const ID = '0190a6f2-3c4d-7a1b-8e2f-0123456789ab';

function base(overrides: Partial<EventInput> = {}): EventInput {
  return { event: 'dataset.refreshed', resource: { 'flowtrail.resource.id': 'dataset.sales' }, ...overrides };
}

/** Runs `fn`, expecting a ValidationError; returns it. */
function invalid(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

const labels = (n: number, extra: Record<string, string> = {}): Record<string, string> => {
  const out: Record<string, string> = { 'flowtrail.resource.id': 'x.1', ...extra };
  for (let i = Object.keys(out).length; i < n; i++) out[`acme.label${i}`] = `v${i}`;
  return out;
};
const rel = (i: number): Record<string, string> => ({
  'flowtrail.resource.id': `thing.${i}`,
  'flowtrail.resource.role': 'thing',
});

describe('validateEvent', () => {
  it('refuses U+0000 anywhere (PostgreSQL text cannot keep it), naming where', () => {
    const nul = 'a\u0000b';
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ event: nul }, 'event', /event name contains the NUL/],
      [{ resource: { 'flowtrail.resource.id': nul } }, 'resource["flowtrail.resource.id"]', /NUL/],
      [{ resource: { 'flowtrail.resource.id': 'x', [nul]: 'v' } }, 'resource', /NUL/],
      [{ payload: { deep: [{ s: nul }] } }, 'payload', /payload\["deep"\]\[0\]\["s"\] contains the NUL/],
      [{ payload: { [nul]: 1 } }, 'payload', /A key in payload contains the NUL/],
    ];
    for (const [override, field, message] of cases) {
      const error = (() => {
        try {
          validateEvent({ ...base(), ...override } as never, { now: NOW });
        } catch (e) {
          return e as ValidationError;
        }
      })();
      expect(error, JSON.stringify(override)).toBeInstanceOf(ValidationError);
      expect(error!.field.startsWith(field), `${error!.field} vs ${field}`).toBe(true);
      expect(error!.message).toMatch(message);
    }
    // A backslash-u sequence as text is fine.
    expect(validateEvent({ ...base(), payload: { s: '\\u0000' } }, { now: NOW }).payload.s).toBe('\\u0000');
  });

  it('fills defaults and stamps received', () => {
    const e = validateEvent(base(), { now: NOW });
    expect(e).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      occurred: NOW,
      event: 'dataset.refreshed',
      resource: { 'flowtrail.resource.id': 'dataset.sales' },
      related: [],
      payload: {},
      follows: null,
      received: NOW,
    });
  });

  it('keeps given fields, copies them, and ignores a client received', () => {
    const payload = { rows: 3, nested: { list: [1, 'two', null, true] } };
    const input = {
      ...base({
        id: ID.toUpperCase(),
        follows: '0190a6f2-3c4d-7a1b-8e2f-0123456789ac',
        occurred: '2025-01-01T00:00:00.5+02:00',
        related: [rel(1)],
        payload,
      }),
      received: '1999-01-01T00:00:00Z',
    } as EventInput;
    const e = validateEvent(input, { now: NOW });
    expect(e.id).toBe(ID);
    expect(e.follows).toBe('0190a6f2-3c4d-7a1b-8e2f-0123456789ac');
    expect(e.occurred.toISOString()).toBe('2024-12-31T22:00:00.500Z');
    expect(e.received).toEqual(NOW);
    expect(e.payload).toEqual(payload);
    expect(e.payload).not.toBe(payload);
    expect(e.related).toEqual([rel(1)]);
  });

  it('reads occurred as a Date or ISO string, without an offset as UTC', () => {
    expect(validateEvent(base({ occurred: NOW })).occurred).toEqual(NOW);
    expect(validateEvent(base({ occurred: '2025-02-03T04:05:06' })).occurred.toISOString()).toBe(
      '2025-02-03T04:05:06.000Z',
    );
    expect(validateEvent(base({ occurred: '2025-02-03' })).occurred.toISOString()).toBe(
      '2025-02-03T00:00:00.000Z',
    );
    for (const bad of ['yesterday', '2025-13-45T00:00:00Z', '', new Date(Number.NaN), 12345]) {
      const err = invalid(() => validateEvent(base({ occurred: bad as string })));
      expect(err.field).toBe('occurred');
      expect(err.message).toContain("'occurred'");
    }
  });

  describe('event name', () => {
    it('is required and non-empty', () => {
      for (const name of [undefined, '', '   ', 42]) {
        const err = invalid(() => validateEvent(base({ event: name as string })));
        expect(err.field).toBe('event');
        expect(err.message).toMatch(/event name/);
      }
    });

    it(`accepts ${EVENT_LIMITS.maxNameLength} characters and refuses one more`, () => {
      expect(validateEvent(base({ event: 'a'.repeat(1024) })).event).toHaveLength(1024);
      const err = invalid(() => validateEvent(base({ event: 'a'.repeat(1025) })));
      expect(err.field).toBe('event');
      expect(err.message).toContain('1025 characters');
      expect(err.message).toContain('1024');
    });

    it('counts characters, not UTF-16 units', () => {
      expect(validateEvent(base({ event: '🙂'.repeat(1024) })).event).toHaveLength(2048);
      expect(invalid(() => validateEvent(base({ event: '🙂'.repeat(1025) }))).field).toBe('event');
    });

    it('reserves the flowtrail. prefix for system events', () => {
      const err = invalid(() => validateEvent(base({ event: 'flowtrail.run.completed' })));
      expect(err.field).toBe('event');
      expect(err.message).toContain("reserved prefix 'flowtrail.'");
      expect(validateEvent(base({ event: 'flowtrail.run.completed' }), { allowReserved: true }).event).toBe(
        'flowtrail.run.completed',
      );
      expect(validateEvent(base({ event: 'flowtrailing.ok' })).event).toBe('flowtrailing.ok');
    });
  });

  describe('resource', () => {
    it('is required, with a non-empty flowtrail.resource.id', () => {
      expect(invalid(() => validateEvent(base({ resource: undefined as never }))).field).toBe('resource');
      expect(invalid(() => validateEvent(base({ resource: 'x' as never }))).field).toBe('resource');
      const resources: Record<string, string>[] = [
        {},
        { 'flowtrail.resource.id': '' },
        { 'flowtrail.resource.id': ' ' },
      ];
      for (const resource of resources) {
        const err = invalid(() => validateEvent(base({ resource })));
        expect(err.field).toBe('resource["flowtrail.resource.id"]');
        expect(err.message).toContain('flowtrail.resource.id');
      }
    });

    it('refuses non-string label values, naming the label', () => {
      for (const v of [1, null, true, { a: 1 }, ['x']]) {
        const err = invalid(() =>
          validateEvent(base({ resource: { 'flowtrail.resource.id': 'x', 'acme.count': v as never } })),
        );
        expect(err.field).toBe('resource["acme.count"]');
        expect(err.message).toContain("'acme.count'");
        expect(err.message).toContain('must be a string');
      }
      const err = invalid(() => validateEvent(base({ resource: { 'flowtrail.resource.id': 7 as never } })));
      expect(err.field).toBe('resource["flowtrail.resource.id"]');
    });

    it(`accepts ${EVENT_LIMITS.maxLabelsPerResource} labels and refuses 501`, () => {
      expect(Object.keys(validateEvent(base({ resource: labels(500) })).resource)).toHaveLength(500);
      const err = invalid(() => validateEvent(base({ resource: labels(501) })));
      expect(err.field).toBe('resource');
      expect(err.message).toContain('501 labels');
      expect(err.message).toContain('500');
    });

    it('reserves flowtrail. label keys except id, role and name', () => {
      const ok = validateEvent(
        base({
          resource: {
            'flowtrail.resource.id': 'x',
            'flowtrail.resource.name': 'X',
            'flowtrail.resource.role': 'r',
          },
        }),
      );
      expect(ok.resource['flowtrail.resource.name']).toBe('X');
      const err = invalid(() =>
        validateEvent(base({ resource: { 'flowtrail.resource.id': 'x', 'flowtrail.run.status': 'ok' } })),
      );
      expect(err.field).toBe('resource["flowtrail.run.status"]');
      expect(err.message).toContain("reserved prefix 'flowtrail.'");
      const system = validateEvent(
        base({ resource: { 'flowtrail.resource.id': 'x', 'flowtrail.run.status': 'ok' } }),
        { allowReserved: true },
      );
      expect(system.resource['flowtrail.run.status']).toBe('ok');
    });
  });

  describe('related', () => {
    it(`accepts ${EVENT_LIMITS.maxRelated} related resources and refuses 101`, () => {
      const hundred = Array.from({ length: 100 }, (_, i) => rel(i));
      expect(validateEvent(base({ related: hundred })).related).toHaveLength(100);
      const err = invalid(() => validateEvent(base({ related: [...hundred, rel(100)] })));
      expect(err.field).toBe('related');
      expect(err.message).toContain('101 related');
      expect(err.message).toContain('100');
    });

    it('must be a list', () => {
      expect(invalid(() => validateEvent(base({ related: rel(0) as never }))).field).toBe('related');
      expect(invalid(() => validateEvent(base({ related: null as never }))).field).toBe('related');
    });

    it('needs a non-empty role on each, naming its index', () => {
      for (const role of [undefined, '', '  ']) {
        const third: Record<string, string> = { 'flowtrail.resource.id': 'thing.2' };
        if (role !== undefined) third['flowtrail.resource.role'] = role;
        const err = invalid(() => validateEvent(base({ related: [rel(0), rel(1), third] })));
        expect(err.field).toBe('related[2]["flowtrail.resource.role"]');
        expect(err.message).toContain('Related resource 2');
        expect(err.message).toContain('flowtrail.resource.role');
      }
    });

    it('applies the resource rules to each', () => {
      expect(
        invalid(() => validateEvent(base({ related: [{ 'flowtrail.resource.role': 'x' }] }))).field,
      ).toBe('related[0]["flowtrail.resource.id"]');
      expect(
        invalid(() => validateEvent(base({ related: [{ ...rel(0), 'acme.n': 1 as never }] }))).field,
      ).toBe('related[0]["acme.n"]');
      expect(invalid(() => validateEvent(base({ related: [labels(501, rel(0))] }))).field).toBe('related[0]');
      expect(validateEvent(base({ related: [labels(500, rel(0))] })).related[0]).toBeDefined();
      expect(
        invalid(() => validateEvent(base({ related: [{ ...rel(0), 'flowtrail.secret': 'x' }] }))).field,
      ).toBe('related[0]["flowtrail.secret"]');
    });
  });

  describe('payload', () => {
    it('must be a plain JSON object', () => {
      class Thing {
        x = 1;
      }
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      for (const payload of [
        [],
        'text',
        7,
        new Thing(),
        new Map(),
        { when: new Date() },
        { f: () => 1 },
        { n: Number.NaN },
        { n: Number.POSITIVE_INFINITY },
        { big: 1n },
        { u: undefined },
        { nested: [{ deep: new Set() }] },
        // biome-ignore lint/suspicious/noSparseArray: a hole is not JSON
        { sparse: [1, , 3] },
        cyclic,
        null,
      ]) {
        const err = invalid(() => validateEvent(base({ payload: payload as never })));
        expect(err.field).toBe('payload');
        expect(err.message).toMatch(/payload/);
      }
    });

    it('accepts nested JSON and shared (non-cyclic) references', () => {
      const shared = { k: 'v' };
      const e = validateEvent(base({ payload: { a: shared, b: [shared, 1.5, false, null], ü: 'ok' } }));
      expect(e.payload).toEqual({ a: { k: 'v' }, b: [{ k: 'v' }, 1.5, false, null], ü: 'ok' });
      expect(validateEvent(base({ payload: Object.create(null) })).payload).toEqual({});
    });
  });

  it('checks id and follows are UUIDs', () => {
    for (const id of ['', 'abc', '0190a6f2-3c4d-7a1b-8e2f-0123456789a', 12]) {
      const err = invalid(() => validateEvent(base({ id: id as string })));
      expect(err.field).toBe('id');
      expect(err.message).toContain('UUID');
      expect(invalid(() => validateEvent(base({ follows: id as string }))).field).toBe('follows');
    }
    expect(validateEvent(base({ follows: null })).follows).toBeNull();
  });

  it('refuses unknown fields', () => {
    const err = invalid(() => validateEvent({ ...base(), payloads: {} } as EventInput));
    expect(err.field).toBe('payloads');
    expect(invalid(() => validateEvent(null as never)).field).toBe('event');
  });

  describe('size', () => {
    /** An event whose JSON is exactly `bytes` long (with a multi-byte character inside). */
    function sized(bytes: number): EventInput {
      const input = base({ id: ID, occurred: NOW, payload: { blob: 'é' } });
      const overhead = eventSize(validateEvent(input, { now: NOW })) - 2; // 'é' is 2 bytes
      return { ...input, payload: { blob: `é${'x'.repeat(bytes - overhead - 2)}` } };
    }

    it(`accepts ${EVENT_LIMITS.maxSizeBytes.toLocaleString()} bytes and refuses one more`, () => {
      const at = validateEvent(sized(EVENT_LIMITS.maxSizeBytes), { now: NOW });
      expect(eventSize(at)).toBe(1_500_000);
      const err = invalid(() => validateEvent(sized(EVENT_LIMITS.maxSizeBytes + 1), { now: NOW }));
      expect(err.field).toBe('event');
      expect(err.message).toContain('1500001 bytes');
      expect(err.message).toContain('1500000');
      expect(err.details).toMatchObject({ size: 1_500_001, limit: 1_500_000 });
    });
  });
});

describe('newEventId', () => {
  it('makes time-ordered UUIDv7s, strictly increasing within a process', () => {
    const before = Date.now();
    const ids = Array.from({ length: 20_000 }, () => newEventId());
    const after = Date.now();
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [ids[0]!, ids[ids.length - 1]!]) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const ms = Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(after + 5);
    }
  });
});

describe('validateFilter', () => {
  it('normalizes times and keeps every field', () => {
    const f = validateFilter({
      since: '2025-01-01T00:00:00Z',
      until: new Date('2025-02-01T00:00:00Z'),
      event: { name: ['a'], prefix: ['b.'], excludeName: ['c'], excludePrefix: ['d.'] },
      resource: { id: ['x'], idPrefix: ['y.'], labels: { k: 'v*', j: ['!a', 'b'] } },
      related: [{ id: ['r'], role: ['tag'], resourcesInRoles: [['r', 'tag']], labels: { k: 'v' } }],
      anyResource: { id: ['z'] },
      id: [ID.toUpperCase()],
      follows: [ID.toUpperCase()],
      text: 'hello -world',
      order: 'asc',
    });
    expect(f.since).toEqual(new Date('2025-01-01T00:00:00Z'));
    expect(f.until).toEqual(new Date('2025-02-01T00:00:00Z'));
    expect(f.related).toEqual([
      { id: ['r'], role: ['tag'], resourcesInRoles: [['r', 'tag']], labels: { k: 'v' } },
    ]);
    expect(f.id).toEqual([ID]);
    expect(f.follows).toEqual([ID]);
    expect(f.order).toBe('asc');
    expect(validateFilter(undefined)).toEqual({});
  });

  it('refuses unknown keys with their path', () => {
    expect(invalid(() => validateFilter({ evnt: {} })).field).toBe('filter.evnt');
    expect(invalid(() => validateFilter({ event: { prefx: ['a'] } })).field).toBe('filter.event.prefx');
    expect(invalid(() => validateFilter({ related: [{}, { name: 'x' }] })).field).toBe(
      'filter.related[1].name',
    );
    expect(invalid(() => validateFilter({ anyResource: { role: ['x'] } })).field).toBe(
      'filter.anyResource.role',
    );
  });

  it('refuses wrong types with their path', () => {
    expect(invalid(() => validateFilter({ event: { prefix: 'a.' } })).field).toBe('filter.event.prefix');
    expect(invalid(() => validateFilter({ event: { name: [1] } })).field).toBe('filter.event.name');
    expect(invalid(() => validateFilter({ resource: { labels: { k: 1 } } })).field).toBe(
      'filter.resource.labels["k"]',
    );
    expect(invalid(() => validateFilter({ related: { resourcesInRoles: [['a']] } })).field).toBe(
      'filter.related.resourcesInRoles',
    );
    expect(invalid(() => validateFilter({ since: 'last week' })).field).toBe('filter.since');
    expect(invalid(() => validateFilter({ order: 'up' })).field).toBe('filter.order');
    expect(invalid(() => validateFilter({ id: 'x' })).field).toBe('filter.id');
    expect(invalid(() => validateFilter({ follows: [null] })).field).toBe('filter.follows');
    expect(invalid(() => validateFilter({ text: 3 })).field).toBe('filter.text');
    expect(invalid(() => validateFilter('x')).field).toBe('filter');
  });

  it('accepts a 200-character text query and refuses 201', () => {
    expect(validateFilter({ text: 'a'.repeat(200) }).text).toHaveLength(200);
    const err = invalid(() => validateFilter({ text: 'a'.repeat(201) }));
    expect(err.field).toBe('filter.text');
    expect(err.message).toContain('200');
  });

  it('refuses since after until', () => {
    const err = invalid(() =>
      validateFilter({ since: '2025-01-02T00:00:00Z', until: '2025-01-01T00:00:00Z' }),
    );
    expect(err.field).toBe('filter.since');
    expect(err.message).toContain('after');
    expect(validateFilter({ since: NOW, until: NOW }).since).toEqual(NOW);
  });
});

describe('clock skew', () => {
  it('accepts occurred up to 15 minutes ahead and refuses more, naming the field', async () => {
    const { validateEvent, MAX_FUTURE_SKEW_MS } = await import('../../src/events/validate-event.ts');
    const now = new Date('2026-01-01T00:00:00Z');
    const base = { event: 'x.y', resource: { 'flowtrail.resource.id': 'r' } };
    expect(
      validateEvent(
        { ...base, occurred: new Date(now.getTime() + MAX_FUTURE_SKEW_MS) },
        { now },
      ).occurred.getTime(),
    ).toBe(now.getTime() + MAX_FUTURE_SKEW_MS);
    expect(() =>
      validateEvent({ ...base, occurred: new Date(now.getTime() + MAX_FUTURE_SKEW_MS + 1000) }, { now }),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'occurred' }));
    // The past is fine (late delivery).
    expect(validateEvent({ ...base, occurred: '2020-01-01T00:00:00Z' }, { now }).occurred.toISOString()).toBe(
      '2020-01-01T00:00:00.000Z',
    );
  });
});
