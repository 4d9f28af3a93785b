import { describe, expect, it } from 'vitest';
import { createState } from '../../src/automations/trigger-evaluation.ts';
import { emptyState } from '../../src/automations/trigger-state.ts';
import { automationWith, ev, feed, sec, tick } from './helpers.ts';

const on = (name: string, extra: Record<string, unknown> = {}) => ({
  type: 'event',
  expect: [name],
  ...extra,
});
const compound = (require: unknown, within: unknown = '1h', extra: Record<string, unknown> = {}) =>
  automationWith({
    type: 'compound',
    require,
    within,
    triggers: [on('a', extra), on('b', extra), on('c', extra)],
  });

describe('compound triggers', () => {
  it('all: fires once after every child fired, then starts again', () => {
    const a = compound('all');
    const state = emptyState();
    expect(feed(state, a, [ev('a', sec(0)), ev('b', sec(1)), ev('a', sec(2))])).toHaveLength(0);
    const [firing] = feed(state, a, [ev('c', sec(3))]);
    expect(firing?.children.map((c) => c.trigger)).toEqual([
      'trigger.triggers[1]',
      'trigger.triggers[0]',
      'trigger.triggers[2]',
    ]);
    expect(firing?.children[1]?.at).toBe(sec(2)); // the latest firing of a child counts
    expect(feed(state, a, [ev('c', sec(4)), ev('b', sec(5))])).toHaveLength(0);
    expect(feed(state, a, [ev('a', sec(6))])).toHaveLength(1);
  });

  it('any fires on every child firing; a number n fires when n children fired', () => {
    const any = compound('any');
    expect(feed(emptyState(), any, [ev('a', sec(0)), ev('b', sec(1)), ev('a', sec(2))])).toHaveLength(3);
    const two = compound(2);
    const state = emptyState();
    expect(feed(state, two, [ev('a', sec(0)), ev('a', sec(1))])).toHaveLength(0);
    expect(feed(state, two, [ev('c', sec(2))])).toHaveLength(1);
  });

  it('within is measured on the events’ occurred times, whenever they are processed', () => {
    const a = compound('all', '1m');
    const state = emptyState();
    // Processed within microseconds, but the events lie two minutes apart.
    expect(feed(state, a, [ev('a', sec(0)), ev('b', sec(100)), ev('c', sec(120))])).toHaveLength(0);
    expect(feed(state, a, [ev('a', sec(130))])).toHaveLength(1);
  });

  it('state is kept per forEach key: children firing for different resources do not combine', () => {
    const a = compound('all', '1h', { forEach: ['flowtrail.resource.id'] });
    const r = (id: string) => ({ resource: { 'flowtrail.resource.id': id } });
    const state = emptyState();
    expect(
      feed(state, a, [ev('a', sec(0), r('x')), ev('b', sec(1), r('y')), ev('c', sec(2), r('x'))]),
    ).toHaveLength(0);
    const [firing] = feed(state, a, [ev('b', sec(3), r('x'))]);
    expect(firing?.labels).toEqual({ 'flowtrail.resource.id': 'x' });
    expect(feed(state, a, [ev('a', sec(4), r('y')), ev('c', sec(5), r('y'))])).toHaveLength(1);
  });

  it('a proactive child: "neither dataset refreshed within the hour" fires through the compound', () => {
    const a = automationWith({
      type: 'compound',
      require: 'all',
      within: null,
      triggers: [
        { type: 'event', posture: 'proactive', expect: ['dataset.a.refreshed'], within: '1h' },
        { type: 'event', posture: 'proactive', expect: ['dataset.b.refreshed'], within: '1h' },
      ],
    });
    const state = createState(a, sec(0));
    feed(state, a, [ev('dataset.a.refreshed', sec(60))]);
    expect(tick(state, a, sec(3600))).toEqual([]); // only b missing
    expect(tick(state, a, sec(7200))).toHaveLength(1); // both missing in the second hour
  });

  it('nested composites pass firings up', () => {
    const a = automationWith({
      type: 'compound',
      require: 'all',
      within: null,
      triggers: [on('a'), { type: 'compound', require: 'any', within: null, triggers: [on('b'), on('c')] }],
    });
    const state = emptyState();
    expect(feed(state, a, [ev('c', sec(0))])).toHaveLength(0);
    const [firing] = feed(state, a, [ev('a', sec(1))]);
    expect(firing?.children.map((c) => c.trigger)).toEqual(['trigger.triggers[1]', 'trigger.triggers[0]']);
    expect(firing?.children[0]?.children.map((c) => c.trigger)).toEqual(['trigger.triggers[1].triggers[1]']);
  });
});

describe('sequence triggers', () => {
  const seq = (within: unknown = null) =>
    automationWith({ type: 'sequence', within, triggers: [on('A'), on('B'), on('C')] });

  it('fires when the latest firings come in order (repeats in between are fine)', () => {
    const a = seq();
    expect(
      feed(
        emptyState(),
        a,
        ['A', 'B', 'B', 'C'].map((n, i) => ev(n, sec(i))),
      ),
    ).toHaveLength(1);
  });

  it('out of order does not fire: A, B, A, C', () => {
    expect(
      feed(
        emptyState(),
        seq(),
        ['A', 'B', 'A', 'C'].map((n, i) => ev(n, sec(i))),
      ),
    ).toHaveLength(0);
    expect(
      feed(
        emptyState(),
        seq(),
        ['C', 'B', 'A'].map((n, i) => ev(n, sec(i))),
      ),
    ).toHaveLength(0);
  });

  it('order is by the events’ occurred times, not by processing order', () => {
    const events = [ev('B', sec(2)), ev('A', sec(1)), ev('C', sec(3))];
    expect(feed(emptyState(), seq(), events)).toHaveLength(1);
  });

  it('an expired sequence does not fire: A and B lie outside within of C, though processed together', () => {
    const a = seq('1m');
    const state = emptyState();
    expect(feed(state, a, [ev('A', sec(0)), ev('B', sec(30)), ev('C', sec(120))])).toHaveLength(0);
    expect(feed(state, a, [ev('A', sec(130)), ev('B', sec(140)), ev('C', sec(150))])).toHaveLength(1);
  });

  it('collected firings too old to combine are dropped by a tick', () => {
    const a = seq('1m');
    const state = emptyState();
    feed(state, a, [ev('A', sec(0))]);
    expect(Object.keys(state.composites)).toHaveLength(1);
    tick(state, a, sec(61));
    expect(state.composites).toEqual({});
  });
});
