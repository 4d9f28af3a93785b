/**
 * The automation API of `flowtrail` as a user calls it: against a home (the client checks and
 * emits, as a server would) and against a service (the server does, once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths } from '../../src/core/config.ts';
import {
  type AutomationInput,
  automationHistory,
  ConflictError,
  createAutomation,
  defaultMetadata,
  deleteAutomation,
  deleteSecret,
  draftAutomationFromEvent,
  emitEvent,
  getAutomation,
  listAutomations,
  listEvents,
  listSecrets,
  metadata,
  NotFoundError,
  replaceAutomation,
  setAutomationEnabled,
  setSecret,
  ValidationError,
} from '../../src/index.ts';
import { openDatabaseStores } from '../../src/store/open.ts';
import { type TempHome, tempHome } from '../../src/testing/index.ts';
import { deploymentRecord } from '../automations/deployment-record.ts';
import { startTestServer, type TestServer } from '../server/server-fixture.ts';

const retryNightly: AutomationInput = {
  name: 'retry failed nightly',
  trigger: {
    type: 'event',
    expect: ['flowtrail.run.failed'],
    match: { 'flowtrail.resource.id': 'flowtrail.run.NightlyFlow/*' },
  },
  actions: [{ type: 'run-deployment', deployment: 'NightlyFlow' }],
};

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function changeEvents(id: string): Promise<string[]> {
  const page = await listEvents({ resource: { id: [`flowtrail.automation.${id}`] }, order: 'asc' });
  return page.events.map((e) => e.event);
}

let home: TempHome;

beforeAll(async () => {
  home = await tempHome();
  const stores = await openDatabaseStores({ kind: 'sqlite', file: homePaths(home.path).database });
  await stores.deployments.upsert(deploymentRecord('NightlyFlow'));
  await stores.close();
  metadata(home.path);
});
afterAll(async () => {
  defaultMetadata();
  await home?.[Symbol.asyncDispose]();
});

describe('local mode (a home)', () => {
  it('create, get, list, replace, disable, history, delete — each change emitted once', async () => {
    const a = await createAutomation({ ...retryNightly, tags: ['ops'] });
    expect(a).toMatchObject({
      name: 'retry failed nightly',
      enabled: true,
      tags: ['ops'],
      lastFiredAt: null,
    });
    expect(await getAutomation(a.id)).toEqual(a);
    expect((await listAutomations({ tag: 'ops' })).map((x) => x.id)).toEqual([a.id]);
    const renamed = await replaceAutomation(a.id, { ...a, name: 'renamed' });
    expect(renamed).toMatchObject({ id: a.id, name: 'renamed', createdAt: a.createdAt });
    expect((await setAutomationEnabled(a.id, false)).enabled).toBe(false);
    expect(await automationHistory(a.id)).toEqual([]);
    await deleteAutomation(a.id);
    expect(await rejection(getAutomation(a.id))).toBeInstanceOf(NotFoundError);
    expect(await changeEvents(a.id)).toEqual([
      'flowtrail.automation.created',
      'flowtrail.automation.updated',
      'flowtrail.automation.updated',
      'flowtrail.automation.deleted',
    ]);
  });

  it('bad input rejects with a ValidationError naming the field; a taken id with a ConflictError', async () => {
    const unknown = await rejection(
      createAutomation({ ...retryNightly, actions: [{ type: 'run-deployment', deployment: 'Nope' }] }),
    );
    expect(unknown).toBeInstanceOf(ValidationError);
    expect((unknown as ValidationError).field).toBe('actions[0].deployment');
    const threshold = await rejection(
      createAutomation({ ...retryNightly, trigger: { type: 'event', expect: ['x'], threshold: 0 } }),
    );
    expect((threshold as ValidationError).field).toBe('trigger.threshold');
    const a = await createAutomation(retryNightly);
    expect(await rejection(createAutomation({ ...retryNightly, id: a.id }))).toBeInstanceOf(ConflictError);
    expect(await rejection(automationHistory(a.id, { limit: 0 }))).toBeInstanceOf(ValidationError);
  });

  it('a draft from an event id or an event, then saved', async () => {
    const event = await emitEvent({
      event: 'dataset.refreshed',
      resource: { 'flowtrail.resource.id': 'dataset.sales', 'flowtrail.resource.name': 'sales' },
    });
    const draft = await draftAutomationFromEvent(event.id);
    expect(draft).toEqual(await draftAutomationFromEvent(event));
    expect(draft.name).toBe('dataset.refreshed on sales');
    const absent = await draftAutomationFromEvent(event.id, { posture: 'proactive', within: '1h' });
    expect(absent.trigger).toMatchObject({ posture: 'proactive', within: '1h' });
    const saved = await createAutomation(absent);
    expect(saved.trigger).toMatchObject({ type: 'event', posture: 'proactive', withinMs: 3_600_000 });
    const tooShort = await rejection(
      draftAutomationFromEvent(event.id, { posture: 'proactive', within: '5s' }),
    );
    expect((tooShort as ValidationError).field).toBe('trigger.within');
    expect(await rejection(draftAutomationFromEvent('0190a6f2-3c4d-7a1b-8e2f-0123456789ab'))).toBeInstanceOf(
      NotFoundError,
    );
  });

  it('secrets: set, list names, delete; a webhook names one', async () => {
    await setSecret('pager', { Authorization: 'Bearer local' });
    expect((await listSecrets()).map((s) => s.name)).toEqual(['pager']);
    await createAutomation({
      ...retryNightly,
      actions: [{ type: 'call-webhook', url: 'https://hooks.example.com/x', headersSecret: 'pager' }],
    });
    await deleteSecret('pager');
    expect(await listSecrets()).toEqual([]);
    expect(await rejection(deleteSecret('pager'))).toBeInstanceOf(NotFoundError);
    const bad = await rejection(setSecret('pager', { 'no spaces': 'x' }));
    expect((bad as ValidationError).field).toBe('value.no spaces');
  });
});

describe('remote mode (a service)', () => {
  let t: TestServer;
  const saved = process.env.FLOWTRAIL_API_KEY;
  beforeAll(async () => {
    t = await startTestServer();
    await t.server.stores.deployments.upsert(deploymentRecord('NightlyFlow'));
    process.env.FLOWTRAIL_API_KEY = t.keys.admin;
    metadata(t.server.url);
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.FLOWTRAIL_API_KEY;
    else process.env.FLOWTRAIL_API_KEY = saved;
    metadata(home.path);
    await t?.stop();
  });

  it('the server checks, saves and emits (once); errors come back typed with their field', async () => {
    const a = await createAutomation(retryNightly);
    expect(await t.server.stores.automations.get(a.id)).toEqual(a);
    expect((await setAutomationEnabled(a.id, false)).enabled).toBe(false);
    expect((await listAutomations({ enabled: false })).map((x) => x.id)).toEqual([a.id]);
    expect(await automationHistory(a.id)).toEqual([]);
    await deleteAutomation(a.id);
    expect(await changeEvents(a.id)).toEqual([
      'flowtrail.automation.created',
      'flowtrail.automation.updated',
      'flowtrail.automation.deleted',
    ]);
    const unknown = await rejection(
      createAutomation({ ...retryNightly, actions: [{ type: 'pause-deployment', deployment: 'Nope' }] }),
    );
    expect(unknown).toBeInstanceOf(ValidationError);
    expect((unknown as ValidationError).field).toBe('actions[0].deployment');
    expect(await rejection(getAutomation(a.id))).toBeInstanceOf(NotFoundError);
    expect(await rejection(deleteAutomation(a.id))).toBeInstanceOf(NotFoundError);
  });

  it('drafts and secrets go through the service too', async () => {
    const event = await emitEvent({ event: 'job.done', resource: { 'flowtrail.resource.id': 'job.7' } });
    expect((await draftAutomationFromEvent(event.id)).name).toBe('job.done on job.7');
    await setSecret('remote', { 'X-Token': 't' });
    expect((await listSecrets()).map((s) => s.name)).toEqual(['remote']);
    expect(await t.server.stores.secrets.get('remote')).toEqual({ 'X-Token': 't' });
    await deleteSecret('remote');
    expect(await listSecrets()).toEqual([]);
  });
});
