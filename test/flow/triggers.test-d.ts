import { describe, expectTypeOf, it } from 'vitest';
import {
  buildGraph,
  FlowSpec,
  param,
  type ScheduleSpec,
  schedule,
  step,
  type TriggerSpec,
  trigger,
  triggerOnFinish,
} from '../../src/index.ts';

abstract class Linear extends FlowSpec {
  @step({ next: 'end' })
  async start() {}

  @step()
  async end() {}
}

describe('trigger decorators: types', () => {
  it('checks mapped parameter names against the class', () => {
    @trigger({ event: 'e', parameters: { alpha: 'alpha_field' } })
    @trigger({ events: ['a', { name: 'b', parameters: ['alpha', ['beta', 'beta_field']] }] })
    @triggerOnFinish({ flow: 'ETLFlow' })
    @schedule({ cron: '0 3 * * *', timezone: 'UTC' })
    class GoodFlow extends Linear {
      @param.number() alpha!: number;
      @param.number() beta!: number;
    }

    // @ts-expect-error 'nope' is not a property of the flow
    @trigger({ event: 'e', parameters: { nope: 'x' } })
    class UnknownObjectFlow extends Linear {
      @param.number() alpha!: number;
    }

    // @ts-expect-error 'nope' is not a property of the flow (list form)
    @trigger({ events: [{ name: 'b', parameters: ['alpha', ['nope', 'f']] }] })
    class UnknownListFlow extends Linear {
      @param.number() alpha!: number;
    }

    expectTypeOf(buildGraph(GoodFlow).triggers).toEqualTypeOf<TriggerSpec | null>();
    expectTypeOf<TriggerSpec['schedule']>().toEqualTypeOf<ScheduleSpec | null>();
    expectTypeOf<TriggerSpec['events'][number]>().toEqualTypeOf<{
      name: string;
      parameters: Record<string, string>;
    }>();
    void [UnknownObjectFlow, UnknownListFlow];
  });

  it('refuses both forms at once and classes that are not flows', () => {
    // @ts-expect-error event and events together
    @trigger({ event: 'a', events: ['b'] })
    class BothEventsFlow extends Linear {}

    // @ts-expect-error flow and flows together
    @triggerOnFinish({ flow: 'A', flows: ['B'] })
    class BothFlowsFlow extends Linear {}

    // @ts-expect-error parameters at the top level go with a single event
    @trigger({ events: ['a'], parameters: { alpha: 'x' } })
    class TopLevelFlow extends Linear {
      @param.number() alpha!: number;
    }

    // @ts-expect-error not a FlowSpec
    @trigger({ event: 'a' })
    class NotAFlow {}

    // @ts-expect-error not a FlowSpec
    @schedule({ cron: '@daily' })
    class NotAFlowEither {}

    // @ts-expect-error cron is required
    @schedule({ timezone: 'UTC' })
    class NoCronFlow extends Linear {}

    void [BothEventsFlow, BothFlowsFlow, TopLevelFlow, NotAFlow, NotAFlowEither, NoCronFlow];
  });
});
