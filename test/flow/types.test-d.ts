import { describe, expectTypeOf, it } from 'vitest';
import {
  type ArtifactsOf,
  FlowSpec,
  type InputOf,
  type Inputs,
  param,
  type StepOptions,
  step,
} from '../../src/index.ts';

class ScoreFlow extends FlowSpec {
  @param.number({ default: 1 }) weight!: number;
  @param.string({ required: true }) dataset!: string;
  @param.json<{ layers: number[] }>({ default: { layers: [8] } }) config!: { layers: number[] };
  items!: string[];
  score!: number;
  label: string | undefined;
  readonly tags: Set<string> = new Set();

  @step({ next: 'work', foreach: 'items' })
  async start() {
    this.items = ['a', 'b'];
  }

  @step({ next: 'join' })
  async work() {
    this.score = this.weight;
  }

  @step({ next: 'end' })
  async join(inputs: Inputs<ScoreFlow>) {
    expectTypeOf(inputs[0]).toEqualTypeOf<InputOf<ScoreFlow> | undefined>();
    expectTypeOf(inputs.get('work')).toEqualTypeOf<InputOf<ScoreFlow>>();
    this.score = inputs.reduce((sum, input) => sum + input.score, 0);
  }

  @step()
  async end() {}

  helper(): number {
    return 1;
  }
}

describe('@step options are checked against the class', () => {
  it('accepts transitions and foreach names that exist', () => {
    class GoodFlow extends FlowSpec {
      values!: number[];
      maybe: Iterable<number> | undefined;

      @step({ next: ['a', 'b'] })
      async start() {}

      @step({ next: 'join' })
      async a() {}

      @step({ next: 'join', foreach: 'values' })
      async b() {}

      @step({ next: 'end', foreach: 'maybe' })
      async join(_inputs: Inputs<GoodFlow>) {}

      @step()
      async end() {}
    }
    expectTypeOf<GoodFlow>().toHaveProperty('values');
  });

  it('rejects a transition to a method the class does not have', () => {
    class BadNextFlow extends FlowSpec {
      // @ts-expect-error 'nope' is not a method of BadNextFlow
      @step({ next: 'nope' })
      async start() {}

      @step()
      async end() {}
    }
    expectTypeOf<BadNextFlow>().not.toHaveProperty('nope');
  });

  it('rejects one unknown name among several transitions', () => {
    class BadBranchFlow extends FlowSpec {
      // @ts-expect-error 'missing' is not a method of BadBranchFlow
      @step({ next: ['a', 'missing'] })
      async start() {}

      @step({ next: 'end' })
      async a() {}

      @step()
      async end() {}
    }
    expectTypeOf<BadBranchFlow>().toHaveProperty('a');
  });

  it('rejects a transition to a data field', () => {
    class FieldTargetFlow extends FlowSpec {
      count!: number;

      // @ts-expect-error 'count' is a field, not a step method
      @step({ next: 'count' })
      async start() {}

      @step()
      async end() {}
    }
    expectTypeOf<FieldTargetFlow['count']>().toEqualTypeOf<number>();
  });

  it('rejects a foreach over a field the class does not have', () => {
    class BadForeachFlow extends FlowSpec {
      items!: number[];

      // @ts-expect-error there is no field 'missing' to iterate
      @step({ next: 'b', foreach: 'missing' })
      async start() {}

      @step({ next: 'end' })
      async b() {}

      @step()
      async end() {}
    }
    expectTypeOf<BadForeachFlow>().not.toHaveProperty('missing');
  });

  it('rejects a foreach over a field that is not iterable', () => {
    class NotIterableFlow extends FlowSpec {
      count!: number;

      // @ts-expect-error a number cannot be iterated
      @step({ next: 'b', foreach: 'count' })
      async start() {}

      @step({ next: 'end' })
      async b() {}

      @step()
      async end() {}
    }
    expectTypeOf<NotIterableFlow['count']>().toEqualTypeOf<number>();
  });

  it('types the options object', () => {
    expectTypeOf<StepOptions<'a', 'items'>['next']>().toEqualTypeOf<'a' | readonly 'a'[] | undefined>();
    expectTypeOf<StepOptions<'a', 'items'>['foreach']>().toEqualTypeOf<'items' | undefined>();
    // @ts-expect-error isolated is a boolean
    step({ isolated: 'yes' });
  });
});

describe('@param decorators are checked against the field type', () => {
  it('accepts matching field types', () => {
    class GoodParams extends FlowSpec {
      @param.number() n!: number;
      @param.string() s!: string;
      @param.boolean() b!: boolean;
      @param.json<{ a: number }>() j!: { a: number };

      @step({ next: 'end' })
      async start() {}

      @step()
      async end() {}
    }
    expectTypeOf<GoodParams['n']>().toEqualTypeOf<number>();
  });

  it('rejects a number parameter on a string field', () => {
    class BadNumber extends FlowSpec {
      // @ts-expect-error @param.number() on a string field
      @param.number() alpha!: string;

      @step({ next: 'end' })
      async start() {}

      @step()
      async end() {}
    }
    expectTypeOf<BadNumber['alpha']>().toEqualTypeOf<string>();
  });

  it('rejects a string parameter on a number field and a boolean parameter on a string field', () => {
    class BadParams extends FlowSpec {
      // @ts-expect-error @param.string() on a number field
      @param.string() count!: number;
      // @ts-expect-error @param.boolean() on a string field
      @param.boolean() flag!: string;

      @step({ next: 'end' })
      async start() {}

      @step()
      async end() {}
    }
    expectTypeOf<BadParams['count']>().toEqualTypeOf<number>();
  });

  it('rejects a default of the wrong type', () => {
    // @ts-expect-error the default of a number parameter must be a number
    param.number({ default: 'fast' });
    // @ts-expect-error the default of a json parameter must match its type argument
    param.json<{ layers: number[] }>({ default: { layers: 'many' } });
  });
});

describe('Inputs and artifacts', () => {
  it("exposes the flow's data fields with their types on each input", () => {
    expectTypeOf<InputOf<ScoreFlow>['score']>().toEqualTypeOf<number>();
    expectTypeOf<InputOf<ScoreFlow>['items']>().toEqualTypeOf<string[]>();
    expectTypeOf<InputOf<ScoreFlow>['label']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<InputOf<ScoreFlow>['weight']>().toEqualTypeOf<number>();
    expectTypeOf<InputOf<ScoreFlow>['config']>().toEqualTypeOf<{ layers: number[] }>();
    expectTypeOf<InputOf<ScoreFlow>['tags']>().toEqualTypeOf<Set<string>>();
    expectTypeOf<InputOf<ScoreFlow>['index']>().toEqualTypeOf<number | undefined>();
  });

  it('exposes inputs as a read-only array with get()', () => {
    expectTypeOf<Inputs<ScoreFlow>[number]>().toEqualTypeOf<InputOf<ScoreFlow>>();
    expectTypeOf<Inputs<ScoreFlow>['get']>().toEqualTypeOf<(step: string) => InputOf<ScoreFlow>>();
    expectTypeOf<Inputs<ScoreFlow>>().toExtend<ReadonlyArray<InputOf<ScoreFlow>>>();
    expectTypeOf<Inputs<ScoreFlow>>().not.toHaveProperty('push');
  });

  it('does not expose methods on inputs', () => {
    expectTypeOf<InputOf<ScoreFlow>>().not.toHaveProperty('start');
    expectTypeOf<InputOf<ScoreFlow>>().not.toHaveProperty('work');
    expectTypeOf<InputOf<ScoreFlow>>().not.toHaveProperty('join');
    expectTypeOf<InputOf<ScoreFlow>>().not.toHaveProperty('end');
    expectTypeOf<InputOf<ScoreFlow>>().not.toHaveProperty('helper');
    expectTypeOf<InputOf<ScoreFlow>>().not.toHaveProperty('mergeArtifacts');
    expectTypeOf<InputOf<ScoreFlow>>().not.toHaveProperty('foreachStack');
  });

  it('makes inputs read-only', () => {
    const input = {} as InputOf<ScoreFlow>;
    // @ts-expect-error inputs are read-only
    input.score = 2;
    expectTypeOf(input.score).toEqualTypeOf<number>();
  });

  it('ArtifactsOf keeps only the data members of the flow', () => {
    type A = ArtifactsOf<ScoreFlow>;
    expectTypeOf<keyof A>().toEqualTypeOf<
      'weight' | 'dataset' | 'config' | 'items' | 'score' | 'label' | 'tags'
    >();
    expectTypeOf<A['score']>().toEqualTypeOf<number>();
    expectTypeOf<A>().not.toHaveProperty('start');
    expectTypeOf<A>().not.toHaveProperty('helper');
    expectTypeOf<A>().not.toHaveProperty('input');
    expectTypeOf<A>().not.toHaveProperty('index');
    expectTypeOf<A>().not.toHaveProperty('mergeArtifacts');
    expectTypeOf<A>().not.toHaveProperty('foreachStack');
  });

  it('ArtifactsOf of a flow without data members is empty', () => {
    class Bare extends FlowSpec {
      @step({ next: 'end' })
      async start() {}

      @step()
      async end() {}
    }
    expectTypeOf<keyof ArtifactsOf<Bare>>().toEqualTypeOf<never>();
  });
});
