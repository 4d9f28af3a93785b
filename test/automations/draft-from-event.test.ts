import { describe, expect, it } from 'vitest';
import { draftFromEvent } from '../../src/automations/draft-from-event.ts';
import { createState } from '../../src/automations/trigger-evaluation.ts';
import { validateAutomation } from '../../src/automations/validate-automation.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { literalGlob } from '../../src/events/glob.ts';
import { exactLabelPattern, labelsMatch } from '../../src/events/label-pattern.ts';
import { ev, feed, sec, tick } from './helpers.ts';

const ID = 'flowtrail.resource.id';
const refreshed = ev('dataset.refreshed', sec(0), {
  resource: { [ID]: 'dataset.sales', 'flowtrail.resource.name': 'sales' },
});

describe('draftFromEvent', () => {
  it('reactive by default: the event name on that resource, every match fires, a do-nothing action', () => {
    const draft = draftFromEvent(refreshed);
    expect(draft).toEqual({
      name: 'dataset.refreshed on sales',
      description: `Drafted from event ${refreshed.id} (dataset.refreshed on dataset.sales).`,
      trigger: {
        type: 'event',
        match: { [ID]: 'dataset.sales' },
        expect: ['dataset.refreshed'],
        posture: 'reactive',
        threshold: 1,
        within: 0,
      },
      actions: [{ type: 'do-nothing' }],
    });
    const automation = validateAutomation(draft);
    const state = createState(automation, sec(0));
    const same = () => ev('dataset.refreshed', sec(1), { resource: { [ID]: 'dataset.sales' } });
    expect(feed(state, automation, [same(), same(), same()])).toHaveLength(3);
    expect(
      feed(state, automation, [
        ev('dataset.refreshed', sec(2), { resource: { [ID]: 'dataset.stock' } }),
        ev('dataset.failed', sec(3), { resource: { [ID]: 'dataset.sales' } }),
      ]),
    ).toHaveLength(0);
  });

  it('proactive: fires when no such event comes within the window; named for the absence', () => {
    const draft = draftFromEvent(refreshed, { posture: 'proactive', within: '10m' });
    expect(draft.name).toBe('no dataset.refreshed on sales within 10m');
    expect(draft.trigger).toMatchObject({
      posture: 'proactive',
      within: '10m',
      expect: ['dataset.refreshed'],
    });
    const automation = validateAutomation(draft);
    const state = createState(automation, sec(0));
    expect(tick(state, automation, sec(601))).toHaveLength(1);
  });

  it('takes a name and actions; without a name the resource id stands in for a missing resource name', () => {
    const unnamed = ev('job.done', sec(0), { resource: { [ID]: 'job.42' } });
    expect(draftFromEvent(unnamed).name).toBe('job.done on job.42');
    const draft = draftFromEvent(unnamed, {
      name: 'page on job.42',
      actions: [{ type: 'emit-event', event: 'ops.page', resource: { [ID]: 'ops.pager' } }],
    });
    expect(draft.name).toBe('page on job.42');
    expect(draft.actions).toEqual([
      { type: 'emit-event', event: 'ops.page', resource: { [ID]: 'ops.pager' } },
    ]);
    expect(validateAutomation(draft).actions[0]?.type).toBe('emit-event');
  });

  it('a proactive draft without a window, or one under 10 s, fails validation at trigger.within', () => {
    for (const options of [
      { posture: 'proactive' as const },
      { posture: 'proactive' as const, within: '5s' },
    ]) {
      const error = (() => {
        try {
          validateAutomation(draftFromEvent(refreshed, options));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('trigger.within');
    }
  });

  it('keeps a long name within the 200 characters a name may have', () => {
    const long = ev('x.y', sec(0), { resource: { [ID]: 'r', 'flowtrail.resource.name': 'n'.repeat(300) } });
    const draft = draftFromEvent(long);
    expect(draft.name).toHaveLength(200);
    expect(() => validateAutomation(draft)).not.toThrow();
  });

  it('matches the resource id exactly, even one holding glob characters or a leading !', () => {
    for (const id of ['file[1]*.csv', 'a?b', '!important', '!', 'plain.id']) {
      const spec = { [ID]: exactLabelPattern(id) };
      expect(labelsMatch({ [ID]: id }, spec)).toBe(true);
      for (const other of [`${id}x`, id.replace(/[*?[!]/g, 'z') || 'z', `]${id.slice(1)}`])
        if (other !== id) expect(labelsMatch({ [ID]: other }, spec)).toBe(false);
    }
    expect(literalGlob('file[1]*')).toBe('file[[]1][*]');
    const draft = draftFromEvent(ev('a.b', sec(0), { resource: { [ID]: 'file[1]*' } }));
    expect(() => validateAutomation(draft)).not.toThrow();
  });
});
