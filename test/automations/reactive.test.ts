import { describe, expect, it } from 'vitest';
import { LOOKBACK_MS } from '../../src/automations/bucket.ts';
import { createState, onEvent } from '../../src/automations/trigger-evaluation.ts';
import { emptyState, parseState, serializeState } from '../../src/automations/trigger-state.ts';
import { automationWith, ev, feed, sec, T0, tick } from './helpers.ts';

const walked = (threshold: number, within: unknown) =>
  automationWith({ type: 'event', expect: ['animal.walked'], threshold, within });

describe('reactive event triggers', () => {
  it('threshold 3 within 10 s fires once per window, on the third event, and again in a later window', () => {
    const a = walked(3, '10s');
    const state = createState(a, T0);
    const fired = (s: number) => feed(state, a, [ev('animal.walked', sec(s))]).length;
    expect([0, 1, 2, 3, 4].map(fired)).toEqual([0, 0, 1, 0, 0]);
    // The cool-down: the next window starts where the firing window ended (t+10 s).
    expect([24, 25, 26].map(fired)).toEqual([0, 0, 1]);
  });

  it('a firing carries its triggering event and an id that the same input always gives again', () => {
    const a = walked(2, '10s');
    const events = [ev('animal.walked', sec(0)), ev('animal.walked', sec(1))];
    const [first] = feed(emptyState(), a, events);
    const [again] = feed(emptyState(), a, events);
    expect(first?.event?.id).toBe(events[1]!.id);
    expect(first?.trigger).toBe('trigger');
    expect(first?.automation).toBe(a.id);
    expect(again?.id).toBe(first?.id);
  });

  it('an event that is not expected never counts, even when its resource matches', () => {
    const a = automationWith({
      type: 'event',
      expect: ['animal.walked'],
      match: { 'flowtrail.resource.id': 'animal.*' },
    });
    const state = emptyState();
    expect(feed(state, a, [ev('animal.ran', sec(0)), ev('animal.ran', sec(1))])).toEqual([]);
    expect(state.buckets).toEqual({});
  });

  it('match and matchRelated select on the primary and related resources with label globs', () => {
    const a = automationWith({
      type: 'event',
      expect: ['animal.walked'],
      match: { 'flowtrail.resource.id': 'animal.*', kind: '!bird' },
      matchRelated: [{ 'flowtrail.resource.role': 'owner', 'flowtrail.resource.id': 'person.*' }],
    });
    const owner = [{ 'flowtrail.resource.role': 'owner', 'flowtrail.resource.id': 'person.ann' }];
    const state = emptyState();
    expect(
      feed(state, a, [ev('animal.walked', sec(0), { related: owner, resource: { kind: 'dog' } })]),
    ).toHaveLength(1);
    expect(
      feed(state, a, [ev('animal.walked', sec(1), { related: owner, resource: { kind: 'bird' } })]),
    ).toHaveLength(0);
    expect(feed(state, a, [ev('animal.walked', sec(2), { resource: { kind: 'dog' } })])).toHaveLength(0);
    expect(
      feed(state, a, [
        ev('animal.walked', sec(3), {
          resource: { 'flowtrail.resource.id': 'plant.1', kind: 'dog' },
          related: owner,
        }),
      ]),
    ).toHaveLength(0);
  });

  it('within 0: 50 rapid events in shuffled order fire 50 times, each with its own event', () => {
    const a = walked(1, 0);
    const events = Array.from({ length: 50 }, (_, i) => ev('animal.walked', T0 + i));
    const shuffled = [...events].sort(() => Math.random() - 0.5);
    const firings = feed(emptyState(), a, shuffled);
    expect(firings).toHaveLength(50);
    expect(new Set(firings.map((f) => f.event?.id))).toEqual(new Set(events.map((e) => e.id)));
    expect(new Set(firings.map((f) => f.id)).size).toBe(50);
  });

  it('threshold 10 within 60 s: 10 events a millisecond apart, processed in reverse or shuffled, fire exactly once', () => {
    const a = walked(10, '60s');
    for (const order of ['reverse', 'shuffle'] as const) {
      const events = Array.from({ length: 10 }, (_, i) => ev('animal.walked', T0 + i));
      const processed =
        order === 'reverse' ? [...events].reverse() : [...events].sort(() => Math.random() - 0.5);
      const firings = feed(emptyState(), a, processed);
      expect(firings, order).toHaveLength(1);
      expect(firings[0]?.event?.id).toBe(processed[9]!.id);
    }
  });

  it('the look-back counts an out-of-order event up to 15 minutes older than the one that opened the window', () => {
    const a = walked(2, '60s');
    const late = feed(emptyState(), a, [
      ev('animal.walked', sec(0)),
      ev('animal.walked', sec(0) - LOOKBACK_MS + 1000),
    ]);
    expect(late).toHaveLength(1);
    const tooLate = feed(emptyState(), a, [
      ev('animal.walked', sec(0)),
      ev('animal.walked', sec(0) - LOOKBACK_MS - 1000),
    ]);
    expect(tooLate).toHaveLength(0);
  });

  it('an event far beyond the window counts in a new window', () => {
    const a = walked(1, '10s');
    const state = emptyState();
    expect(feed(state, a, [ev('animal.walked', sec(0))])).toHaveLength(1);
    expect(feed(state, a, [ev('animal.walked', sec(5))])).toHaveLength(0); // cool-down
    expect(feed(state, a, [ev('animal.walked', sec(3600))])).toHaveLength(1);
  });

  it('forEach keeps independent buckets per label value, and firings carry the labels', () => {
    const a = automationWith({
      type: 'event',
      expect: ['meal.eaten'],
      forEach: ['related:meal:species', 'related:meal:genus'],
      threshold: 3,
      within: '1m',
    });
    const meal = (genus: string, species: string) => ({
      related: [{ 'flowtrail.resource.role': 'meal', genus, species }],
    });
    const state = emptyState();
    const seq = ['a', 'b', 'a', 'b', 'a', 'b'].map((k, i) =>
      ev('meal.eaten', sec(i), k === 'a' ? meal('Hemerocallis', 'fulva') : meal('Ziziphus', 'jujuba')),
    );
    const firings = feed(state, a, seq);
    expect(firings.map((f) => f.labels)).toEqual([
      { 'related:meal:genus': 'Hemerocallis', 'related:meal:species': 'fulva' },
      { 'related:meal:genus': 'Ziziphus', 'related:meal:species': 'jujuba' },
    ]);
  });

  it('after arms the trigger: expected events before any arming event never count', () => {
    const a = automationWith({
      type: 'event',
      after: ['order.placed'],
      expect: ['order.shipped'],
      within: '1h',
    });
    const state = emptyState();
    expect(feed(state, a, [ev('order.shipped', sec(0))])).toHaveLength(0);
    expect(state.buckets).toEqual({});
    expect(feed(state, a, [ev('order.placed', sec(10)), ev('order.shipped', sec(20))])).toHaveLength(1);
    // Fired: the window is gone until a new arming event.
    expect(feed(state, a, [ev('order.shipped', sec(30))])).toHaveLength(0);
    // Armed again, but the expected event comes after the window.
    expect(feed(state, a, [ev('order.placed', sec(100)), ev('order.shipped', sec(100 + 3601))])).toHaveLength(
      0,
    );
  });

  it('after and expect the same event: within 0 never fires; within 5 s fires on every second event', () => {
    const same = (within: unknown) =>
      automationWith({ type: 'event', after: ['some-event'], expect: ['some-event'], within });
    expect(
      feed(
        emptyState(),
        same(0),
        [1, 2, 3, 4].map((s) => ev('some-event', sec(s))),
      ),
    ).toHaveLength(0);
    const state = emptyState();
    const fired = [1, 2, 3, 4, 61, 62].map((s) => feed(state, same('5s'), [ev('some-event', sec(s))]).length);
    expect(fired).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('after with within 0: armed until the next expected event; an unused arming is dropped a minute later', () => {
    const a = automationWith({ type: 'event', after: ['door.opened'], expect: ['door.closed'], within: 0 });
    const state = emptyState();
    expect(feed(state, a, [ev('door.opened', sec(0)), ev('door.closed', sec(40))])).toHaveLength(1);
    expect(feed(state, a, [ev('door.closed', sec(41))])).toHaveLength(0);
    feed(state, a, [ev('door.opened', sec(100))]);
    tick(state, a, sec(161));
    expect(feed(state, a, [ev('door.closed', sec(162))])).toHaveLength(0);
  });

  it('an arming event after an armed window ended unfired arms a fresh window', () => {
    const a = automationWith({
      type: 'event',
      after: ['order.placed'],
      expect: ['order.shipped'],
      threshold: 2,
      within: '1m',
    });
    const state = emptyState();
    feed(state, a, [ev('order.placed', sec(0)), ev('order.shipped', sec(10))]);
    // The first window ended with one shipment; a new order arms again at 100 s.
    expect(
      feed(state, a, [
        ev('order.placed', sec(100)),
        ev('order.shipped', sec(110)),
        ev('order.shipped', sec(120)),
      ]),
    ).toHaveLength(1);
  });

  it('a duplicate event (same id, redelivered) is counted once', () => {
    const a = walked(2, '1m');
    const state = emptyState();
    const e = ev('animal.walked', sec(0));
    expect(feed(state, a, [e, e, { ...e }])).toHaveLength(0);
    expect(feed(state, a, [ev('animal.walked', sec(1))])).toHaveLength(1);
    const immediate = walked(1, 0);
    const s2 = emptyState();
    expect(feed(s2, immediate, [e, e])).toHaveLength(1);
  });

  it('a disabled automation never fires', () => {
    const a = { ...walked(1, 0), enabled: false };
    expect(feed(emptyState(), a, [ev('animal.walked', sec(0))])).toEqual([]);
  });

  it('the state round-trips through JSON mid-window and evaluation goes on the same', () => {
    const a = walked(3, '10s');
    const state = emptyState();
    feed(state, a, [ev('animal.walked', sec(0)), ev('animal.walked', sec(1))]);
    const restored = parseState(serializeState(state));
    expect(restored).toEqual(state);
    expect(feed(restored, a, [ev('animal.walked', sec(2))])).toHaveLength(1);
    expect(() => parseState('{"version":2}')).toThrow(/version 1/);
  });

  it('reactive windows that ended over a minute ago are swept by a tick', () => {
    const a = walked(5, '10s');
    const state = emptyState();
    feed(state, a, [ev('animal.walked', sec(0))]);
    expect(Object.keys(state.buckets)).toHaveLength(1);
    tick(state, a, sec(30));
    expect(Object.keys(state.buckets)).toHaveLength(1);
    tick(state, a, sec(71));
    expect(state.buckets).toEqual({});
  });

  it('the seen set stays bounded by count and forgets ids after 30 minutes', () => {
    const a = walked(1, 0);
    const state = emptyState();
    for (let i = 0; i < 25_000; i++) onEvent(state, a, ev('animal.walked', T0 + i), T0 + i);
    const size = Object.keys(state.seen).length;
    expect(size).toBeGreaterThanOrEqual(10_000);
    expect(size).toBeLessThanOrEqual(11_000);
    onEvent(state, a, ev('animal.walked', T0 + 31 * 60_000), T0 + 31 * 60_000);
    expect(Object.keys(state.seen)).toHaveLength(1);
  });
});
