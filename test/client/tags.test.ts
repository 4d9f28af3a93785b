import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Flow, metadata, Run } from '../../src/index.ts';
import { openEmbeddedStores, runFlow, type TempHome, tempHome } from '../../src/testing/index.ts';
import { example } from '../helpers.ts';

let home: TempHome;

beforeAll(async () => {
  home = await tempHome();
  for (let i = 0; i < 3; i++)
    await runFlow({ file: example('hello.ts'), home: home.path, tags: i === 1 ? ['keep'] : [] });
  metadata(home.path);
});

afterAll(async () => {
  await home[Symbol.asyncDispose]();
});

async function listed(...tags: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const r of (await Flow.get('HelloFlow')).runs(...tags)) out.push(r.id);
  return out;
}

describe('client API: tags', () => {
  it('adds, removes and replaces user tags; persisted; createdAt and order unchanged', async () => {
    const before = await Run.get('HelloFlow/1');
    await before.addTags('exp-1', 'blue');
    expect(before.userTags).toEqual(['exp-1', 'blue']);
    await before.addTag('exp-1');
    expect(before.userTags).toEqual(['exp-1', 'blue']);
    await before.replaceTag('blue', 'green');
    await before.removeTag('absent'); // no-op
    const after = await Run.get('HelloFlow/1');
    expect(after.userTags).toEqual(['exp-1', 'green']);
    expect(after.createdAt.getTime()).toBe(before.createdAt.getTime());
    expect(await listed()).toEqual(['3', '2', '1']);
    expect(await listed('exp-1', 'green')).toEqual(['1']);
    expect(await listed('exp-1', 'blue')).toEqual([]);
    expect(await listed('keep')).toEqual(['2']);
    expect((await Flow.get('HelloFlow').latestRun).id).toBe('3');
  });

  it('validates: empty, too long, too many, and removing a system tag is refused whole', async () => {
    const run = await Run.get('HelloFlow/2');
    await expect(run.addTag('')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(run.addTag('x'.repeat(501))).rejects.toThrow(/500/);
    await expect(run.addTags(...Array.from({ length: 50 }, (_, i) => `t${i}`))).rejects.toThrow(/50/);
    const system = run.systemTags.find((t) => t.startsWith('user:'))!;
    await expect(run.replaceTags([system, 'keep'], ['new'])).rejects.toThrow(/system tag/);
    expect((await Run.get('HelloFlow/2')).userTags).toEqual(['keep']);
    await expect(run.replaceTags([], [])).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('client API: bounded listing queries', () => {
  it('over 10,000 runs, the first page and latestSuccessfulRun each cost one query', async () => {
    await using stores = openEmbeddedStores(home.path);
    const base = {
      user: 'bulk',
      tags: [],
      params: {},
      flowFile: null,
      codeSha: null,
      originRunNumber: null,
      orchestratorPid: null,
      orchestratorHost: null,
    };
    const { resolveUser } = await import('../../src/core/config.ts');
    const created = [];
    for (let i = 0; i < 10_000; i++) {
      created.push(
        stores.metadata.createRun({
          ...base,
          flow: 'BulkFlow',
          systemTags: [`user:${resolveUser()}`],
          createdAt: Date.now(),
        }),
      );
    }
    const runs = await Promise.all(created);
    await stores.metadata.write(
      runs
        .filter((r) => r.runNumber % 1000 === 7)
        .map((r) => ({ op: 'run.update' as const, runId: r.id, patch: { status: 'completed' as const } })),
    );
    await stores.metadata.write(
      runs
        .filter((r) => r.runNumber % 1000 !== 7)
        .map((r) => ({ op: 'run.update' as const, runId: r.id, patch: { status: 'failed' as const } })),
    );

    const flow = await Flow.get('BulkFlow');
    const { clientStores } = await import('../../src/client/provider.ts');
    const client = await clientStores();
    let q = client.metadata.queryCount;
    const latest = await flow.latestSuccessfulRun;
    expect(latest.id).toBe('9007');
    expect(client.metadata.queryCount - q).toBe(1);
    q = client.metadata.queryCount;
    const page: string[] = [];
    for await (const r of flow.runs()) {
      page.push(r.id);
      if (page.length === 100) break;
    }
    expect(page[0]).toBe('10000');
    expect(page[99]).toBe('9901');
    expect(client.metadata.queryCount - q).toBe(1);
  });
});
