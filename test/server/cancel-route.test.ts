/**
 * `POST /api/v1/runs/{runId}/cancel` on a real server: scopes, bad input, a run whose orchestrator is
 * gone (cancelled at once), a finished run (409), and a run orchestrated in remote mode by a
 * `flowtrail run` process, which notices the request through the HTTP metadata adapter.
 */
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/store/metadata-store.ts';
import { fixture, newRunRecord, repoRoot } from '../helpers.ts';
import { startTestServer, type TestServer } from './server-fixture.ts';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

const keyIdOf = (key: string) => key.split('_')[1]!;

async function cancel(runId: number, body: unknown, key = t.keys.write) {
  const r = await fetch(`${t.server.url}/api/v1/runs/${runId}/cancel`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** A run record whose orchestrator is this process (alive) or a process that has exited. */
function newRun(flow: string, orchestrator: 'alive' | 'gone'): Promise<RunRecord> {
  const pid = orchestrator === 'alive' ? process.pid : spawnSync(process.execPath, ['-e', '']).pid!;
  return t.server.stores.metadata.createRun(
    newRunRecord(flow, { orchestratorPid: pid, orchestratorHost: os.hostname() }),
  );
}

describe('POST /api/v1/runs/{runId}/cancel', () => {
  it('records the request of a write key on a live run; a read key is refused', async () => {
    const run = await newRun('Live', 'alive');
    const refused = await cancel(run.id, {}, t.keys.read);
    expect(refused.status).toBe(403);
    const r = await cancel(run.id, { reason: 'stop it' });
    expect(r.status).toBe(200);
    expect(r.body.outcome).toBe('requested');
    const after = r.body.run as RunRecord;
    expect(after.status).toBe('running');
    expect(after.cancelRequest).toMatchObject({ by: `key:${keyIdOf(t.keys.write)}`, reason: 'stop it' });
    // What an orchestrator in remote mode polls.
    const remote = t.client('write');
    try {
      expect(await remote.metadata.getCancelRequest(run.id)).toEqual(after.cancelRequest);
    } finally {
      await remote.close();
    }
  });

  it('cancels a run whose orchestrator is gone at once, then answers already-cancelled', async () => {
    const run = await newRun('Orphan', 'gone');
    const r = await cancel(run.id, { reason: 'cleanup', requestedBy: 'ops' });
    expect(r.status).toBe(200);
    expect(r.body.outcome).toBe('applied');
    expect(r.body.run).toMatchObject({
      status: 'cancelled',
      cancelRequest: { by: 'ops', reason: 'cleanup' },
      error: { type: 'RunCancelled' },
    });
    const events = await t.server.stores.events.query({ event: { name: ['flowtrail.run.cancelled'] } });
    expect(events.events.map((e) => e.resource['flowtrail.resource.id'])).toContain('flowtrail.run.Orphan/1');
    const again = await cancel(run.id, {});
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('already-cancelled');
  });

  it('a finished run is a 409 naming its status; an unknown run a 404; a bad body a 422', async () => {
    const run = await newRun('Done', 'alive');
    await t.server.stores.metadata.write([
      { op: 'run.update', runId: run.id, patch: { status: 'completed', finishedAt: Date.now() } },
    ]);
    const conflict = await cancel(run.id, {});
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('completed'),
    });
    expect((await cancel(999_999, {})).status).toBe(404);
    const bad = await cancel(run.id, { reason: 5 });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('reason');
    expect((await cancel(run.id, { why: 'x' })).status).toBe(422);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.server.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    expect(doc.paths['/api/v1/runs/{runId}/cancel']?.post?.operationId).toBe('cancelRun');
  });

  it('stops a run orchestrated in remote mode', async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, 'bin/flowtrail.js'),
        'run',
        fixture('long-foreach.ts'),
        '--max-workers',
        '2',
        '--quiet',
      ],
      {
        env: {
          ...process.env,
          FLOWTRAIL_HOME: path.join(t.dir, 'client-home'),
          FLOWTRAIL_SERVICE_URL: t.server.url,
          FLOWTRAIL_API_KEY: t.keys.write,
          FLOWTRAIL_ARTIFACTS: path.join(t.dir, 'artifacts'),
          LONG_SLEEP_MS: '400',
        },
        stdio: 'ignore',
      },
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const store = t.server.stores.metadata;
    let run: RunRecord | undefined;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      run = await store.latestRun({ flow: 'LongForeachFlow' });
      const work = run ? await store.listTasks(run.id, { step: 'work' }) : [];
      if (work.some((w) => w.status === 'completed')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await cancel(run!.id, { reason: 'remote', wait: true });
    expect(r.body.outcome).toBe('requested');
    expect((r.body.run as RunRecord).status).toBe('cancelled');
    expect(await exited).toBe(3);
    const work = await store.listTasks(run!.id, { step: 'work' });
    expect(work.every((w) => w.status === 'completed' || w.status === 'cancelled')).toBe(true);
  });
});
