import { describe, expect, it } from 'vitest';
import { describeFlow } from '../../src/cli/show-flow.ts';
import { buildGraph, FlowSpec, param, schedule, step, trigger, triggerOnFinish } from '../../src/index.ts';

abstract class Linear extends FlowSpec {
  @step({ next: 'end' })
  async start() {}

  @step()
  async end() {}
}

const now = new Date('2024-05-01T12:00:00Z');

describe('flowtrail show FILE: the triggers section', () => {
  it('says (none) and prints triggers: null in JSON when the flow has none', () => {
    class PlainFlow extends Linear {}
    const graph = buildGraph(PlainFlow);
    expect(describeFlow(graph, false, now)).toMatch(/\nTriggers:\n {2}\(none\)\n$/);
    expect(JSON.parse(describeFlow(graph, true, now)).triggers).toBeNull();
  });

  it('prints one event with its mapping, and a schedule with its next time', () => {
    @trigger({ event: 'data_updated', parameters: { alpha: 'alpha_field' } })
    @schedule({ cron: '0 3 * * *', timezone: '+02:00' })
    class OneFlow extends Linear {
      @param.number() alpha!: number;
    }
    const text = describeFlow(buildGraph(OneFlow), false, now);
    expect(text).toContain(
      [
        'Triggers:',
        '  event data_updated  {alpha ← alpha_field}',
        '  schedule 0 3 * * * (+02:00), next at 2024-05-02T01:00:00.000Z',
        '',
      ].join('\n'),
    );
  });

  it('prints several dependencies as one AND with the reset window, and the TriggerSpec as JSON', () => {
    @trigger({ events: ['raw.loaded', { name: 'labels.ready', parameters: ['labelSet'] }] })
    @triggerOnFinish({ flow: 'ETLFlow', options: { resetWindow: '6h' } })
    class ManyFlow extends Linear {
      @param.string() labelSet!: string;
    }
    const graph = buildGraph(ManyFlow);
    expect(describeFlow(graph, false, now)).toContain(
      [
        'Triggers:',
        '  when all of these have arrived within 6h:',
        '    event raw.loaded  (no parameters)',
        '    event labels.ready  {labelSet ← labelSet}',
        '    a successful run of ETLFlow',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(describeFlow(graph, true, now))).toMatchObject({
      flow: 'ManyFlow',
      triggers: {
        events: [
          { name: 'raw.loaded', parameters: {} },
          { name: 'labels.ready', parameters: { labelSet: 'labelSet' } },
        ],
        flows: ['ETLFlow'],
        resetWindowMs: 6 * 3_600_000,
        schedule: null,
      },
    });
  });
});
