import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/core/duration.ts';
import { errorFromJSON } from '../../src/core/errors.ts';
import {
  buildGraph,
  FlowSpec,
  FlowtrailError,
  param,
  schedule,
  step,
  TriggerDeclarationError,
  type TriggerDecorator,
  type TriggerSpec,
  trigger,
  triggerOnFinish,
  ValidationError,
} from '../../src/index.ts';

/** start → end, so each test's flow only declares what it is about. */
abstract class Linear extends FlowSpec {
  @step({ next: 'end' })
  async start() {}

  @step()
  async end() {}
}

const DAY_MS = 86_400_000;

/** Runs `fn`, expects a TriggerDeclarationError from `decorator`, checks its common fields, returns it. */
function expectTriggerError(
  fn: () => unknown,
  decorator: TriggerDecorator,
  message: RegExp,
): TriggerDeclarationError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a TriggerDeclarationError to be thrown').toBeInstanceOf(TriggerDeclarationError);
  const error = caught as TriggerDeclarationError;
  expect(error).toBeInstanceOf(FlowtrailError);
  expect(error.code).toBe('INVALID_TRIGGER');
  expect(error.decorator).toBe(decorator);
  expect(error.details.decorator).toBe(decorator);
  expect(error.message).toMatch(message);
  return error;
}

describe('triggers: the normalized TriggerSpec on the graph', () => {
  it('is null when the flow declares no trigger and no schedule', () => {
    class PlainFlow extends Linear {}
    expect(buildGraph(PlainFlow).triggers).toBeNull();
  });

  it('maps every parameter to the payload field of the same name for one event without parameters', () => {
    @trigger({ event: 'data_updated' })
    class DefaultMapFlow extends Linear {
      @param.number({ default: 0.1 }) alpha!: number;
      @param.string() dataset!: string;
    }
    const spec: TriggerSpec | null = buildGraph(DefaultMapFlow).triggers;
    expect(spec).toEqual({
      events: [{ name: 'data_updated', parameters: { alpha: 'alpha', dataset: 'dataset' } }],
      flows: [],
      resetWindowMs: DAY_MS,
      schedule: null,
    });
  });

  it('maps only the listed parameters once parameters are given (object, list and top-level forms)', () => {
    @trigger({ event: 'data_updated', parameters: { alpha: 'alpha_field' } })
    class TopLevelFlow extends Linear {
      @param.number() alpha!: number;
      @param.number() beta!: number;
    }
    expect(buildGraph(TopLevelFlow).triggers!.events).toEqual([
      { name: 'data_updated', parameters: { alpha: 'alpha_field' } },
    ]);

    @trigger({ event: { name: 'data_updated', parameters: ['alpha', ['beta', 'beta_field']] } })
    class ListFlow extends Linear {
      @param.number() alpha!: number;
      @param.number() beta!: number;
      @param.number() gamma!: number;
    }
    expect(buildGraph(ListFlow).triggers!.events).toEqual([
      { name: 'data_updated', parameters: { alpha: 'alpha', beta: 'beta_field' } },
    ]);

    @trigger({ event: 'data_updated', parameters: {} })
    class NoneFlow extends Linear {
      @param.number() alpha!: number;
    }
    expect(buildGraph(NoneFlow).triggers!.events).toEqual([{ name: 'data_updated', parameters: {} }]);
  });

  it('does not apply the default mapping to several events', () => {
    @trigger({ events: ['raw.loaded', { name: 'labels:ready', parameters: { labelSet: 'label_set' } }] })
    class TwoEventsFlow extends Linear {
      @param.number() alpha!: number;
      @param.string() labelSet!: string;
    }
    expect(buildGraph(TwoEventsFlow).triggers).toEqual({
      events: [
        { name: 'raw.loaded', parameters: {} },
        { name: 'labels:ready', parameters: { labelSet: 'label_set' } },
      ],
      flows: [],
      resetWindowMs: DAY_MS,
      schedule: null,
    });
  });

  it('adds up several decorators in source order, with flows, a reset window and a schedule', () => {
    @trigger({ event: 'a', parameters: { alpha: 'x' } })
    @trigger({ events: ['b', 'c'], options: { resetWindow: '6h' } })
    @triggerOnFinish({ flow: 'ExtractFlow' })
    @triggerOnFinish({ flows: ['LabelFlow', 'CleanFlow'], options: { resetWindow: 21_600 } })
    @schedule({ cron: '0 3 * * *', timezone: '+0200' })
    class ManyFlow extends Linear {
      @param.number() alpha!: number;
    }
    const spec = buildGraph(ManyFlow).triggers;
    expect(spec).toEqual({
      events: [
        { name: 'a', parameters: { alpha: 'x' } },
        { name: 'b', parameters: {} },
        { name: 'c', parameters: {} },
      ],
      flows: ['ExtractFlow', 'LabelFlow', 'CleanFlow'],
      resetWindowMs: 6 * 3_600_000,
      schedule: { cron: '0 3 * * *', timezone: '+02:00' },
    });
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  it('records @triggerOnFinish and @schedule alone', () => {
    @triggerOnFinish({ flow: 'ETLFlow' })
    class AfterFlow extends Linear {
      @param.number() alpha!: number;
    }
    expect(buildGraph(AfterFlow).triggers).toEqual({
      events: [],
      flows: ['ETLFlow'],
      resetWindowMs: DAY_MS,
      schedule: null,
    });

    @schedule({ cron: '@daily' })
    class NightlyFlow extends Linear {}
    expect(buildGraph(NightlyFlow).triggers).toEqual({
      events: [],
      flows: [],
      resetWindowMs: DAY_MS,
      schedule: { cron: '@daily', timezone: 'UTC' },
    });

    @schedule({ cron: ' */15 9-17 * * mon-fri ', timezone: 'Europe/Paris' })
    class OfficeFlow extends Linear {}
    expect(buildGraph(OfficeFlow).triggers!.schedule).toEqual({
      cron: '*/15 9-17 * * mon-fri',
      timezone: 'Europe/Paris',
    });
  });

  it('applies the default mapping to one event combined with @triggerOnFinish', () => {
    @trigger({ event: 'data_updated' })
    @triggerOnFinish({ flow: 'ETLFlow' })
    class MixedFlow extends Linear {
      @param.number() alpha!: number;
    }
    expect(buildGraph(MixedFlow).triggers).toMatchObject({
      events: [{ name: 'data_updated', parameters: { alpha: 'alpha' } }],
      flows: ['ETLFlow'],
    });
  });

  it('inherits a parent flow class’s triggers; a subclass adds to them and replaces the schedule', () => {
    @trigger({ event: 'base.event', parameters: { alpha: 'a' } })
    @schedule({ cron: '0 1 * * *' })
    @triggerOnFinish({ flow: 'UpstreamFlow', options: { resetWindow: '1h' } })
    class BaseFlow extends Linear {
      @param.number() alpha!: number;
    }

    @trigger({ event: 'child.event', parameters: { beta: 'b' } })
    @schedule({ cron: '0 2 * * *' })
    @triggerOnFinish({ flow: 'OtherFlow', options: { resetWindow: '2h' } })
    class ChildFlow extends BaseFlow {
      @param.number() beta!: number;
    }
    expect(buildGraph(ChildFlow).triggers).toEqual({
      events: [
        { name: 'base.event', parameters: { alpha: 'a' } },
        { name: 'child.event', parameters: { beta: 'b' } },
      ],
      flows: ['UpstreamFlow', 'OtherFlow'],
      resetWindowMs: 2 * 3_600_000,
      schedule: { cron: '0 2 * * *', timezone: 'UTC' },
    });
    expect(buildGraph(BaseFlow).triggers).toEqual({
      events: [{ name: 'base.event', parameters: { alpha: 'a' } }],
      flows: ['UpstreamFlow'],
      resetWindowMs: 3_600_000,
      schedule: { cron: '0 1 * * *', timezone: 'UTC' },
    });
    expectTriggerError(
      () => {
        @trigger({ event: 'base.event' })
        class _DupChild extends BaseFlow {}
      },
      '@trigger',
      /duplicate event name 'base\.event'/,
    );
  });

  it('accepts the same resetWindow given twice', () => {
    @trigger({ event: 'a', options: { resetWindow: '1d' } })
    @trigger({ event: 'b', options: { resetWindow: 86_400 } })
    class SameWindowFlow extends Linear {}
    expect(buildGraph(SameWindowFlow).triggers!.resetWindowMs).toBe(DAY_MS);
  });
});

describe('@trigger: declaration errors', () => {
  it('needs exactly one of event or events', () => {
    expectTriggerError(
      () => {
        @trigger({ event: 'a', events: ['b'] } as never)
        class _BothFlow extends Linear {}
      },
      '@trigger',
      /@trigger on _BothFlow: specify only one of 'event' or 'events'/,
    );
    expectTriggerError(
      () => {
        @trigger({} as never)
        class _NeitherFlow extends Linear {}
      },
      '@trigger',
      /@trigger on _NeitherFlow: no event specified/,
    );
    expectTriggerError(
      () => {
        @trigger({ events: [] })
        class _EmptyFlow extends Linear {}
      },
      '@trigger',
      /'events' must be a non-empty list/,
    );
    expectTriggerError(
      () => {
        @trigger({ events: 'a' } as never)
        class _NotListFlow extends Linear {}
      },
      '@trigger',
      /'events' must be a non-empty list/,
    );
    expectTriggerError(
      () => {
        @trigger('data_updated' as never)
        class _StringFlow extends Linear {}
      },
      '@trigger',
      /pass an options object such as \{ event: 'data_updated' \}/,
    );
  });

  it('refuses parameters given twice or at the top level with events', () => {
    expectTriggerError(
      () => {
        @trigger({ events: ['a'], parameters: { x: 'y' } } as never)
        class _TopFlow extends Linear {}
      },
      '@trigger',
      /a top-level 'parameters' goes with a single 'event'/,
    );
    expectTriggerError(
      () => {
        @trigger({ event: { name: 'a', parameters: { x: 'y' } }, parameters: { x: 'z' } } as never)
        class _TwiceFlow extends Linear {}
      },
      '@trigger',
      /event 'a' has parameters both inside 'event' and at the top level/,
    );
  });

  it('refuses duplicate event names, within a decorator and across decorators', () => {
    const e = expectTriggerError(
      () => {
        @trigger({ events: ['a', { name: 'a' }] })
        class _DupFlow extends Linear {}
      },
      '@trigger',
      /@trigger on _DupFlow: duplicate event name 'a'/,
    );
    expect(e.details).toMatchObject({ flow: '_DupFlow', event: 'a' });
    expectTriggerError(
      () => {
        @trigger({ event: 'a' })
        @trigger({ event: 'a' })
        class _DupAcrossFlow extends Linear {}
      },
      '@trigger',
      /duplicate event name 'a'/,
    );
  });

  it('refuses malformed and reserved event names', () => {
    for (const bad of ['has space', '', 'a/b', 'ünïcode', 'x'.repeat(1025)]) {
      expectTriggerError(
        () => {
          @trigger({ event: bad })
          class _NameFlow extends Linear {}
        },
        '@trigger',
        /event name '.*' is malformed; use letters, digits and _ \. : -/,
      );
    }
    expectTriggerError(
      () => {
        @trigger({ event: 'flowtrail.run.completed' })
        class _ReservedFlow extends Linear {}
      },
      '@trigger',
      /event name 'flowtrail\.run\.completed' uses the reserved prefix 'flowtrail\.'.*@triggerOnFinish/,
    );
    expectTriggerError(
      () => {
        @trigger({ event: 42 } as never)
        class _NumberFlow extends Linear {}
      },
      '@trigger',
      /an event is a name or \{ name, parameters \}, got 42/,
    );
    expectTriggerError(
      () => {
        @trigger({ events: [{ parameters: {} }] } as never)
        class _NoNameFlow extends Linear {}
      },
      '@trigger',
      /an event object is missing its 'name'/,
    );
    expectTriggerError(
      () => {
        @trigger({ events: [{ name: 'a', params: {} }] } as never)
        class _KeyFlow extends Linear {}
      },
      '@trigger',
      /unknown key 'params' in an event/,
    );
  });

  it('refuses malformed parameter names and payload fields', () => {
    expectTriggerError(
      () => {
        @trigger({ event: 'a', parameters: { '1abc': 'x' } } as never)
        class _ParamFlow extends Linear {}
      },
      '@trigger',
      /parameter name '1abc' in the mapping of event 'a' is not a valid name/,
    );
    for (const field of ['a.b', 'a-b', '', 'with space']) {
      expectTriggerError(
        () => {
          @trigger({ event: 'a', parameters: { alpha: field } } as never)
          class _FieldFlow extends Linear {}
        },
        '@trigger',
        /payload field '.*' \(for parameter 'alpha'\) of event 'a' is malformed/,
      );
    }
    expectTriggerError(
      () => {
        @trigger({ event: 'a', parameters: [['alpha', 3]] } as never)
        class _FieldTypeFlow extends Linear {}
      },
      '@trigger',
      /payload field 3 \(for parameter 'alpha'\)/,
    );
    expectTriggerError(
      () => {
        @trigger({ event: 'a', parameters: [['alpha', 'x', 'y']] } as never)
        class _EntryFlow extends Linear {}
      },
      '@trigger',
      /the parameters of event 'a' list \["alpha","x","y"\]; each entry is 'param' or \['param', 'payload_field'\]/,
    );
    expectTriggerError(
      () => {
        @trigger({ event: 'a', parameters: 'alpha' } as never)
        class _MappingFlow extends Linear {}
      },
      '@trigger',
      /the parameters of event 'a' must be \{ param: 'payload_field' \} or a list/,
    );
  });

  it('refuses a parameter mapped twice, in one event or across events', () => {
    expectTriggerError(
      () => {
        @trigger({ event: 'a', parameters: ['alpha', ['alpha', 'other']] } as never)
        class _TwiceFlow extends Linear {}
      },
      '@trigger',
      /parameter 'alpha' is mapped twice in event 'a'/,
    );
    expectTriggerError(
      () => {
        @trigger({
          events: [
            { name: 'a', parameters: { alpha: 'x' } },
            { name: 'b', parameters: { alpha: 'y' } },
          ],
        })
        class _AcrossFlow extends Linear {
          @param.number() alpha!: number;
        }
      },
      '@trigger',
      /parameter 'alpha' is mapped by both event 'a' and event 'b'/,
    );
    expectTriggerError(
      () => {
        @trigger({ event: 'a', parameters: { alpha: 'x' } })
        @trigger({ event: 'b', parameters: { alpha: 'y' } })
        class _AcrossDecoratorsFlow extends Linear {
          @param.number() alpha!: number;
        }
      },
      '@trigger',
      /parameter 'alpha' is mapped by both event 'b' and event 'a'/,
    );
  });

  it('refuses unknown options and bad reset windows', () => {
    expectTriggerError(
      () => {
        @trigger({ event: 'a', reset_at: '1h' } as never)
        class _OptionFlow extends Linear {}
      },
      '@trigger',
      /unknown option 'reset_at'; the options are 'event', 'events', 'parameters', 'options'/,
    );
    expectTriggerError(
      () => {
        @trigger({ event: 'a', options: { reset_at: { cron: '0 0 * * *' } } } as never)
        class _InnerOptionFlow extends Linear {}
      },
      '@trigger',
      /unknown option 'reset_at' in 'options'; the only one is 'resetWindow'/,
    );
    for (const bad of ['5x', '', '1.5h', 'h', '-1h', Number.NaN, Number.POSITIVE_INFINITY, true]) {
      expectTriggerError(
        () => {
          @trigger({ event: 'a', options: { resetWindow: bad as never } })
          class _WindowFlow extends Linear {}
        },
        '@trigger',
        /@trigger on _WindowFlow: resetWindow .* is not a duration; give '30m', '6h', '1d'/,
      );
    }
    for (const bad of [0, -5, 0.5, '0s', '366d', 365 * 86_400 + 1]) {
      expectTriggerError(
        () => {
          @trigger({ event: 'a', options: { resetWindow: bad } })
          class _RangeFlow extends Linear {}
        },
        '@trigger',
        /resetWindow .* is out of range; it must be from 1 second to 365 days/,
      );
    }
    expectTriggerError(
      () => {
        @trigger({ event: 'a', options: { resetWindow: '1h' } })
        @triggerOnFinish({ flow: 'ETLFlow', options: { resetWindow: '2h' } })
        class _ConflictFlow extends Linear {}
      },
      '@trigger',
      /resetWindow 1h conflicts with 2h given by another decorator of _ConflictFlow/,
    );
  });
});

describe('@trigger: parameters checked by buildGraph', () => {
  it('refuses a mapping to an unknown parameter, naming the event, the parameter and the parameters', () => {
    @trigger({ event: 'data_updated', parameters: { alpha: 'a', gamma: 'g' } } as never)
    class UnknownParamFlow extends Linear {
      @param.number() alpha!: number;
      @param.number() beta!: number;
    }
    const e = expectTriggerError(
      () => buildGraph(UnknownParamFlow),
      '@trigger',
      /@trigger on UnknownParamFlow: event 'data_updated' maps unknown parameter 'gamma'; the parameters of UnknownParamFlow are 'alpha', 'beta'\./,
    );
    expect(e.details).toMatchObject({
      flow: 'UnknownParamFlow',
      event: 'data_updated',
      parameter: 'gamma',
      parameters: ['alpha', 'beta'],
    });
  });

  it('suggests the property name for a CLI name, and says when the flow has no parameters', () => {
    @trigger({ event: 'a', parameters: { learning_rate: 'lr' } } as never)
    class CliNameFlow extends Linear {
      @param.number() learningRate!: number;
    }
    expectTriggerError(
      () => buildGraph(CliNameFlow),
      '@trigger',
      /maps unknown parameter 'learning_rate' \(did you mean 'learningRate'\?\)/,
    );

    @trigger({ event: 'a', parameters: ['alpha'] } as never)
    class NoParamsFlow extends Linear {}
    expectTriggerError(
      () => buildGraph(NoParamsFlow),
      '@trigger',
      /maps unknown parameter 'alpha'; NoParamsFlow declares no parameters \(add one with @param\)/,
    );
  });

  it('refuses a property that is not a @param', () => {
    @trigger({ event: 'a', parameters: { score: 'x' } })
    class ArtifactFlow extends Linear {
      score!: number;
    }
    expectTriggerError(() => buildGraph(ArtifactFlow), '@trigger', /unknown parameter 'score'/);
  });
});

describe('@triggerOnFinish: declaration errors', () => {
  it('needs exactly one of flow or flows', () => {
    expectTriggerError(
      () => {
        @triggerOnFinish({ flow: 'A', flows: ['B'] } as never)
        class _BothFlow extends Linear {}
      },
      '@triggerOnFinish',
      /@triggerOnFinish on _BothFlow: specify only one of 'flow' or 'flows'/,
    );
    expectTriggerError(
      () => {
        @triggerOnFinish({} as never)
        class _NeitherFlow extends Linear {}
      },
      '@triggerOnFinish',
      /no flow specified/,
    );
    expectTriggerError(
      () => {
        @triggerOnFinish({ flows: [] })
        class _EmptyFlow extends Linear {}
      },
      '@triggerOnFinish',
      /'flows' must be a non-empty list of flow names/,
    );
  });

  it('refuses malformed, duplicate and self-referencing flow names', () => {
    for (const bad of ['my-flow', 'project.branch.Flow', '1Flow', '', 'a b']) {
      const e = expectTriggerError(
        () => {
          @triggerOnFinish({ flow: bad })
          class _NameFlow extends Linear {}
        },
        '@triggerOnFinish',
        /flow name '.*' is malformed; a flow name is a class name/,
      );
      expect(e.details.upstream).toBe(bad);
    }
    expectTriggerError(
      () => {
        @triggerOnFinish({ flows: [42] } as never)
        class _NumberFlow extends Linear {}
      },
      '@triggerOnFinish',
      /flow name 42 is malformed/,
    );
    expectTriggerError(
      () => {
        @triggerOnFinish({ flows: ['A', 'B', 'A'] })
        class _DupFlow extends Linear {}
      },
      '@triggerOnFinish',
      /duplicate flow name 'A'/,
    );
    expectTriggerError(
      () => {
        @triggerOnFinish({ flow: 'A' })
        @triggerOnFinish({ flow: 'A' })
        class _DupAcrossFlow extends Linear {}
      },
      '@triggerOnFinish',
      /duplicate flow name 'A'/,
    );
    expectTriggerError(
      () => {
        @triggerOnFinish({ flow: 'LoopFlow' })
        class LoopFlow extends Linear {}
        return LoopFlow;
      },
      '@triggerOnFinish',
      /LoopFlow cannot trigger on its own finish/,
    );
  });
});

describe('@schedule: declaration errors', () => {
  it('refuses a bad cron expression, naming the cron field', () => {
    const cases: [string, RegExp][] = [
      ['61 * * * *', /minute value 61 .*out of range 0–59/],
      ['0 25 * * *', /hour value 25 .*out of range 0–23/],
      ['0 0 32 * *', /day-of-month value 32/],
      ['0 0 * 13 *', /month value 13/],
      ['0 0 * * 8', /day-of-week value 8/],
      ['0 0 * * funday', /day-of-week value 'funday'/],
      ['*/0 * * * *', /minute step 0/],
      ['0 3 * *', /has 4 fields; expected 5/],
      ['@reboot', /unknown macro/],
      ['0 0 30 feb *', /never fires/],
    ];
    for (const [cron, message] of cases) {
      const e = expectTriggerError(
        () => {
          @schedule({ cron })
          class _CronFlow extends Linear {}
        },
        '@schedule',
        new RegExp(`^@schedule on _CronFlow: Cron expression '.*'.*${message.source}`),
      );
      expect(e.cause).toBeInstanceOf(ValidationError);
    }
    expectTriggerError(
      () => {
        @schedule({ cron: 3 } as never)
        class _TypeFlow extends Linear {}
      },
      '@schedule',
      /'cron' must be a cron expression such as '0 3 \* \* \*'/,
    );
  });

  it('refuses a bad timezone, unknown options and two schedules', () => {
    for (const timezone of ['+25:00', 'Mars/Olympus_Mons', '']) {
      expectTriggerError(
        () => {
          @schedule({ cron: '0 3 * * *', timezone })
          class _TzFlow extends Linear {}
        },
        '@schedule',
        /@schedule on _TzFlow: (Timezone offset|Unknown timezone|A timezone must be)/,
      );
    }
    expectTriggerError(
      () => {
        @schedule({ cron: '0 3 * * *', tz: 'UTC' } as never)
        class _OptionFlow extends Linear {}
      },
      '@schedule',
      /unknown option 'tz'; the options are 'cron', 'timezone'/,
    );
    expectTriggerError(
      () => {
        @schedule({ cron: '0 3 * * *' })
        @schedule({ cron: '0 4 * * *' })
        class _TwoFlow extends Linear {}
      },
      '@schedule',
      /a flow has one schedule, and _TwoFlow already declares @schedule\(\{ cron: '0 4 \* \* \*' \}\)/,
    );
  });
});

describe('TriggerDeclarationError', () => {
  it('round-trips through JSON as the same class with its decorator', () => {
    const e = new TriggerDeclarationError('@schedule', 'bad', { flow: 'F' });
    expect(e.toJSON()).toEqual({
      code: 'INVALID_TRIGGER',
      message: 'bad',
      details: { flow: 'F', decorator: '@schedule' },
    });
    const back = errorFromJSON(JSON.parse(JSON.stringify(e)));
    expect(back).toBeInstanceOf(TriggerDeclarationError);
    expect((back as TriggerDeclarationError).decorator).toBe('@schedule');
  });
});

describe('durations', () => {
  it('parses duration strings and seconds', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('6h')).toBe(21_600_000);
    expect(parseDuration('1d')).toBe(DAY_MS);
    expect(parseDuration('2w')).toBe(14 * DAY_MS);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration(' 45s ')).toBe(45_000);
    expect(parseDuration(90)).toBe(90_000);
    expect(parseDuration(1.5)).toBe(1_500);
    expect(parseDuration('365d')).toBe(365 * DAY_MS);
    expect(() => parseDuration('1y', 'resetWindow')).toThrow(ValidationError);
  });

  it('formats durations in the largest units', () => {
    expect(formatDuration(DAY_MS)).toBe('1d');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(8 * DAY_MS)).toBe('1w1d');
  });
});
