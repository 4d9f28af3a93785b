import { describe, expect, it } from 'vitest';
import { buildGraph, type FlowGraph, type GraphNode } from '../../src/flow/graph.ts';
import {
  catchError,
  FlowSpec,
  type Inputs,
  InvalidGraphError,
  param,
  resources,
  retry,
  step,
  timeout,
} from '../../src/index.ts';

function node(graph: FlowGraph, name: string): GraphNode {
  const n = graph.nodes.get(name);
  if (!n) throw new Error(`graph has no node '${name}'`);
  return n;
}

/** Runs `fn`, expects an InvalidGraphError, checks its common fields and returns it. */
function expectInvalid(fn: () => unknown, stepName: string | undefined, message: RegExp): InvalidGraphError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an InvalidGraphError to be thrown').toBeInstanceOf(InvalidGraphError);
  const error = caught as InvalidGraphError;
  expect(error.code).toBe('INVALID_GRAPH');
  expect(error.step).toBe(stepName);
  expect(error.details.step).toBe(stepName);
  expect(error.message).toMatch(message);
  return error;
}

/** The order must list every node once, `start` first, and each step after all of its parents. */
function expectTopological(graph: FlowGraph): void {
  expect(graph.order[0]).toBe('start');
  expect(new Set(graph.order).size).toBe(graph.order.length);
  expect([...graph.order].sort()).toEqual([...graph.nodes.keys()].sort());
  for (const n of graph.nodes.values()) {
    for (const p of n.parents) expect(graph.order.indexOf(p)).toBeLessThan(graph.order.indexOf(n.name));
  }
}

describe('buildGraph: valid shapes', () => {
  it('builds a linear flow', () => {
    class LinearFlow extends FlowSpec {
      @step({ next: 'middle' })
      async start() {}

      @step({ next: 'end' })
      async middle() {}

      @step()
      async end() {}
    }
    const graph = buildGraph(LinearFlow);
    expect(graph.flowName).toBe('LinearFlow');
    expect(graph.order).toEqual(['start', 'middle', 'end']);
    expect(node(graph, 'start')).toMatchObject({
      kind: 'start',
      next: ['middle'],
      parents: [],
      join: false,
      splitStack: [],
    });
    expect(node(graph, 'middle')).toMatchObject({
      kind: 'linear',
      next: ['end'],
      parents: ['start'],
      splitStack: [],
    });
    expect(node(graph, 'end')).toMatchObject({ kind: 'end', next: [], parents: ['middle'], splitStack: [] });
    for (const n of graph.nodes.values()) {
      expect(n.matchingJoin).toBeUndefined();
      expect(n.closes).toBeUndefined();
      expect(n.inputOrder).toBeUndefined();
    }
    expect(graph.params.size).toBe(0);
  });

  it('keeps step options (retry, catch, timeout, isolated, resources) on the nodes', () => {
    class OptionsFlow extends FlowSpec {
      @step({ next: 'work' })
      async start() {}

      @retry({ times: 3, delaySeconds: 2 })
      @catchError({ artifact: 'failure' })
      @timeout({ minutes: 1, seconds: 30 })
      @resources({ cpu: 2, memoryMb: 4096 })
      @step({ next: 'end', isolated: true })
      async work() {}

      @step()
      async end() {}
    }
    const work = node(buildGraph(OptionsFlow), 'work');
    expect(work.options).toMatchObject({
      name: 'work',
      declared: true,
      retry: { times: 3, delaySeconds: 2 },
      catch: { artifact: 'failure', printException: true },
      timeoutSeconds: 90,
      isolated: true,
      resources: { cpu: 2, memoryMb: 4096 },
    });
    expect(node(buildGraph(OptionsFlow), 'start').options).toMatchObject({ isolated: false, declared: true });
  });

  it('refuses @resources that are unknown, negative or fractional where they must be whole', () => {
    const declare = (request: Record<string, number>) => () => {
      class Bad extends FlowSpec {
        @resources(request)
        @step({ next: 'end' })
        async start() {}

        @step()
        async end() {}
      }
      return Bad;
    };
    expect(declare({ gpus: 1 })).toThrow(/unknown resource 'gpus'; use cpu, memoryMb or gpu/);
    expect(declare({ cpu: -1 })).toThrow(/cpu must be a number ≥ 0, got -1/);
    expect(declare({ gpu: 0.5 })).toThrow(/gpu must be a whole number ≥ 0, got 0.5/);
    expect(declare({ cpu: 0.5, gpu: 0 })).not.toThrow();
  });

  it('builds a static branch and its join', () => {
    class BranchFlow extends FlowSpec {
      total!: number;

      @step({ next: ['left', 'right'] })
      async start() {}

      @step({ next: 'join' })
      async left() {}

      @step({ next: 'join' })
      async right() {}

      @step({ next: 'end' })
      async join(inputs: Inputs<BranchFlow>) {
        this.total = inputs.length;
      }

      @step()
      async end() {}
    }
    const graph = buildGraph(BranchFlow);
    expectTopological(graph);
    expect(node(graph, 'start')).toMatchObject({
      kind: 'split',
      next: ['left', 'right'],
      matchingJoin: 'join',
      splitStack: [],
    });
    expect(node(graph, 'left')).toMatchObject({ kind: 'linear', parents: ['start'], splitStack: ['start'] });
    expect(node(graph, 'right')).toMatchObject({ kind: 'linear', parents: ['start'], splitStack: ['start'] });
    const join = node(graph, 'join');
    expect(join).toMatchObject({
      kind: 'join',
      join: true,
      closes: 'start',
      inputOrder: ['left', 'right'],
      splitStack: [],
    });
    expect([...join.parents].sort()).toEqual(['left', 'right']);
    expect(node(graph, 'end')).toMatchObject({ kind: 'end', splitStack: [] });
  });

  it("orders a join's inputs by the split's branches, not by declaration order", () => {
    // The branches are declared c, a, b (so the join's parents are collected in that order),
    // but the split lists them as a, b, c.
    class OrderFlow extends FlowSpec {
      @step({ next: ['a', 'b', 'c'] })
      async start() {}

      @step({ next: 'join' })
      async c() {}

      @step({ next: 'join' })
      async a() {}

      @step({ next: 'join' })
      async b() {}

      @step({ next: 'end' })
      async join(_inputs: Inputs<OrderFlow>) {}

      @step()
      async end() {}
    }
    const graph = buildGraph(OrderFlow);
    const join = node(graph, 'join');
    expect(join.parents).toEqual(['c', 'a', 'b']);
    expect(join.inputOrder).toEqual(['a', 'b', 'c']);
    expect(join.closes).toBe('start');
    expect(node(graph, 'start').matchingJoin).toBe('join');
  });

  it('follows the split order for branches of different lengths', () => {
    class UnevenFlow extends FlowSpec {
      @step({ next: ['long', 'short'] })
      async start() {}

      @step({ next: 'longer' })
      async long() {}

      @step({ next: 'join' })
      async longer() {}

      @step({ next: 'join' })
      async short() {}

      @step({ next: 'end' })
      async join(_inputs: Inputs<UnevenFlow>) {}

      @step()
      async end() {}
    }
    const graph = buildGraph(UnevenFlow);
    expectTopological(graph);
    expect(node(graph, 'join').inputOrder).toEqual(['longer', 'short']);
    expect(node(graph, 'longer').splitStack).toEqual(['start']);
  });

  it('lets end be the join of a split', () => {
    class EndJoinFlow extends FlowSpec {
      @step({ next: ['a', 'b'] })
      async start() {}

      @step({ next: 'end' })
      async a() {}

      @step({ next: 'end' })
      async b() {}

      @step()
      async end(_inputs: Inputs<EndJoinFlow>) {}
    }
    const graph = buildGraph(EndJoinFlow);
    expect(node(graph, 'end')).toMatchObject({ kind: 'join', closes: 'start', inputOrder: ['a', 'b'] });
    expect(node(graph, 'start').matchingJoin).toBe('end');
  });

  it('builds a foreach and its join', () => {
    class ForeachFlow extends FlowSpec {
      items!: string[];

      @step({ next: 'work', foreach: 'items' })
      async start() {
        this.items = ['x', 'y'];
      }

      @step({ next: 'join' })
      async work() {}

      @step({ next: 'end' })
      async join(_inputs: Inputs<ForeachFlow>) {}

      @step()
      async end() {}
    }
    const graph = buildGraph(ForeachFlow);
    expect(graph.order).toEqual(['start', 'work', 'join', 'end']);
    expect(node(graph, 'start')).toMatchObject({
      kind: 'foreach',
      foreach: 'items',
      next: ['work'],
      matchingJoin: 'join',
    });
    expect(node(graph, 'work')).toMatchObject({ kind: 'linear', splitStack: ['start'] });
    expect(node(graph, 'join')).toMatchObject({
      kind: 'join',
      closes: 'start',
      parents: ['work'],
      splitStack: [],
    });
    expect(node(graph, 'end').splitStack).toEqual([]);
  });

  it('builds a foreach that starts after start', () => {
    class LaterForeachFlow extends FlowSpec {
      items!: number[];

      @step({ next: 'fan' })
      async start() {}

      @step({ next: 'work', foreach: 'items' })
      async fan() {}

      @step({ next: 'more' })
      async work() {}

      @step({ next: 'join' })
      async more() {}

      @step({ next: 'end' })
      async join(_inputs: Inputs<LaterForeachFlow>) {}

      @step()
      async end() {}
    }
    const graph = buildGraph(LaterForeachFlow);
    expectTopological(graph);
    expect(node(graph, 'start').kind).toBe('start');
    expect(node(graph, 'fan')).toMatchObject({ kind: 'foreach', matchingJoin: 'join', splitStack: [] });
    expect(node(graph, 'work').splitStack).toEqual(['fan']);
    expect(node(graph, 'more').splitStack).toEqual(['fan']);
    expect(node(graph, 'join')).toMatchObject({ closes: 'fan', splitStack: [] });
  });

  it('builds nested foreaches (two levels) with their split stacks', () => {
    class NestedFlow extends FlowSpec {
      xs!: number[];
      ys!: number[];

      @step({ next: 'outer', foreach: 'xs' })
      async start() {}

      @step({ next: 'inner', foreach: 'ys' })
      async outer() {}

      @step({ next: 'innerJoin' })
      async inner() {}

      @step({ next: 'outerJoin' })
      async innerJoin(_inputs: Inputs<NestedFlow>) {}

      @step({ next: 'end' })
      async outerJoin(_inputs: Inputs<NestedFlow>) {}

      @step()
      async end() {}
    }
    const graph = buildGraph(NestedFlow);
    expect(graph.order).toEqual(['start', 'outer', 'inner', 'innerJoin', 'outerJoin', 'end']);
    expect(node(graph, 'start')).toMatchObject({
      kind: 'foreach',
      foreach: 'xs',
      matchingJoin: 'outerJoin',
      splitStack: [],
    });
    expect(node(graph, 'outer')).toMatchObject({
      kind: 'foreach',
      foreach: 'ys',
      matchingJoin: 'innerJoin',
      splitStack: ['start'],
    });
    expect(node(graph, 'inner')).toMatchObject({ kind: 'linear', splitStack: ['start', 'outer'] });
    expect(node(graph, 'innerJoin')).toMatchObject({ kind: 'join', closes: 'outer', splitStack: ['start'] });
    expect(node(graph, 'outerJoin')).toMatchObject({ kind: 'join', closes: 'start', splitStack: [] });
    expect(node(graph, 'end')).toMatchObject({ kind: 'end', splitStack: [] });
  });

  it('builds a static branch inside a foreach', () => {
    class BranchInForeachFlow extends FlowSpec {
      items!: string[];

      @step({ next: 'body', foreach: 'items' })
      async start() {}

      @step({ next: ['a', 'b'] })
      async body() {}

      @step({ next: 'branchJoin' })
      async a() {}

      @step({ next: 'branchJoin' })
      async b() {}

      @step({ next: 'after' })
      async branchJoin(_inputs: Inputs<BranchInForeachFlow>) {}

      @step({ next: 'foreachJoin' })
      async after() {}

      @step({ next: 'end' })
      async foreachJoin(_inputs: Inputs<BranchInForeachFlow>) {}

      @step()
      async end() {}
    }
    const graph = buildGraph(BranchInForeachFlow);
    expectTopological(graph);
    expect(node(graph, 'start')).toMatchObject({ kind: 'foreach', matchingJoin: 'foreachJoin' });
    expect(node(graph, 'body')).toMatchObject({
      kind: 'split',
      matchingJoin: 'branchJoin',
      splitStack: ['start'],
    });
    expect(node(graph, 'a').splitStack).toEqual(['start', 'body']);
    expect(node(graph, 'b').splitStack).toEqual(['start', 'body']);
    expect(node(graph, 'branchJoin')).toMatchObject({
      kind: 'join',
      closes: 'body',
      inputOrder: ['a', 'b'],
      splitStack: ['start'],
    });
    expect(node(graph, 'after')).toMatchObject({ kind: 'linear', splitStack: ['start'] });
    expect(node(graph, 'foreachJoin')).toMatchObject({ kind: 'join', closes: 'start', splitStack: [] });
    expect(node(graph, 'foreachJoin').inputOrder).toEqual(['after']);
  });

  it('builds a foreach inside a static branch', () => {
    class ForeachInBranchFlow extends FlowSpec {
      items!: number[];

      @step({ next: ['fan', 'plain'] })
      async start() {}

      @step({ next: 'work', foreach: 'items' })
      async fan() {}

      @step({ next: 'fanJoin' })
      async work() {}

      @step({ next: 'join' })
      async fanJoin(_inputs: Inputs<ForeachInBranchFlow>) {}

      @step({ next: 'join' })
      async plain() {}

      @step({ next: 'end' })
      async join(_inputs: Inputs<ForeachInBranchFlow>) {}

      @step()
      async end() {}
    }
    const graph = buildGraph(ForeachInBranchFlow);
    expectTopological(graph);
    expect(node(graph, 'fan')).toMatchObject({
      kind: 'foreach',
      matchingJoin: 'fanJoin',
      splitStack: ['start'],
    });
    expect(node(graph, 'work').splitStack).toEqual(['start', 'fan']);
    expect(node(graph, 'fanJoin')).toMatchObject({ closes: 'fan', splitStack: ['start'] });
    expect(node(graph, 'join')).toMatchObject({
      closes: 'start',
      inputOrder: ['fanJoin', 'plain'],
      splitStack: [],
    });
  });

  it('lets a join split again (static and foreach)', () => {
    class JoinThenSplitFlow extends FlowSpec {
      items!: number[];

      @step({ next: ['a', 'b'] })
      async start() {}

      @step({ next: 'join1' })
      async a() {}

      @step({ next: 'join1' })
      async b() {}

      @step({ next: ['c', 'd'] })
      async join1(_inputs: Inputs<JoinThenSplitFlow>) {}

      @step({ next: 'join2' })
      async c() {}

      @step({ next: 'join2' })
      async d() {}

      @step({ next: 'work', foreach: 'items' })
      async join2(_inputs: Inputs<JoinThenSplitFlow>) {}

      @step({ next: 'join3' })
      async work() {}

      @step({ next: 'end' })
      async join3(_inputs: Inputs<JoinThenSplitFlow>) {}

      @step()
      async end() {}
    }
    const graph = buildGraph(JoinThenSplitFlow);
    expectTopological(graph);
    expect(node(graph, 'start').matchingJoin).toBe('join1');
    expect(node(graph, 'join1')).toMatchObject({
      kind: 'split',
      join: true,
      closes: 'start',
      matchingJoin: 'join2',
      inputOrder: ['a', 'b'],
      splitStack: [],
    });
    expect(node(graph, 'c').splitStack).toEqual(['join1']);
    expect(node(graph, 'join2')).toMatchObject({
      kind: 'foreach',
      join: true,
      closes: 'join1',
      matchingJoin: 'join3',
      inputOrder: ['c', 'd'],
      splitStack: [],
    });
    expect(node(graph, 'work').splitStack).toEqual(['join2']);
    expect(node(graph, 'join3')).toMatchObject({ kind: 'join', closes: 'join2', splitStack: [] });
  });

  it('collects the declared parameters', () => {
    class WithParams extends FlowSpec {
      @param.number({ default: 0.1 }) learningRate!: number;
      @param.string({ required: true }) dataset!: string;

      @step({ next: 'end' })
      async start() {}

      @step()
      async end() {}
    }
    const { params } = buildGraph(WithParams);
    expect([...params.keys()]).toEqual(['learningRate', 'dataset']);
    expect(params.get('learningRate')).toMatchObject({
      cliName: 'learning-rate',
      type: 'number',
      default: 0.1,
    });
    expect(params.get('dataset')).toMatchObject({ type: 'string', required: true });
  });

  it('inherits steps from a parent flow and lets a subclass re-route them', () => {
    class BaseFlow extends FlowSpec {
      @step({ next: 'end' })
      async start() {}

      @step()
      async end() {}
    }
    class ChildFlow extends BaseFlow {
      @retry({ times: 2 })
      @step({ next: 'middle' })
      override async start() {}

      @step({ next: 'end' })
      async middle() {}
    }
    expect(buildGraph(BaseFlow).order).toEqual(['start', 'end']);
    expect(node(buildGraph(BaseFlow), 'start').options.retry).toBeUndefined();
    const child = buildGraph(ChildFlow);
    expect(child.flowName).toBe('ChildFlow');
    expect(child.order).toEqual(['start', 'middle', 'end']);
    expect(node(child, 'start').options.retry).toEqual({ times: 2 });
  });
});

describe('buildGraph: invalid shapes', () => {
  it('rejects a flow without start', () => {
    class NoStartFlow extends FlowSpec {
      @step({ next: 'end' })
      async begin() {}

      @step()
      async end() {}
    }
    const error = expectInvalid(() => buildGraph(NoStartFlow), 'start', /no 'start' step/);
    expect(error.message).toContain('NoStartFlow');
  });

  it('rejects a flow without end', () => {
    class NoEndFlow extends FlowSpec {
      @step({ next: 'finish' })
      async start() {}

      @step({ next: 'start' })
      async finish() {}
    }
    const error = expectInvalid(() => buildGraph(NoEndFlow), 'end', /no 'end' step/);
    expect(error.message).toContain('NoEndFlow');
  });

  it('rejects a class with no steps at all', () => {
    class EmptyFlow extends FlowSpec {}
    expectInvalid(() => buildGraph(EmptyFlow), 'start', /no 'start' step/);
  });

  it('rejects an unreachable step', () => {
    class UnreachableFlow extends FlowSpec {
      @step({ next: 'end' })
      async start() {}

      @step({ next: 'end' })
      async orphan() {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(UnreachableFlow), 'orphan', /'orphan'.*unreachable from start/);
  });

  it('rejects a transition to an unknown step', () => {
    class UnknownTargetFlow extends FlowSpec {
      // @ts-expect-error 'nowhere' is not a method of the flow
      @step({ next: 'nowhere' })
      async start() {}

      @step()
      async end() {}
    }
    const error = expectInvalid(() => buildGraph(UnknownTargetFlow), 'start', /unknown step 'nowhere'/);
    expect(error.details.target).toBe('nowhere');
  });

  it('rejects a transition to a method that is not a step', () => {
    class NotAStepTargetFlow extends FlowSpec {
      @step({ next: 'helper' })
      async start() {}

      async helper() {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(NotAStepTargetFlow), 'start', /unknown step 'helper'/);
  });

  it('rejects a cycle', () => {
    class CycleFlow extends FlowSpec {
      @step({ next: 'a' })
      async start() {}

      @step({ next: 'b' })
      async a() {}

      @step({ next: ['a', 'end'] })
      async b() {}

      @step()
      async end() {}
    }
    const error = expectInvalid(() => buildGraph(CycleFlow), 'a', /cycle: a → b → a/);
    expect(error.details.cycle).toBe('a → b → a');
  });

  it('rejects a transition back to start', () => {
    class BackToStartFlow extends FlowSpec {
      @step({ next: 'a' })
      async start() {}

      @step({ next: ['start', 'end'] })
      async a() {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(BackToStartFlow), 'a', /back to 'start'/);
  });

  it('rejects a step with two incoming steps that is not a join', () => {
    class NotAJoinFlow extends FlowSpec {
      @step({ next: ['a', 'b'] })
      async start() {}

      @step({ next: 'merge' })
      async a() {}

      @step({ next: 'merge' })
      async b() {}

      @step({ next: 'end' })
      async merge() {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(NotAJoinFlow), 'merge', /'merge'.*2 incoming steps.*not a join/);
  });

  it('rejects a join that receives only some branches of its split', () => {
    class MissingBranchFlow extends FlowSpec {
      @step({ next: ['a', 'b', 'c'] })
      async start() {}

      @step({ next: 'join' })
      async a() {}

      @step({ next: 'join' })
      async b() {}

      @step({ next: 'end' })
      async c() {}

      @step({ next: 'end' })
      async join(_inputs: Inputs<MissingBranchFlow>) {}

      @step()
      async end(_inputs: Inputs<MissingBranchFlow>) {}
    }
    const error = expectInvalid(
      () => buildGraph(MissingBranchFlow),
      'join',
      /'join'.*one input from each of the 3 branches of 'start' \(a, b, c\)/,
    );
    expect(error.details.expected).toEqual(['a', 'b', 'c']);
    expect([...(error.details.actual as string[])].sort()).toEqual(['a', 'b']);
  });

  it('rejects a join that receives one branch of a split and one from another split', () => {
    class MixedJoinFlow extends FlowSpec {
      @step({ next: ['a', 'b'] })
      async start() {}

      @step({ next: 'join' })
      async a() {}

      @step({ next: ['c', 'd'] })
      async b() {}

      @step({ next: 'join' })
      async c() {}

      @step({ next: 'join' })
      async d() {}

      @step({ next: 'end' })
      async join(_inputs: Inputs<MixedJoinFlow>) {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(MixedJoinFlow), 'join', /'join'.*different splits/);
  });

  it('rejects a join that is not preceded by any split', () => {
    class LonelyJoinFlow extends FlowSpec {
      @step({ next: 'a' })
      async start() {}

      @step({ next: 'join' })
      async a() {}

      @step({ next: 'end' })
      async join(_inputs: Inputs<LonelyJoinFlow>) {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(LonelyJoinFlow), 'join', /'join'.*not preceded by a split or foreach/);
  });

  it('rejects a join directly after a foreach', () => {
    class DirectJoinFlow extends FlowSpec {
      items!: number[];

      @step({ next: 'join', foreach: 'items' })
      async start() {}

      @step({ next: 'end' })
      async join(_inputs: Inputs<DirectJoinFlow>) {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(DirectJoinFlow), 'join', /'join'.*follows foreach 'start' directly/);
  });

  it('rejects a foreach with two next steps', () => {
    class TwoNextForeachFlow extends FlowSpec {
      items!: number[];

      @step({ next: ['a', 'b'], foreach: 'items' })
      async start() {}

      @step({ next: 'join' })
      async a() {}

      @step({ next: 'join' })
      async b() {}

      @step({ next: 'end' })
      async join(_inputs: Inputs<TwoNextForeachFlow>) {}

      @step()
      async end() {}
    }
    expectInvalid(
      () => buildGraph(TwoNextForeachFlow),
      'start',
      /Foreach step 'start'.*exactly one next step, got 2/,
    );
  });

  it('rejects @catchError on a foreach step', () => {
    class CatchForeachFlow extends FlowSpec {
      items!: number[];

      @catchError()
      @step({ next: 'work', foreach: 'items' })
      async start() {}

      @step({ next: 'join' })
      async work() {}

      @step({ next: 'end' })
      async join(_inputs: Inputs<CatchForeachFlow>) {}

      @step()
      async end() {}
    }
    expectInvalid(
      () => buildGraph(CatchForeachFlow),
      'start',
      /@catchError is not allowed on foreach step 'start'/,
    );
  });

  it('rejects end with a next step', () => {
    class EndWithNextFlow extends FlowSpec {
      @step({ next: 'end' })
      async start() {}

      @step({ next: 'after' })
      async end() {}

      @step({ next: 'end' })
      async after() {}
    }
    expectInvalid(() => buildGraph(EndWithNextFlow), 'end', /'end'.*must not have a next step/);
  });

  it('rejects a foreach on end', () => {
    class EndForeachFlow extends FlowSpec {
      items!: number[];

      @step({ next: 'end' })
      async start() {}

      @step({ foreach: 'items' })
      async end() {}
    }
    expectInvalid(() => buildGraph(EndForeachFlow), 'end', /'end'.*cannot fan out/);
  });

  it('rejects a non-end step without next', () => {
    class DeadEndFlow extends FlowSpec {
      @step({ next: ['middle', 'end'] })
      async start() {}

      @step()
      async middle() {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(DeadEndFlow), 'middle', /'middle'.*has no next step/);
  });

  it('rejects a start that is a join', () => {
    class JoinStartFlow extends FlowSpec {
      @step({ next: 'end' })
      async start(_inputs: Inputs<JoinStartFlow>) {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(JoinStartFlow), 'start', /'start'.*cannot be a join/);
  });

  it('rejects a step listing the same next step twice', () => {
    class DuplicateNextFlow extends FlowSpec {
      @step({ next: ['a', 'a'] })
      async start() {}

      @step({ next: 'end' })
      async a() {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(DuplicateNextFlow), 'start', /same next step twice/);
  });

  it('rejects a foreach that is never joined', () => {
    class UnjoinedForeachFlow extends FlowSpec {
      items!: number[];

      @step({ next: 'work', foreach: 'items' })
      async start() {}

      @step({ next: 'end' })
      async work() {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(UnjoinedForeachFlow), 'start', /Foreach 'start'.*never joined/);
  });

  it('rejects an outer foreach that is never joined while its inner split is', () => {
    class UnjoinedOuterFlow extends FlowSpec {
      items!: number[];

      @step({ next: 'body', foreach: 'items' })
      async start() {}

      @step({ next: ['a', 'b'] })
      async body() {}

      @step({ next: 'join' })
      async a() {}

      @step({ next: 'join' })
      async b() {}

      @step({ next: 'end' })
      async join(_inputs: Inputs<UnjoinedOuterFlow>) {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(UnjoinedOuterFlow), 'start', /never joined/);
  });

  it('rejects a method with @retry but no @step', () => {
    class RetryOnlyFlow extends FlowSpec {
      @step({ next: 'end' })
      async start() {}

      @retry({ times: 1 })
      async helper() {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(RetryOnlyFlow), 'helper', /'helper'.*no @step decorator/);
  });

  it('rejects a method with @timeout or @catchError but no @step', () => {
    class TimeoutOnlyFlow extends FlowSpec {
      @step({ next: 'end' })
      async start() {}

      @timeout({ seconds: 5 })
      async slow() {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(TimeoutOnlyFlow), 'slow', /no @step decorator/);

    class CatchOnlyFlow extends FlowSpec {
      @step({ next: 'end' })
      async start() {}

      @catchError()
      async risky() {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(CatchOnlyFlow), 'risky', /no @step decorator/);
  });

  it('rejects @retry with a negative, fractional or too large count when the class is defined', () => {
    const define = (times: number) => () => {
      class BadRetryFlow extends FlowSpec {
        @step({ next: 'end' })
        async start() {}

        @retry({ times })
        @step()
        async end() {}
      }
      return BadRetryFlow;
    };
    expectInvalid(define(-1), 'end', /@retry on step 'end': times must be an integer from 0 to 10, got -1/);
    expectInvalid(define(1.5), 'end', /times must be an integer/);
    expectInvalid(define(11), 'end', /times must be an integer/);
    expect(define(0)).not.toThrow();
    expect(define(10)).not.toThrow();
  });

  it('rejects @retry with a negative delay', () => {
    expectInvalid(
      () => {
        class BadDelayFlow extends FlowSpec {
          @retry({ times: 1, delaySeconds: -1 })
          @step({ next: 'end' })
          async start() {}

          @step()
          async end() {}
        }
        return BadDelayFlow;
      },
      'start',
      /delaySeconds must be ≥ 0/,
    );
  });

  it('rejects @timeout without a positive duration', () => {
    const define = (options: { seconds?: number; minutes?: number; hours?: number }) => () => {
      class BadTimeoutFlow extends FlowSpec {
        @timeout(options)
        @step({ next: 'end' })
        async start() {}

        @step()
        async end() {}
      }
      return BadTimeoutFlow;
    };
    expectInvalid(define({}), 'start', /@timeout on step 'start': specify a positive duration/);
    expectInvalid(define({ seconds: 0 }), 'start', /positive duration/);
    expectInvalid(define({ seconds: -5 }), 'start', /positive duration/);
    expectInvalid(define({ hours: Number.POSITIVE_INFINITY }), 'start', /positive duration/);
    expect(define({ hours: 1 })).not.toThrow();
  });

  it('rejects a step with a reserved name', () => {
    class ReservedInputFlow extends FlowSpec {
      @step({ next: 'input' })
      async start() {}

      @step({ next: 'end' })
      // @ts-expect-error FlowSpec defines `input` as an accessor, so a method may not replace it
      async input() {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(ReservedInputFlow), 'input', /'input'.*reserved by FlowSpec/);

    class ReservedNextFlow extends FlowSpec {
      @step({ next: 'next' })
      async start() {}

      @step({ next: 'end' })
      async next() {}

      @step()
      async end() {}
    }
    expectInvalid(() => buildGraph(ReservedNextFlow), 'next', /'next'.*reserved/);
  });

  it('refuses a foreach that names an empty artifact', () => {
    class EmptyForeach extends FlowSpec {
      items!: string[];
      @step({ next: 'work', foreach: '' as never }) start() {}
      @step({ next: 'join' }) work() {}
      @step({ next: 'end' }) join(_inputs: unknown) {}
      @step() end() {}
    }
    expectInvalid(() => buildGraph(EmptyForeach), 'start', /names no artifact to iterate/);
  });
});
