import { describe, expect, it } from 'vitest';
import { validateAutomation } from '../../src/automations/validate-automation.ts';
import { ValidationError } from '../../src/core/errors.ts';

const base = {
  name: 'notify',
  trigger: { type: 'event', expect: ['dataset.refreshed'] },
  actions: [{ type: 'do-nothing' }],
};

/** The ValidationError thrown for an automation, with its field and rule. */
function refusal(input: unknown): { field: string; rule: unknown; message: string } {
  try {
    validateAutomation(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const e = error as ValidationError;
    return { field: e.field, rule: e.details.rule, message: e.message };
  }
  throw new Error('expected a ValidationError');
}

const withTrigger = (trigger: unknown) => ({ ...base, trigger });
const withAction = (action: unknown) => ({ ...base, actions: [action] });

describe('validateAutomation', () => {
  it('fills the defaults and round-trips: a validated automation validates again to itself', () => {
    const a = validateAutomation({
      ...base,
      trigger: {
        type: 'compound',
        require: 2,
        within: '1h',
        triggers: [
          { type: 'event', expect: ['a'], forEach: ['z', 'flowtrail.resource.id'], threshold: 2, within: 90 },
          { type: 'event', posture: 'proactive', expect: ['b'], within: '10m' },
          { type: 'sequence', triggers: [{ type: 'event', expect: ['c'] }] },
        ],
      },
      actions: [
        { type: 'call-webhook', url: 'https://example.invalid/hook', body: '{"run": "{{ event.id }}"}' },
        { type: 'run-deployment', deployment: 'Nightly', parameters: { n: '{{ event.payload.n }}' } },
      ],
    });
    expect(a).toMatchObject({
      description: '',
      enabled: true,
      tags: [],
      ownerResource: null,
      actionsOnTrigger: [],
    });
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    const [first, second, third] = (a.trigger as { triggers: unknown[] }).triggers;
    expect(first).toEqual({
      type: 'event',
      match: {},
      matchRelated: [],
      after: [],
      expect: ['a'],
      forEach: ['flowtrail.resource.id', 'z'],
      posture: 'reactive',
      threshold: 2,
      withinMs: 90_000,
    });
    expect(second).toMatchObject({ posture: 'proactive', withinMs: 600_000 });
    expect(third).toMatchObject({ type: 'sequence', withinMs: null });
    expect(a.actions[0]).toEqual({
      type: 'call-webhook',
      url: 'https://example.invalid/hook',
      method: 'POST',
      headersSecret: null,
      body: '{"run": "{{ event.id }}"}',
      timeoutMs: 10_000,
      retries: 2,
    });
    expect(validateAutomation(JSON.parse(JSON.stringify(a)))).toEqual(a);
  });

  it('refuses an empty or missing expect instead of matching every event (Prefect #11470); ["*"] is explicit', () => {
    expect(refusal(withTrigger({ type: 'event', expect: [] }))).toMatchObject({
      field: 'trigger.expect',
      rule: 'expect-required',
    });
    expect(refusal(withTrigger({ type: 'event' }))).toMatchObject({ field: 'trigger.expect' });
    expect(refusal(withTrigger({ type: 'event' })).message).toMatch(/\['\*'\]/);
    expect(validateAutomation(withTrigger({ type: 'event', expect: ['*'] })).trigger).toMatchObject({
      expect: ['*'],
    });
  });

  it.each([
    ['unknown top-level key', { ...base, nmae: 'x' }, 'automation.nmae', 'unknown-key'],
    ['missing name', { ...base, name: '' }, 'name', 'type'],
    ['enabled not boolean', { ...base, enabled: 'yes' }, 'enabled', 'type'],
    ['bad tag', { ...base, tags: [''] }, 'tags[0]', undefined],
    ['missing trigger', { name: 'x', actions: [] }, 'trigger', 'required'],
    ['no action at all', { ...base, actions: [] }, 'actions', 'min-length'],
    ['unknown trigger type', withTrigger({ type: 'metric' }), 'trigger.type', 'enum'],
    [
      'unknown trigger key',
      withTrigger({ type: 'event', expect: ['a'], for_each: [] }),
      'trigger.for_each',
      'unknown-key',
    ],
    [
      'threshold 0',
      withTrigger({ type: 'event', expect: ['a'], threshold: 0 }),
      'trigger.threshold',
      'range',
    ],
    [
      'threshold fraction',
      withTrigger({ type: 'event', expect: ['a'], threshold: 1.5 }),
      'trigger.threshold',
      'range',
    ],
    [
      'bad posture',
      withTrigger({ type: 'event', expect: ['a'], posture: 'Reactive' }),
      'trigger.posture',
      'enum',
    ],
    [
      'bad within',
      withTrigger({ type: 'event', expect: ['a'], within: '10 minutes' }),
      'trigger.within',
      undefined,
    ],
    [
      'within and withinMs',
      withTrigger({ type: 'event', expect: ['a'], within: '1m', withinMs: 60000 }),
      'trigger.withinMs',
      'exclusive',
    ],
    [
      'proactive within 5 s',
      withTrigger({ type: 'event', posture: 'proactive', expect: ['a'], within: '5s' }),
      'trigger.within',
      'proactive-within',
    ],
    [
      'proactive without within',
      withTrigger({ type: 'event', posture: 'proactive', expect: ['a'] }),
      'trigger.within',
      'within-required',
    ],
    [
      'glob with a space',
      withTrigger({ type: 'event', expect: ['data set.*'] }),
      'trigger.expect[0]',
      'glob',
    ],
    [
      'glob with an unclosed class',
      withTrigger({ type: 'event', expect: ['a.[bc'] }),
      'trigger.expect[0]',
      'glob',
    ],
    [
      'bad after glob',
      withTrigger({ type: 'event', expect: ['a'], after: ['x y'] }),
      'trigger.after[0]',
      'glob',
    ],
    [
      'empty label pattern list',
      withTrigger({ type: 'event', expect: ['a'], match: { team: [] } }),
      'trigger.match["team"]',
      'label-pattern',
    ],
    [
      'label pattern not a string',
      withTrigger({ type: 'event', expect: ['a'], matchRelated: [{ team: 3 }] }),
      'trigger.matchRelated[0]["team"]',
      undefined,
    ],
    [
      'bad forEach label',
      withTrigger({ type: 'event', expect: ['a'], forEach: ['related:flow'] }),
      'trigger.forEach[0]',
      'for-each-label',
    ],
    [
      'compound without require',
      withTrigger({ type: 'compound', triggers: [{ type: 'event', expect: ['a'] }] }),
      'trigger.require',
      'required',
    ],
    [
      'compound require 0',
      withTrigger({ type: 'compound', require: 0, triggers: [{ type: 'event', expect: ['a'] }] }),
      'trigger.require',
      'range',
    ],
    [
      'compound require over the count',
      withTrigger({
        type: 'compound',
        require: 3,
        triggers: [
          { type: 'event', expect: ['a'] },
          { type: 'event', expect: ['b'] },
        ],
      }),
      'trigger.require',
      'range',
    ],
    [
      'compound without children',
      withTrigger({ type: 'compound', require: 'any', triggers: [] }),
      'trigger.triggers',
      'min-length',
    ],
    [
      'nested child threshold',
      withTrigger({
        type: 'sequence',
        triggers: [
          { type: 'event', expect: ['a'] },
          { type: 'event', expect: ['b'], threshold: -1 },
        ],
      }),
      'trigger.triggers[1].threshold',
      'range',
    ],
    ['unknown action type', withAction({ type: 'send-email' }), 'actions[0].type', 'enum'],
    ['unknown action key', withAction({ type: 'do-nothing', why: 'x' }), 'actions[0].why', 'unknown-key'],
    [
      'bad deployment name',
      withAction({ type: 'run-deployment', deployment: 'not a flow' }),
      'actions[0].deployment',
      'flow-name',
    ],
    [
      'webhook not http',
      withAction({ type: 'call-webhook', url: 'file:///etc/passwd' }),
      'actions[0].url',
      'url',
    ],
    [
      'webhook GET with body',
      withAction({ type: 'call-webhook', url: 'https://example.invalid', method: 'GET', body: 'x' }),
      'actions[0].body',
      'get-body',
    ],
    [
      'webhook retries',
      withAction({ type: 'call-webhook', url: 'https://example.invalid', retries: 9 }),
      'actions[0].retries',
      'range',
    ],
    [
      'webhook timeout',
      withAction({ type: 'call-webhook', url: 'https://example.invalid', timeout: '5m' }),
      'actions[0].timeout',
      'range',
    ],
    [
      'emit-event reserved name',
      withAction({ type: 'emit-event', event: 'flowtrail.x', resource: { 'flowtrail.resource.id': 'a' } }),
      'actions[0].event',
      'event-name',
    ],
    [
      'emit-event without resource id',
      withAction({ type: 'emit-event', event: 'a.b', resource: {} }),
      'actions[0].resource["flowtrail.resource.id"]',
      'required',
    ],
    [
      'cancel-run not a run',
      withAction({ type: 'cancel-run', run: 'Flow/1/start' }),
      'actions[0].run',
      'pathspec',
    ],
    [
      'pause-automation bad id',
      withAction({ type: 'pause-automation', automation: 'abc' }),
      'actions[0].automation',
      undefined,
    ],
  ])('%s is refused, naming the field', (_what, input, field, rule) => {
    const r = refusal(input);
    expect(r.field).toBe(field);
    if (rule !== undefined) expect(r.rule).toBe(rule);
  });

  it('refuses templates that do not parse at save, naming the field', () => {
    expect(
      refusal(
        withAction({
          type: 'run-deployment',
          deployment: 'F',
          parameters: { a: { b: ['{{ x | nofilter }}'] } },
        }),
      ),
    ).toMatchObject({
      field: 'actions[0].parameters.a.b[0]',
      rule: 'template-syntax',
    });
    expect(
      refusal(withAction({ type: 'call-webhook', url: 'https://example.invalid', body: '{% if %}' })),
    ).toMatchObject({
      field: 'actions[0].body',
      rule: 'template-syntax',
    });
    expect(
      refusal({
        ...base,
        actionsOnTrigger: [{ type: 'emit-event', event: '{{ x', resource: { 'flowtrail.resource.id': 'a' } }],
      }),
    ).toMatchObject({
      field: 'actionsOnTrigger[0].event',
    });
    expect(
      refusal(
        withAction({
          type: 'call-webhook',
          url: 'https://example.invalid',
          body: '{% include "secrets.txt" %}',
        }),
      ),
    ).toMatchObject({
      field: 'actions[0].body',
      rule: 'template-syntax',
    });
  });

  describe('loop guard', () => {
    const runs = (trigger: Record<string, unknown>, deployment = 'Nightly') => ({
      ...base,
      trigger: { type: 'event', ...trigger },
      actions: [{ type: 'run-deployment', deployment }],
    });

    it('refuses a reactive trigger on every run event of the deployment it starts', () => {
      expect(refusal(runs({ expect: ['flowtrail.run.*'] }))).toMatchObject({
        field: 'trigger.expect',
        rule: 'loop',
      });
      expect(refusal(runs({ expect: ['*'] }))).toMatchObject({ rule: 'loop' });
      expect(
        refusal(
          runs({
            expect: ['flowtrail.run.completed'],
            matchRelated: { 'flowtrail.resource.id': 'flowtrail.flow.Nightly' },
          }),
        ),
      ).toMatchObject({
        rule: 'loop',
      });
      expect(
        refusal(
          runs({
            expect: ['flowtrail.task.started'],
            match: { 'flowtrail.resource.id': 'flowtrail.task.Nightly/*' },
          }),
        ),
      ).toMatchObject({
        rule: 'loop',
      });
      // Through a compound that one child fires.
      expect(
        refusal({
          ...base,
          trigger: {
            type: 'compound',
            require: 'any',
            triggers: [
              { type: 'event', expect: ['x'] },
              { type: 'event', expect: ['flowtrail.run.started'] },
            ],
          },
          actions: [{ type: 'run-deployment', deployment: 'Nightly' }],
        }),
      ).toMatchObject({ field: 'trigger.triggers[1].expect', rule: 'loop' });
    });

    it('accepts narrowing to failed or crashed runs, to another flow, or a proactive trigger', () => {
      expect(() =>
        validateAutomation(runs({ expect: ['flowtrail.run.failed', 'flowtrail.run.crashed'] })),
      ).not.toThrow();
      expect(() =>
        validateAutomation(
          runs({
            expect: ['flowtrail.run.completed'],
            matchRelated: { 'flowtrail.resource.id': 'flowtrail.flow.Upstream' },
          }),
        ),
      ).not.toThrow();
      expect(() =>
        validateAutomation(
          runs({
            expect: ['flowtrail.run.*'],
            match: { 'flowtrail.resource.id': 'flowtrail.run.Upstream/*' },
          }),
        ),
      ).not.toThrow();
      expect(() =>
        validateAutomation(runs({ posture: 'proactive', expect: ['flowtrail.run.completed'], within: '1d' })),
      ).not.toThrow();
    });
  });
});
