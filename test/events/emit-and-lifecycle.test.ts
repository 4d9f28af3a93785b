import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEvents, emitEvent, type FlowtrailEvent, metadata, Run, Task } from '../../src/index.ts';
import { runFlow, type TempHome, tempHome } from '../../src/testing/index.ts';
import { example, fixture } from '../helpers.ts';

let home: TempHome;

beforeAll(async () => {
  home = await tempHome();
});

afterAll(async () => {
  await home[Symbol.asyncDispose]();
});

const ids = (e: FlowtrailEvent, role?: string) =>
  e.related
    .filter((r) => role === undefined || r['flowtrail.resource.role'] === role)
    .map((r) => r['flowtrail.resource.id']);

describe('emitEvent', () => {
  it('inside a step carries the flow, run, step, task and tags as related resources, never twice', async () => {
    const result = await runFlow({ file: fixture('emitting.ts'), home: home.path, tags: ['nightly'] });
    expect(result.status).toBe('completed');
    metadata(home.path);
    const events: FlowtrailEvent[] = [];
    for await (const e of allEvents({ event: { prefix: ['dataset.'] }, order: 'asc' })) events.push(e);
    expect(events.map((e) => e.event)).toEqual(['dataset.refreshed', 'dataset.checked', 'dataset.unawaited']);
    const [refreshed, checked] = events as [FlowtrailEvent, FlowtrailEvent];
    const task = await Run.get('EmittingFlow/1').get('start').task;
    expect(refreshed.id).toBe(await task.data.emittedId);
    expect(refreshed.payload).toEqual({ rows: 120_000 });
    expect(ids(refreshed, 'owner')).toEqual(['team.forecasting']);
    expect(ids(refreshed, 'flow')).toEqual(['flowtrail.flow.EmittingFlow']);
    expect(ids(refreshed, 'run')).toEqual(['flowtrail.run.EmittingFlow/1']);
    expect(ids(refreshed, 'step')).toEqual(['flowtrail.step.EmittingFlow/1/start']);
    expect(ids(refreshed, 'task')).toEqual([`flowtrail.task.EmittingFlow/1/start/${task.id}`]);
    expect(ids(refreshed, 'tag')).toEqual(['flowtrail.tag.nightly']);
    expect(ids(checked).filter((i) => i === 'flowtrail.run.EmittingFlow/1')).toHaveLength(1);
    // Emitted events precede the task's completion in the feed.
    const all: FlowtrailEvent[] = [];
    for await (const e of allEvents({ order: 'asc' })) all.push(e);
    const at = (name: string, resource?: string) =>
      all.findIndex(
        (e) =>
          e.event === name && (resource === undefined || e.resource['flowtrail.resource.id'] === resource),
      );
    expect(at('dataset.unawaited')).toBeLessThan(
      at('flowtrail.task.completed', `flowtrail.task.EmittingFlow/1/start/${task.id}`),
    );
  });

  it('outside a flow adds nothing and stores the event before resolving', async () => {
    metadata(home.path);
    const e = await emitEvent({
      event: 'script.ran',
      resource: { 'flowtrail.resource.id': 'script.nightly' },
      payload: { ok: true },
    });
    expect(e.related).toEqual([]);
    const found: FlowtrailEvent[] = [];
    for await (const x of allEvents({ id: [e.id] })) found.push(x);
    expect(found.map((x) => x.event)).toEqual(['script.ran']);
    expect(found[0]!.received).toBeInstanceOf(Date);
    // Same id again: stored once.
    await emitEvent({
      event: 'script.ran',
      resource: { 'flowtrail.resource.id': 'script.nightly' },
      id: e.id,
    });
    let n = 0;
    for await (const _ of allEvents({ id: [e.id] })) n++;
    expect(n).toBe(1);
  });

  it('invalid events are typed errors naming the field, never silently dropped', async () => {
    await expect(emitEvent({ event: 'x.y', resource: {} })).rejects.toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
    await expect(
      emitEvent({ event: 'flowtrail.run.completed', resource: { 'flowtrail.resource.id': 'a' } }),
    ).rejects.toThrow(/flowtrail\./);
  });

  it('an invalid event rejects the returned promise instead of throwing, so .catch() sees it', async () => {
    let returned: Promise<unknown> | undefined;
    expect(() => {
      returned = emitEvent({ event: 'x.y', resource: {} });
    }).not.toThrow();
    const caught = await returned!.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(caught).toMatchObject({ code: 'VALIDATION', field: 'resource["flowtrail.resource.id"]' });
  });
});

describe('lifecycle events', () => {
  it('a foreach run produces exactly the expected events, in causal order, linking to client objects', async () => {
    const result = await runFlow({ file: example('foreach.ts'), home: home.path });
    expect(result.status).toBe('completed');
    metadata(home.path);
    const pathspec = result.pathspec;
    const events: FlowtrailEvent[] = [];
    for await (const e of allEvents({ related: { id: [`flowtrail.flow.ForeachFlow`] }, order: 'asc' }))
      events.push(e);
    const runEvents: FlowtrailEvent[] = [];
    for await (const e of allEvents({ resource: { id: [`flowtrail.run.${pathspec}`] }, order: 'asc' }))
      runEvents.push(e);
    // Every lifecycle event of the run names the flow as a related resource; `events` is the whole feed.
    const feed = events;
    const count = (name: string) => events.filter((e) => e.event === name).length;
    expect(runEvents.map((e) => e.event)).toEqual(['flowtrail.run.started', 'flowtrail.run.completed']);
    expect(count('flowtrail.step.started')).toBe(5);
    expect(count('flowtrail.step.completed')).toBe(5);
    expect(count('flowtrail.task.started')).toBe(11); // 9 tasks + 2 retries of item b
    expect(count('flowtrail.task.retrying')).toBe(2);
    expect(count('flowtrail.task.completed')).toBe(9);
    expect(count('flowtrail.task.failed')).toBe(0);
    expect(count('flowtrail.artifact.stored')).toBe(12);
    expect(events.length).toBe(46);
    // Causal order: the run starts first and completes last; every task starts before it completes.
    expect(feed[0]!.event).toBe('flowtrail.run.started');
    expect(feed[feed.length - 1]!.event).toBe('flowtrail.run.completed');
    for (const done of events.filter((e) => e.event === 'flowtrail.task.completed')) {
      const id = done.resource['flowtrail.resource.id'];
      const started = events.filter(
        (e) => e.event === 'flowtrail.task.started' && e.resource['flowtrail.resource.id'] === id,
      );
      expect(started.length).toBeGreaterThan(0);
      expect(events.indexOf(started[started.length - 1]!)).toBeLessThan(events.indexOf(done));
      // The resource id is the client API pathspec.
      const task = await Task.get(id.slice('flowtrail.task.'.length));
      expect(task.finished).toBe(true);
    }
    const artifactEvent = events.find(
      (e) => e.event === 'flowtrail.artifact.stored' && e.payload.name === 'items',
    )!;
    expect(artifactEvent.payload).toMatchObject({
      name: 'items',
      sha: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(artifactEvent.payload).not.toHaveProperty('value');
  });
});

describe('retention from the command line', () => {
  it('flowtrail events prune removes old events, honouring per-name overrides', async () => {
    const { spawnSync } = await import('node:child_process');
    const path = await import('node:path');
    const { repoRoot } = await import('../helpers.ts');
    await using h = await tempHome();
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(repoRoot, 'bin/flowtrail.js'), ...args], {
        env: { ...process.env, FLOWTRAIL_HOME: h.path },
        encoding: 'utf8',
      });
    const old = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    for (const [name, at] of [
      ['keep.me', recent],
      ['old.one', old],
      ['short.lived', recent],
    ] as const) {
      expect(cli('events', 'emit', name, '--resource-id', `r.${name}`, '--occurred', at).status).toBe(0);
    }
    const r = cli('events', 'prune', '--older-than', '2d', '--override', 'short.lived=30m', '--json');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ deleted: 2 });
    const left = JSON.parse(cli('events', 'list', '--json').stdout) as { events: { event: string }[] };
    expect(left.events.map((e) => e.event)).toEqual(['keep.me']);
    expect(cli('events', 'prune', '--older-than', 'soon').status).toBe(2);
  });
});
