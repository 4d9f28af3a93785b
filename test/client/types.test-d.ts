import { describe, expectTypeOf, it } from 'vitest';
import type { ForeachFlow } from '../../examples/foreach.ts';
import type { HelloFlow } from '../../examples/hello.ts';
import { type DataArtifact, Flow, Run, type RunCancellation, Step, Task } from '../../src/index.ts';

describe('client API types', () => {
  it('artifacts are typed from the flow class or its instance type', () => {
    expectTypeOf(Run.get<HelloFlow>('HelloFlow/1').data.message).toEqualTypeOf<Promise<string>>();
    expectTypeOf(Run.get<typeof HelloFlow>('HelloFlow/1').data.message).toEqualTypeOf<Promise<string>>();
    expectTypeOf(Step.get<ForeachFlow>('ForeachFlow/1/join').task.data.scores).toEqualTypeOf<
      Promise<number[]>
    >();
    // @ts-expect-error: HelloFlow has no artifact 'nope'
    void Run.get<HelloFlow>('HelloFlow/1').data.nope;
    // Methods and FlowSpec members are not artifacts.
    // @ts-expect-error: 'start' is a step, not an artifact
    void Run.get<HelloFlow>('HelloFlow/1').data.start;
  });

  it('without a flow type, values are unknown', () => {
    const x = Step.get('DebugFlow/2/a').task.data.x;
    expectTypeOf<Awaited<typeof x>>().toEqualTypeOf<unknown>();
  });

  it('chains stay one expression with one await', async () => {
    expectTypeOf(Flow.get('F').latestRun.endTask).resolves.toEqualTypeOf<Task>();
    expectTypeOf(Flow.get('F').latestSuccessfulRun.status).toEqualTypeOf<
      Promise<'running' | 'completed' | 'failed' | 'crashed' | 'cancelled'>
    >();
    expectTypeOf(Run.get<HelloFlow>('HelloFlow/1').cancel({ reason: 'r' })).resolves.toEqualTypeOf<
      RunCancellation<HelloFlow>
    >();
    expectTypeOf(Run.get('F/1').get('start').task.get('x')).resolves.toEqualTypeOf<DataArtifact>();
    expectTypeOf(Task.get('F/1/start/1').stdout).toEqualTypeOf<Promise<string>>();
    expectTypeOf(Task.get('F/1/start/1').successful).toEqualTypeOf<Promise<boolean>>();
    for await (const run of Flow.get('F')) expectTypeOf(run).toEqualTypeOf<Run>();
  });
});
