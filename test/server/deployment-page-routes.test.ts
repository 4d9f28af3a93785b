/**
 * What the web UI's deployment screens read beyond the registry: the newest firing of each
 * deployment with the list (one request for the whole table) and a deployment's declared
 * parameters with their defaults and deploy-time values (read from the deployed module), and the events a pause and a resume emit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFlow } from '../../src/runtime/deploy.ts';
import type { FiringRecord } from '../../src/store/deployment-store.ts';
import { example } from '../helpers.ts';
import { startTestServer, type TestServer } from './server-fixture.ts';

describe('deployment routes for the web UI', () => {
  let t: TestServer;
  const get = async (path: string): Promise<{ status: number; body: unknown }> => {
    const r = await fetch(`${t.server.url}/api/v1${path}`, {
      headers: { authorization: `Bearer ${t.keys.read}` },
    });
    return { status: r.status, body: await r.json() };
  };

  beforeAll(async () => {
    t = await startTestServer({ triggers: false });
    for (const [file, params] of [
      ['params.ts', { alpha: 0.5, dataset: 'sales' }],
      ['hello.ts', {}],
    ] as const)
      await deployFlow({
        file: example(file),
        params,
        home: t.dir,
        deployments: t.server.stores.deployments,
        artifacts: t.server.stores.artifacts,
      });
  }, 60_000);
  afterAll(() => t.stop());

  it('lists the newest firing of each deployment that fired, beside the deployments', async () => {
    const empty = await get('/deployments');
    expect(empty.body).toMatchObject({ latestFirings: [] });
    const at = Date.now();
    const firing = (id: string, createdAt: number): FiringRecord => ({
      id,
      flow: 'ParamsFlow',
      causes: [{ type: 'event', name: 'go', id: `e-${id}`, timestamp: createdAt, pathspec: null }],
      status: 'started',
      runId: 1,
      createdAt,
      message: null,
    });
    await t.server.stores.deployments.recordFiring(firing('old', at));
    await t.server.stores.deployments.recordFiring(firing('new', at + 5));
    const { status, body } = await get('/deployments');
    expect(status).toBe(200);
    const list = body as { deployments: { flow: string }[]; latestFirings: FiringRecord[] };
    expect(list.deployments.map((d) => d.flow)).toEqual(['HelloFlow', 'ParamsFlow']);
    expect(list.latestFirings).toEqual([firing('new', at + 5)]);
  });

  it("gives the deployed flow's parameters: type, required, default, help and the deploy-time value", async () => {
    const { status, body } = await get('/deployments/ParamsFlow/parameters');
    expect(status).toBe(200);
    expect((body as { parameters: unknown[] }).parameters).toEqual([
      {
        name: 'alpha',
        cliName: 'alpha',
        type: 'number',
        required: false,
        help: 'learning rate',
        default: 0.01,
        value: 0.5,
      },
      {
        name: 'dataset',
        cliName: 'dataset',
        type: 'string',
        required: true,
        help: 'dataset name',
        value: 'sales',
      },
      { name: 'verbose', cliName: 'verbose', type: 'boolean', required: false, help: null, default: false },
      {
        name: 'config',
        cliName: 'config',
        type: 'json',
        required: false,
        help: null,
        default: { layers: [8] },
      },
    ]);
    expect(await get('/deployments/HelloFlow/parameters')).toEqual({ status: 200, body: { parameters: [] } });
  });

  it('pausing and resuming emit flowtrail.deployment.paused / resumed on the deployment', async () => {
    for (const status of ['paused', 'active'] as const) {
      const r = await fetch(`${t.server.url}/api/v1/deployments/HelloFlow/status`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.keys.write}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status, at: Date.now() }),
      });
      expect(r.status).toBe(200);
    }
    const { events } = await t.server.stores.events.query({
      resource: { id: ['flowtrail.deployment.HelloFlow'] },
      order: 'asc',
    });
    expect(events.map((e) => e.event)).toEqual([
      'flowtrail.deployment.paused',
      'flowtrail.deployment.resumed',
    ]);
    expect((await t.server.stores.deployments.get('HelloFlow'))?.status).toBe('active');
  });

  it('answers 404 naming the deployment that does not exist', async () => {
    const { status, body } = await get('/deployments/NoSuchFlow/parameters');
    expect(status).toBe(404);
    expect(JSON.stringify(body)).toContain("no deployment of 'NoSuchFlow'");
  });
});
