import { describe, expect, it } from 'vitest';
import { firingContext, type TemplateContext, TemplateEngine } from '../../src/automations/templates.ts';
import { emptyState } from '../../src/automations/trigger-state.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { automationWith, ev, feed, sec } from './helpers.ts';

const context: TemplateContext = {
  automation: { id: 'a1', name: 'retry', description: '', tags: [] },
  event: {
    id: 'e1',
    event: 'dataset.refreshed',
    payload: { n: 5, ok: true, rows: { a: [1, 2] }, name: 'sales' },
    resource: { 'flowtrail.resource.id': 'dataset.sales' },
  },
  labels: { 'flowtrail.resource.id': 'dataset.sales' },
  firing: { id: 'f1', triggered: '2026-01-01T00:00:00.000Z', trigger: 'trigger', labels: {} },
};

function failure(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('templates', () => {
  const engine = new TemplateEngine();

  it('a whole-value template keeps the type; mixed text renders a string', () => {
    expect(
      engine.renderValue(
        {
          n: '{{ event.payload.n }}',
          ok: ' {{ event.payload.ok }} ',
          rows: '{{ event.payload.rows }}',
          tag: 'id-{{ event.payload.n }}',
          missing: '{{ event.payload.nothing }}',
          fixed: 3,
          list: ['{{ labels["flowtrail.resource.id"] }}', '{{ event.payload.n | plus: 1 }}'],
        },
        context,
        'parameters',
      ),
    ).toEqual({
      n: 5,
      ok: true,
      rows: { a: [1, 2] },
      tag: 'id-5',
      missing: null,
      fixed: 3,
      list: ['dataset.sales', 6],
    });
    expect(engine.renderText('{{ automation.name }} saw {{ event.payload.name }}', context, 'body')).toBe(
      'retry saw sales',
    );
  });

  it('sees only own properties of the data it is given', () => {
    expect(
      engine.renderText(
        '[{{ event.constructor }}][{{ event.payload.__proto__ }}][{{ labels.toString }}]',
        context,
        'b',
      ),
    ).toBe('[][][]');
  });

  it('cannot reach the file system: include, render and layout are refused', () => {
    for (const text of [
      '{% include "/etc/passwd" %}',
      '{% render "/etc/hostname" %}',
      '{% layout "x" %}{% block a %}{% endblock %}',
    ])
      expect(failure(() => engine.check(text, 'body')).details.rule).toBe('template-syntax');
  });

  it('a render that runs too long is stopped with an error', () => {
    const quick = new TemplateEngine({ renderMs: 20 });
    const e = failure(() =>
      quick.renderText(
        '{% for i in (1..3000) %}{% for j in (1..3000) %}{{ j }}{% endfor %}{% endfor %}',
        context,
        'actions[0].body',
      ),
    );
    expect(e.details.rule).toBe('render-time-limit');
    expect(e.field).toBe('actions[0].body');
  });

  it('output and allocation are bounded', () => {
    const small = new TemplateEngine({ outputBytes: 1000 });
    expect(small.renderText('{% for i in (1..50) %}0123456789{% endfor %}', context, 'b')).toHaveLength(500);
    expect(
      failure(() => small.renderText('{% for i in (1..200) %}0123456789{% endfor %}', context, 'b')).details
        .rule,
    ).toBe('output-limit');
    expect(
      failure(() => small.renderValue({ v: '{{ event.payload.rows }}', w: 'x'.repeat(1000) }, context, 'p'))
        .details.rule,
    ).toBe('output-limit');
    expect(
      failure(() => engine.renderText('{% for i in (1..100000000) %}{% endfor %}', context, 'b')).details
        .rule,
    ).toBe('memory-limit');
    expect(
      failure(() => new TemplateEngine({ parseChars: 10 }).check('{{ a }}{{ b }}{{ c }}', 'b')).details.rule,
    ).toBe('template-length');
  });
});

describe('firingContext', () => {
  it('gives templates the automation, the triggering event, the labels and the firing', () => {
    const a = automationWith({
      type: 'event',
      expect: ['dataset.refreshed'],
      forEach: ['flowtrail.resource.id'],
    });
    const e = ev('dataset.refreshed', sec(0), {
      resource: { 'flowtrail.resource.id': 'dataset.sales' },
      payload: { rows: 12 },
    });
    const [firing] = feed(emptyState(), a, [e]);
    const text = new TemplateEngine().renderText(
      '{{ automation.name }}|{{ event.event }}|{{ event.payload.rows }}|{{ labels["flowtrail.resource.id"] }}|{{ firing.id }}|{{ event.occurred }}',
      firingContext(a, firing!),
      'b',
    );
    expect(text).toBe(`test|dataset.refreshed|12|dataset.sales|${firing!.id}|${e.occurred.toISOString()}`);
  });
});
