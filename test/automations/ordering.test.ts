import { describe, expect, it } from 'vitest';
import {
  admitEvent,
  emptyOrdering,
  nextRelease,
  PARK_MS,
  releaseParked,
} from '../../src/automations/ordering.ts';
import { onEvent } from '../../src/automations/trigger-evaluation.ts';
import { emptyState } from '../../src/automations/trigger-state.ts';
import { automationWith, ev, sec } from './helpers.ts';

describe('follows ordering', () => {
  it('a follower that arrives before its leader waits, then follows it', () => {
    const ordering = emptyOrdering();
    const x1 = ev('job.started', sec(0));
    const x2 = ev('job.finished', sec(1), { follows: x1.id });
    expect(admitEvent(ordering, x2, sec(2)).ready).toEqual([]);
    expect(nextRelease(ordering)).toBe(sec(2) + PARK_MS);
    expect(admitEvent(ordering, x1, sec(3)).ready.map((e) => e.id)).toEqual([x1.id, x2.id]);
    expect(nextRelease(ordering)).toBeNull();
  });

  it('so an after/expect pair delivered in the wrong order still fires', () => {
    const a = automationWith({
      type: 'event',
      after: ['job.started'],
      expect: ['job.finished'],
      within: '1m',
    });
    const x1 = ev('job.started', sec(0));
    const x2 = ev('job.finished', sec(0), { follows: x1.id });
    const unordered = emptyState();
    const direct = [x2, x1].flatMap((e) => onEvent(unordered, a, e, sec(1)).firings);
    expect(direct).toHaveLength(0);
    const ordering = emptyOrdering();
    const state = emptyState();
    const ordered = [x2, x1]
      .flatMap((e) => admitEvent(ordering, e, sec(1)).ready)
      .flatMap((e) => onEvent(state, a, e, sec(1)).firings);
    expect(ordered).toHaveLength(1);
  });

  it('followers of one leader come in occurred order, and chains are released together', () => {
    const ordering = emptyOrdering();
    const leader = ev('l', sec(0));
    const late = ev('f', sec(5), { follows: leader.id });
    const early = ev('f', sec(3), { follows: leader.id });
    const grandchild = ev('g', sec(6), { follows: late.id });
    for (const e of [late, grandchild, early]) expect(admitEvent(ordering, e, sec(7)).ready).toEqual([]);
    expect(admitEvent(ordering, leader, sec(8)).ready.map((e) => e.id)).toEqual([
      leader.id,
      early.id,
      late.id,
      grandchild.id,
    ]);
  });

  it('a follower whose leader never comes is released after 15 minutes', () => {
    const ordering = emptyOrdering();
    const f = ev('f', sec(0), { follows: '0190a6f2-3c4d-7a1b-8e2f-0123456789ab' });
    admitEvent(ordering, f, sec(1));
    expect(releaseParked(ordering, sec(1) + PARK_MS - 1).ready).toEqual([]);
    expect(releaseParked(ordering, sec(1) + PARK_MS).ready.map((e) => e.id)).toEqual([f.id]);
    expect(ordering.parked).toEqual([]);
  });

  it('an event received 15 minutes ago or more does not wait; a follower of itself does not wait', () => {
    const ordering = emptyOrdering();
    const old = ev('f', sec(0), { follows: '0190a6f2-3c4d-7a1b-8e2f-0123456789ab' });
    expect(admitEvent(ordering, old, sec(0) + PARK_MS).ready).toHaveLength(1);
    const self = ev('f', sec(0));
    expect(admitEvent(ordering, { ...self, follows: self.id }, sec(1)).ready).toHaveLength(1);
  });

  it('duplicates are dropped, parked or admitted', () => {
    const ordering = emptyOrdering();
    const leader = ev('l', sec(0));
    const f = ev('f', sec(1), { follows: leader.id });
    admitEvent(ordering, f, sec(1));
    expect(admitEvent(ordering, f, sec(2)).ready).toEqual([]);
    expect(admitEvent(ordering, leader, sec(3)).ready).toHaveLength(2);
    expect(admitEvent(ordering, leader, sec(4)).ready).toEqual([]);
    expect(admitEvent(ordering, f, sec(4)).ready).toEqual([]);
  });

  it('the ordering state is plain JSON', () => {
    const ordering = emptyOrdering();
    admitEvent(ordering, ev('f', sec(1), { follows: '0190a6f2-3c4d-7a1b-8e2f-0123456789ab' }), sec(1));
    expect(JSON.parse(JSON.stringify(ordering))).toEqual(ordering);
  });
});
