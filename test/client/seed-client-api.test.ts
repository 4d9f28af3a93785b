/**
 * The client API page (seed 001), paragraph by paragraph, written the way a user of that page
 * would write it in TypeScript.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { HelloFlow } from '../../examples/hello.ts';
import {
  DataArtifact,
  Flow,
  Flowtrail,
  getMetadata,
  metadata,
  NamespaceMismatchError,
  NotFoundError,
  namespace,
  Run,
  Step,
  Task,
} from '../../src/index.ts';
import { runFlow, type TempHome, tempHome } from '../../src/testing/index.ts';
import { example, fixture } from '../helpers.ts';

let home: TempHome;
let user: string;

beforeAll(async () => {
  home = await tempHome();
  await runFlow({ file: example('hello.ts'), home: home.path });
  await runFlow({ file: example('hello.ts'), home: home.path, tags: ['candidate'] });
  await runFlow({ file: fixture('debug.ts'), home: home.path });
  await runFlow({ file: fixture('debug.ts'), home: home.path });
  const failed = await runFlow({ file: fixture('failures.ts'), home: home.path });
  expect(failed.status).toBe('completed'); // FAILURE_MODE unset: every step passes
  user = failed.run.user;
  metadata(home.path);
});

afterAll(async () => {
  await home[Symbol.asyncDispose]();
});

describe('seed 001: inspecting flows and results', () => {
  it('the root object lists every flow that has been run', async () => {
    const flows = await new Flowtrail().flows;
    expect(flows.map((f) => f.pathspec).sort()).toEqual(['DebugFlow', 'FailuresFlow', 'HelloFlow']);
    const names: string[] = [];
    for await (const flow of new Flowtrail()) names.push(flow.id);
    expect(names.sort()).toEqual(['DebugFlow', 'FailuresFlow', 'HelloFlow']);
  });

  it('listing children: iterating a flow gives its runs, newest first', async () => {
    const flow = await Flow.get('HelloFlow');
    const runs: Run[] = [];
    for await (const run of flow) runs.push(run);
    expect(runs.map((r) => r.pathspec)).toEqual(['HelloFlow/2', 'HelloFlow/1']);
    // Same without loading the flow first.
    const ids: string[] = [];
    for await (const run of Flow.get('HelloFlow')) ids.push(run.id);
    expect(ids).toEqual(['2', '1']);
  });

  it('accessing a specific child by id', async () => {
    const flow = await Flow.get('HelloFlow');
    const run = await flow.get('2');
    expect(run.pathspec).toBe('HelloFlow/2');
    expect((await flow.get(1)).id).toBe('1');
    await expect(flow.get('7')).rejects.toThrow("Run('HelloFlow/7') does not exist.");
  });

  it('accessing a specific object by its address (pathspec)', async () => {
    expect((await Flow.get('HelloFlow')).pathspec).toBe('HelloFlow');
    expect((await Run.get('HelloFlow/2')).pathspec).toBe('HelloFlow/2');
    const step = await Step.get('HelloFlow/2/start');
    expect(step.pathComponents).toEqual(['HelloFlow', '2', 'start']);
    expect((await Task.get(`HelloFlow/2/end/3`)).pathspec).toBe('HelloFlow/2/end/3');
    const artifact = await DataArtifact.get('HelloFlow/2/end/3/message');
    expect(await artifact.data).toBe('Hello from Flowtrail!');
    await expect(Run.get('HelloFlow')).rejects.toThrow("Expects Run('FlowName/RunID')");
  });

  it('the error tells apart an object outside the namespace from one that does not exist', async () => {
    namespace('user:somebody-else');
    try {
      await expect(Run.get('HelloFlow/2')).rejects.toBeInstanceOf(NamespaceMismatchError);
      await expect(Flow.get('HelloFlow')).rejects.toThrow(
        "not in the current namespace 'user:somebody-else'",
      );
      await expect(Run.get('HelloFlow/9')).rejects.toBeInstanceOf(NotFoundError);
      await expect(Flow.get('NoSuchFlow')).rejects.toThrow("Flow('NoSuchFlow') does not exist.");
    } finally {
      namespace(`user:${user}`);
    }
  });

  it('accessing data: the shortest way is one expression with one await', async () => {
    expect(await Step.get('DebugFlow/2/a').task.data.x).toBe(42);
    const task = await Step.get('DebugFlow/2/a').task;
    const artifacts = await task.artifacts;
    const x = artifacts.find((a) => a.name === 'x')!;
    expect(await x.data).toBe(42);
    expect(x.createdAt).toBeInstanceOf(Date);
    expect(x.sha).toMatch(/^[0-9a-f]{64}$/);
    expect(await task.data).toMatchObject({ x: 42, y: 'from start' });
    await expect(task.data.nope).rejects.toThrow("has no artifact 'nope'; it has x, y");
  });

  it('common properties: tags, createdAt, parent, pathspec, pathComponents', async () => {
    const run = await Run.get('HelloFlow/2');
    expect(run.tags).toEqual(expect.arrayContaining(['candidate', `user:${user}`, 'runtime:dev']));
    expect(run.userTags).toEqual(['candidate']);
    expect(run.createdAt).toBeInstanceOf(Date);
    expect((await run.parent).pathspec).toBe('HelloFlow');
    const task = await Task.get('HelloFlow/2/hello/2');
    expect((await task.parent).pathspec).toBe('HelloFlow/2/hello');
    expect(await task.parent.parent.parent).toMatchObject({ pathspec: 'HelloFlow' });
    expect(task.tags).toContain('candidate');
    const runs: string[] = [];
    for await (const r of (await Flow.get('HelloFlow')).runs('candidate')) runs.push(r.pathspec);
    expect(runs).toEqual(['HelloFlow/2']);
  });

  it('flow: latestRun and latestSuccessfulRun', async () => {
    expect((await Flow.get('DebugFlow').latestRun).pathspec).toBe('DebugFlow/2');
    expect(await Flow.get('DebugFlow').latestSuccessfulRun.id).toBe('2');
  });

  it('run: data, successful, finished, finishedAt, code, endTask, steps', async () => {
    const run = await Run.get('HelloFlow/1');
    expect(await run.data.message).toBe('Hello from Flowtrail!');
    expect(run.successful).toBe(true);
    expect(run.finished).toBe(true);
    expect(run.status).toBe('completed');
    expect(run.finishedAt!.getTime()).toBeGreaterThanOrEqual(run.createdAt.getTime());
    const code = (await run.code)!;
    expect(code.entry).toBe('hello.ts');
    expect(code.flowSource).toContain('export class HelloFlow');
    expect((await run.endTask).pathspec).toBe('HelloFlow/1/end/3');
    const steps: string[] = [];
    for await (const s of run.steps()) steps.push(s.id);
    expect(steps).toEqual(['end', 'hello', 'start']);
  });

  it('step: task, tasks, finishedAt, environmentInfo', async () => {
    const step = await Step.get('DebugFlow/2/a');
    const task = await step.task;
    expect(task.pathspec).toBe('DebugFlow/2/a/2');
    if (task.successful) expect(task.finishedAt).toBeInstanceOf(Date);
    expect(step.finishedAt).toBeInstanceOf(Date);
    const tasks: Task[] = [];
    for await (const t of step.tasks()) tasks.push(t);
    expect(tasks).toHaveLength(1);
    expect(await step.environmentInfo).toMatchObject({ node: process.version });
  });

  it('task: data, artifacts, successful, finished, exception, finishedAt, stdout, stderr, code, environmentInfo', async () => {
    const task = await Step.get('DebugFlow/2/a').task;
    expect(task.successful).toBe(true);
    expect(task.finished).toBe(true);
    expect(await task.exception).toBeNull();
    expect(await task.stdout).toBe('computing x\n');
    expect(await task.stderr).toBe('');
    expect((await task.code)!.entry).toBe('debug.ts');
    expect((await task.environmentInfo)!.platform).toBe(process.platform);
    expect(task.index).toBeUndefined();
  });

  it('metadata provider: get and set globally', () => {
    expect(getMetadata()).toBe(`local@${home.path}`);
    expect(() => metadata('/definitely/not/a/home')).toThrow('no Flowtrail store there');
    expect(getMetadata()).toBe(`local@${home.path}`);
  });

  it('artifacts are typed when the flow class is given', async () => {
    const message = await Run.get<HelloFlow>('HelloFlow/2').data.message;
    expectTypeOf(message).toEqualTypeOf<string>();
    expect(message).toBe('Hello from Flowtrail!');
    const viaClass = await Step.get<typeof HelloFlow>('HelloFlow/2/hello').task.data.message;
    expectTypeOf(viaClass).toEqualTypeOf<string>();
  });
});
