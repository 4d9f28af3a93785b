import { describe, expect, it } from 'vitest';
import { createState, nextDeadline } from '../../src/automations/trigger-evaluation.ts';
import { emptyState } from '../../src/automations/trigger-state.ts';
import { automationWith, ev, feed, sec, T0, tick } from './helpers.ts';

const HOUR = 3600;

describe('proactive event triggers', () => {
  it('fires once per window that saw too few events, exactly at the window end, with no event', () => {
    const a = automationWith({ type: 'event', posture: 'proactive', expect: ['backup.done'], within: '30s' });
    const state = createState(a, sec(0));
    expect(nextDeadline(state, a)).toBe(sec(30));
    expect(tick(state, a, sec(9))).toEqual([]);
    expect(tick(state, a, sec(30) - 1)).toEqual([]);
    const [firing, ...more] = tick(state, a, sec(30));
    expect(more).toEqual([]);
    expect(firing).toMatchObject({ at: sec(30), event: null, labels: {} });
    expect(tick(state, a, sec(31))).toEqual([]);
    expect(nextDeadline(state, a)).toBe(sec(60));
    expect(tick(state, a, sec(60))).toHaveLength(1);
  });

  it('does not fire for a window in which the event came', () => {
    const a = automationWith({ type: 'event', posture: 'proactive', expect: ['backup.done'], within: '30s' });
    const state = createState(a, sec(0));
    feed(state, a, [ev('backup.done', sec(12))]);
    expect(tick(state, a, sec(30))).toEqual([]);
    // The next window is empty.
    expect(tick(state, a, sec(60))).toHaveLength(1);
  });

  it('a proactive trigger without forEach or after asks for a tick before its first window opens', () => {
    const a = automationWith({ type: 'event', posture: 'proactive', expect: ['backup.done'], within: '30s' });
    const state = emptyState();
    expect(nextDeadline(state, a)).toBe(Number.NEGATIVE_INFINITY);
    tick(state, a, sec(5));
    expect(nextDeadline(state, a)).toBe(sec(35));
  });

  it('after + forEach: a run started and never finished fires at the deadline; a second start moves it', () => {
    const a = automationWith({
      type: 'event',
      posture: 'proactive',
      after: ['flowtrail.run.started'],
      expect: ['flowtrail.run.*'],
      forEach: ['flowtrail.resource.id'],
      within: '2h',
    });
    const run = (id: string) => ({ resource: { 'flowtrail.resource.id': id } });
    const state = createState(a, sec(0));
    expect(nextDeadline(state, a)).toBeNull();
    const started = ev('flowtrail.run.started', sec(0), run('flowtrail.run.F/1'));
    feed(state, a, [started, ev('flowtrail.run.started', sec(10), run('flowtrail.run.F/2'))]);
    expect(nextDeadline(state, a)).toBe(sec(2 * HOUR));
    feed(state, a, [ev('flowtrail.run.completed', sec(60), run('flowtrail.run.F/2'))]);
    const restarted = ev('flowtrail.run.started', sec(30 * 60), run('flowtrail.run.F/1'));
    feed(state, a, [restarted]);
    expect(tick(state, a, sec(2 * HOUR + 10))).toEqual([]); // F/2 completed; F/1's deadline moved
    expect(nextDeadline(state, a)).toBe(sec(2.5 * HOUR));
    const [firing, ...more] = tick(state, a, sec(2.5 * HOUR));
    expect(more).toEqual([]);
    expect(firing?.labels).toEqual({ 'flowtrail.resource.id': 'flowtrail.run.F/1' });
    expect(firing?.event?.id).toBe(restarted.id);
    // Fired: nothing more until a new start.
    expect(tick(state, a, sec(10 * HOUR))).toEqual([]);
    expect(nextDeadline(state, a)).toBeNull();
  });

  it('heartbeat pattern: every heartbeat restarts the window; a completion between them prevents the firing', () => {
    const trigger = {
      type: 'event',
      posture: 'proactive',
      after: ['flowtrail.run.heartbeat'],
      expect: ['flowtrail.run.*'],
      forEach: ['flowtrail.resource.id'],
      within: '90s',
    };
    const a = automationWith(trigger);
    const state = createState(a, sec(0));
    const second = ev('flowtrail.run.heartbeat', sec(30));
    feed(state, a, [ev('flowtrail.run.heartbeat', sec(0)), second]);
    expect(tick(state, a, sec(31))).toEqual([]);
    expect(tick(state, a, sec(119))).toEqual([]);
    expect(nextDeadline(state, a)).toBe(sec(120));
    const firings = tick(state, a, sec(121));
    expect(firings.map((f) => f.event?.id)).toEqual([second.id]);

    const b = automationWith(trigger);
    const s2 = createState(b, sec(0));
    feed(s2, b, [
      ev('flowtrail.run.heartbeat', sec(0)),
      ev('flowtrail.run.completed', sec(20)),
      ev('flowtrail.run.heartbeat', sec(30)),
      ev('flowtrail.run.completed', sec(40)),
    ]);
    expect(tick(s2, b, sec(200))).toEqual([]);
  });

  it('a window that ended before the next event arrived is closed by that event, as a tick would have', () => {
    const a = automationWith({
      type: 'event',
      posture: 'proactive',
      after: ['job.started'],
      expect: ['job.finished'],
      within: '1m',
    });
    const state = createState(a, sec(0));
    feed(state, a, [ev('job.started', sec(0))]);
    const late = feed(state, a, [ev('job.finished', sec(61))]);
    expect(late).toHaveLength(1);
    expect(late[0]?.at).toBe(sec(60));
  });

  it('forEach without after: a resource seen once fires when it then goes silent for a window, once', () => {
    const a = automationWith({
      type: 'event',
      posture: 'proactive',
      expect: ['sensor.reading'],
      forEach: ['flowtrail.resource.id'],
      within: '1m',
    });
    const state = createState(a, sec(0));
    const sensor = (id: string, s: number) =>
      ev('sensor.reading', sec(s), { resource: { 'flowtrail.resource.id': id } });
    feed(state, a, [sensor('s1', 0), sensor('s2', 0)]);
    expect(tick(state, a, sec(60))).toEqual([]); // both reported in their first window
    feed(state, a, [sensor('s2', 90)]);
    const firings = tick(state, a, sec(120));
    expect(firings.map((f) => f.labels['flowtrail.resource.id'])).toEqual(['s1']);
    expect(tick(state, a, sec(600)).map((f) => f.labels['flowtrail.resource.id'])).toEqual(['s2']);
    expect(tick(state, a, sec(6000))).toEqual([]);
  });

  it('deadlines are exact: nextDeadline is the end of the earliest open window', () => {
    const a = automationWith({
      type: 'event',
      posture: 'proactive',
      after: ['job.started'],
      expect: ['job.finished'],
      forEach: ['flowtrail.resource.id'],
      within: '10s',
    });
    const state = createState(a, T0);
    const job = (id: string, at: number) =>
      ev('job.started', at, { resource: { 'flowtrail.resource.id': id } });
    feed(state, a, [job('j1', T0 + 1234), job('j2', T0 + 567)]);
    expect(nextDeadline(state, a)).toBe(T0 + 10_567);
    expect(tick(state, a, T0 + 10_566)).toEqual([]);
    expect(tick(state, a, T0 + 10_567).map((f) => f.labels['flowtrail.resource.id'])).toEqual(['j2']);
    expect(nextDeadline(state, a)).toBe(T0 + 11_234);
  });
});
