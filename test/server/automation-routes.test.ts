/**
 * The automation and secret routes of a real server (SQLite, authentication required, no trigger
 * engine so the test may hold the engine lease to record firings): each route, each 422 of issue
 * 12's "bad input" list naming its field, 404, 409 for a deployment's own automation, scopes, the
 * `flowtrail.automation.*` events, and the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { automationTriggeredEvent } from '../../src/automations/automation-events.ts';
import { eventToJSON } from '../../src/automations/event-json.ts';
import type { Firing } from '../../src/automations/trigger-state.ts';
import type { ApiKeyScope } from '../../src/store/api-key-store.ts';
import type { AutomationRecord, FiringHistoryEntry } from '../../src/store/automation-store.ts';
import { ownedAutomationId, ownedAutomationOf } from '../../src/store/deployment-automation.ts';
import { deploymentRecord } from '../automations/deployment-record.ts';
import { startTestServer, type TestServer } from './server-fixture.ts';

let t: TestServer;
let base: string;

beforeAll(async () => {
  t = await startTestServer({ triggers: false });
  base = `${t.server.url}/api/v1`;
  await t.server.stores.deployments.upsert(deploymentRecord('NightlyFlow'));
  await t.server.stores.deployments.upsert(
    deploymentRecord('OwnedFlow', { events: [{ name: 'dataset.refreshed', parameters: {} }] }),
  );
});
afterAll(async () => {
  await t?.stop();
});

interface Answer<T> {
  status: number;
  body: T;
}
interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

async function call<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  scope: ApiKeyScope = 'write',
): Promise<Answer<T>> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${t.keys[scope]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

const onFailure = (extra: Record<string, unknown> = {}) => ({
  name: 'retry failed nightly',
  tags: ['ops'],
  trigger: {
    type: 'event',
    expect: ['flowtrail.run.failed'],
    match: { 'flowtrail.resource.id': 'flowtrail.run.NightlyFlow/*' },
  },
  actions: [{ type: 'run-deployment', deployment: 'NightlyFlow' }],
  ...extra,
});

async function created(input: unknown = onFailure()): Promise<AutomationRecord> {
  const r = await call<AutomationRecord>('POST', '/automations', input);
  expect(r.status).toBe(201);
  return r.body;
}

/** The 422 of a POST, with the field it names. */
async function refused(
  input: unknown,
  field: string,
  method = 'POST',
  path = '/automations',
): Promise<ErrorBody['error']> {
  const r = await call<ErrorBody>(method, path, input);
  expect(r.status, JSON.stringify(r.body)).toBe(422);
  expect(r.body.error.code).toBe('VALIDATION');
  expect(r.body.error.details.field).toBe(field);
  return r.body.error;
}

async function changeEvents(id: string): Promise<string[]> {
  const page = await t.server.stores.events.query(
    { resource: { id: [`flowtrail.automation.${id}`] }, order: 'asc' },
    { limit: 50 },
  );
  return page.events.map((e) => e.event);
}

describe('create, read, list', () => {
  it('POST /automations → 201 with the normalized record; GET returns it; created is emitted once', async () => {
    const a = await created();
    expect(a).toMatchObject({
      name: 'retry failed nightly',
      enabled: true,
      description: '',
      tags: ['ops'],
      ownerResource: null,
      lastFiredAt: null,
      trigger: { type: 'event', posture: 'reactive', threshold: 1, withinMs: 0 },
      actions: [{ type: 'run-deployment', deployment: 'NightlyFlow', parameters: {} }],
    });
    expect(typeof a.createdAt).toBe('number');
    const got = await call<AutomationRecord>('GET', `/automations/${a.id}`, undefined, 'read');
    expect(got).toEqual({ status: 200, body: a });
    expect(await changeEvents(a.id)).toEqual(['flowtrail.automation.created']);
  });

  it('a second POST with the same id → 409', async () => {
    const a = await created();
    const again = await call<ErrorBody>('POST', '/automations', onFailure({ id: a.id }));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
  });

  it('GET /automations filters by owner, unowned, enabled, tag and relatedTo', async () => {
    const tagged = await created(onFailure({ name: 'tagged one', tags: ['special'], enabled: false }));
    const list = async (query: string) =>
      (await call<{ automations: AutomationRecord[] }>('GET', `/automations${query}`, undefined, 'read')).body
        .automations;
    const all = await list('');
    expect(all.map((a) => a.id)).toContain(tagged.id);
    expect(all.map((a) => a.name)).toEqual([...all.map((a) => a.name)].sort());
    expect((await list('?tag=special')).map((a) => a.id)).toEqual([tagged.id]);
    expect((await list('?enabled=false')).map((a) => a.id)).toContain(tagged.id);
    expect((await list('?enabled=true')).map((a) => a.id)).not.toContain(tagged.id);
    expect((await list('?unowned=true')).map((a) => a.id)).toContain(tagged.id);
    expect(await list('?owner=flowtrail.deployment.Nobody')).toEqual([]);
    expect((await list('?relatedTo=flowtrail.deployment.NightlyFlow')).map((a) => a.id)).toContain(tagged.id);
    const both = await call<ErrorBody>('GET', '/automations?owner=x&unowned=true', undefined, 'read');
    expect(both.status).toBe(422);
    expect((await call<ErrorBody>('GET', '/automations?enabled=yes', undefined, 'read')).status).toBe(422);
  });

  it('an unknown id → 404 on every route of one automation', async () => {
    const missing = '0190a6f2-3c4d-7a1b-8e2f-0123456789ab';
    for (const [method, path, body] of [
      ['GET', `/automations/${missing}`, undefined],
      ['PUT', `/automations/${missing}`, onFailure()],
      ['PATCH', `/automations/${missing}`, { enabled: false }],
      ['DELETE', `/automations/${missing}`, undefined],
      ['GET', `/automations/${missing}/history`, undefined],
    ] as const) {
      const r = await call<ErrorBody>(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body.error.code).toBe('NOT_FOUND');
      expect(r.body.error.message).toContain(missing);
    }
  });
});

describe('bad input (issue 12): a 422 naming the field', () => {
  const event = (extra: Record<string, unknown>) =>
    onFailure({ trigger: { type: 'event', expect: ['x.y'], ...extra } });

  it('unknown trigger type', () => refused(onFailure({ trigger: { type: 'metric' } }), 'trigger.type'));
  it('bad glob', () => refused(event({ expect: ['dataset refreshed'] }), 'trigger.expect[0]'));
  it('threshold 0', () => refused(event({ threshold: 0 }), 'trigger.threshold'));
  it('proactive within under 10 s', () =>
    refused(event({ posture: 'proactive', within: '5s' }), 'trigger.within'));
  it('unknown deployment', async () => {
    const error = await refused(
      onFailure({ actions: [{ type: 'do-nothing' }, { type: 'run-deployment', deployment: 'NoSuchFlow' }] }),
      'actions[1].deployment',
    );
    expect(error.message).toContain('NoSuchFlow');
    await refused(
      onFailure({ actionsOnTrigger: [{ type: 'pause-deployment', deployment: 'NoSuchFlow' }] }),
      'actionsOnTrigger[0].deployment',
    );
  });
  it('template syntax error', () =>
    refused(
      onFailure({
        actions: [
          { type: 'run-deployment', deployment: 'NightlyFlow', parameters: { n: '{{ event.payload.n' } },
        ],
      }),
      'actions[0].parameters.n',
    ));
  it('loop', async () => {
    const error = await refused(
      onFailure({ trigger: { type: 'event', expect: ['flowtrail.run.*'], match: {} } }),
      'trigger.expect',
    );
    expect(error.details.rule).toBe('loop');
  });
  it('a webhook secret that is not stored', () =>
    refused(
      onFailure({
        actions: [{ type: 'call-webhook', url: 'https://hooks.example.com/x', headersSecret: 'nope' }],
      }),
      'actions[0].headersSecret',
    ));
  it('a pause/resume-automation id that does not exist', () =>
    refused(
      onFailure({
        actions: [{ type: 'resume-automation', automation: '0190a6f2-3c4d-7a1b-8e2f-0123456789ab' }],
      }),
      'actions[0].automation',
    ));
  it("an owner reserved for a deployment's own automation", () =>
    refused(onFailure({ ownerResource: 'flowtrail.deployment.NightlyFlow' }), 'ownerResource'));
  it('not JSON → 400; an unknown key → 422 naming it', async () => {
    const r = await call<ErrorBody>('POST', '/automations', '{"name": ');
    expect(r.status).toBe(400);
    await refused({ ...onFailure(), colour: 'blue' }, 'automation.colour');
  });
  it('nothing was saved by a refused request', async () => {
    const all = (await call<{ automations: AutomationRecord[] }>('GET', '/automations', undefined, 'read'))
      .body.automations;
    expect(
      all.every((a) => a.actions.every((x) => !('deployment' in x) || x.deployment !== 'NoSuchFlow')),
    ).toBe(true);
  });
});

describe('replace, enable, delete', () => {
  it('PUT replaces (a record read back is accepted), emits updated; a different id in the body → 422', async () => {
    const a = await created();
    const r = await call<AutomationRecord>('PUT', `/automations/${a.id}`, { ...a, name: 'renamed' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: a.id, name: 'renamed', createdAt: a.createdAt });
    await refused(
      { ...onFailure(), id: '0190a6f2-3c4d-7a1b-8e2f-0123456789ab' },
      'id',
      'PUT',
      `/automations/${a.id}`,
    );
    await refused(
      onFailure({ trigger: { type: 'event', expect: [] } }),
      'trigger.expect',
      'PUT',
      `/automations/${a.id}`,
    );
    expect(await changeEvents(a.id)).toEqual([
      'flowtrail.automation.created',
      'flowtrail.automation.updated',
    ]);
  });

  it('PATCH {enabled} disables and enables (an unchanged state emits nothing); a bad body → 422', async () => {
    const a = await created();
    const off = await call<AutomationRecord>('PATCH', `/automations/${a.id}`, { enabled: false });
    expect(off.status).toBe(200);
    expect(off.body.enabled).toBe(false);
    expect(
      (await call<AutomationRecord>('PATCH', `/automations/${a.id}`, { enabled: false })).body.enabled,
    ).toBe(false);
    expect(
      (await call<AutomationRecord>('PATCH', `/automations/${a.id}`, { enabled: true })).body.enabled,
    ).toBe(true);
    await refused({ enabled: 'yes' }, 'enabled', 'PATCH', `/automations/${a.id}`);
    expect(await changeEvents(a.id)).toEqual([
      'flowtrail.automation.created',
      'flowtrail.automation.updated',
      'flowtrail.automation.updated',
    ]);
  });

  it('DELETE removes it (then 404) and emits deleted', async () => {
    const a = await created();
    expect(await call('DELETE', `/automations/${a.id}`)).toEqual({ status: 200, body: { deleted: true } });
    expect((await call('GET', `/automations/${a.id}`, undefined, 'read')).status).toBe(404);
    expect((await call('DELETE', `/automations/${a.id}`)).status).toBe(404);
    expect(await changeEvents(a.id)).toEqual([
      'flowtrail.automation.created',
      'flowtrail.automation.deleted',
    ]);
  });

  it("a deployment's own automation is listed under its owner, but PUT, PATCH and DELETE → 409", async () => {
    const stores = t.server.stores;
    const owned = ownedAutomationOf((await stores.deployments.get('OwnedFlow'))!)!;
    if (!(await stores.automations.get(ownedAutomationId('OwnedFlow'))))
      await stores.automations.create(owned, Date.now());
    const listed = await call<{ automations: AutomationRecord[] }>(
      'GET',
      '/automations?owner=flowtrail.deployment.OwnedFlow',
      undefined,
      'read',
    );
    expect(listed.body.automations.map((a) => a.id)).toEqual([owned.id]);
    for (const [method, body] of [
      ['PUT', { ...owned, name: 'mine now', ownerResource: null }],
      ['PATCH', { enabled: false }],
      ['DELETE', undefined],
    ] as const) {
      const r = await call<ErrorBody>(method, `/automations/${owned.id}`, body);
      expect(r.status, method).toBe(409);
      expect(r.body.error.code).toBe('CONFLICT');
      expect(r.body.error.message).toContain('OwnedFlow');
    }
    expect(
      (await call<AutomationRecord>('GET', `/automations/${owned.id}`, undefined, 'read')).body.name,
    ).toBe(owned.name);
  });
});

describe('history', () => {
  it('firings newest first with their actions; limit and before page; a bad limit → 422', async () => {
    const a = await created(onFailure({ actions: [{ type: 'do-nothing' }] }));
    expect(await call('GET', `/automations/${a.id}/history`, undefined, 'read')).toEqual({
      status: 200,
      body: { history: [] },
    });
    const stores = t.server.stores;
    const now = Date.now();
    expect(await stores.deployments.acquireLease('history-test', now, now + 60_000)).toBe(true);
    const firing = (n: number): Firing => ({
      id: `firing-${a.id}-${n}`,
      automation: a.id,
      trigger: 'trigger',
      triggered: now + n,
      at: now + n,
      labels: {},
      event: null,
      children: [],
    });
    const firings = [1, 2, 3].map((n) => ({
      id: firing(n).id,
      automation: a.id,
      firing: firing(n),
      eventIds: [],
      triggeredAt: now + n,
    }));
    const committed = await stores.automations.commitEvaluation(
      {
        owner: 'history-test',
        position: null,
        states: [],
        firings,
        actions: firings.map((f) => ({
          id: `${f.id}:actions:0`,
          firing: f.id,
          automation: a.id,
          list: 'actions' as const,
          index: 0,
          action: { type: 'do-nothing' as const },
          status: 'pending' as const,
          attempts: 0,
          message: null,
          target: null,
          createdAt: now,
          finishedAt: null,
        })),
      },
      now,
    );
    await stores.deployments.releaseLease('history-test');
    expect(committed).toBe(true);
    const all = await call<{ history: FiringHistoryEntry[] }>(
      'GET',
      `/automations/${a.id}/history`,
      undefined,
      'read',
    );
    expect(all.body.history.map((h) => h.firing.id)).toEqual([
      firings[2]!.id,
      firings[1]!.id,
      firings[0]!.id,
    ]);
    expect(all.body.history[0]!.actions.map((x) => [x.action.type, x.status])).toEqual([
      ['do-nothing', 'pending'],
    ]);
    const page = await call<{ history: FiringHistoryEntry[] }>(
      'GET',
      `/automations/${a.id}/history?limit=1&before=${now + 3}`,
      undefined,
      'read',
    );
    expect(page.body.history.map((h) => h.firing.id)).toEqual([firings[1]!.id]);
    const bad = await call<ErrorBody>('GET', `/automations/${a.id}/history?limit=0`, undefined, 'read');
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.field).toBe('limit');
  });
});

describe('history paging and what an event caused', () => {
  it('firings of one ms page with before + beforeId (none skipped); an event lists exactly the firings it took part in', async () => {
    const a = await created(onFailure({ name: 'same-ms', actions: [{ type: 'do-nothing' }] }));
    const b = await created(onFailure({ name: 'other', actions: [{ type: 'do-nothing' }] }));
    const stores = t.server.stores;
    const [cause, other] = (
      await Promise.all(
        ['cause.seen', 'other.seen'].map(async (name) => {
          const r = await call<{ ids: string[] }>('POST', '/events', {
            events: [{ event: name, resource: { 'flowtrail.resource.id': 'thing.one' } }],
          });
          expect(r.status).toBe(200);
          return (await stores.events.query({ id: r.body.ids }, { limit: 1 })).events[0]!;
        }),
      )
    ).map((e) => eventToJSON(e!));
    const now = Date.now();
    const firing = (automation: string, n: number, event: typeof cause): Firing => ({
      id: `same-ms-${automation}-${n}`,
      automation,
      trigger: 'trigger',
      triggered: now,
      at: now,
      labels: {},
      event: event ?? null,
      children: [],
    });
    // Five firings of `a` in one ms (the first two caused by `cause`), one of `b` caused by it.
    const all = [
      ...[0, 1, 2, 3, 4].map((n) => firing(a.id, n, n < 2 ? cause : other)),
      firing(b.id, 0, cause),
    ];
    expect(await stores.deployments.acquireLease('paging-test', now, now + 60_000)).toBe(true);
    const committed = await stores.automations.commitEvaluation(
      {
        owner: 'paging-test',
        position: null,
        states: [],
        firings: all.map((f) => ({
          id: f.id,
          automation: f.automation,
          firing: f,
          eventIds: [f.event!.id],
          triggeredAt: now,
        })),
        actions: all.map((f) => ({
          id: `${f.id}:actions:0`,
          firing: f.id,
          automation: f.automation,
          list: 'actions' as const,
          index: 0,
          action: { type: 'do-nothing' as const },
          status: 'pending' as const,
          attempts: 0,
          message: null,
          target: null,
          createdAt: now,
          finishedAt: null,
        })),
        events: all.map((f) => automationTriggeredEvent(f.automation === a.id ? a : b, f, now)),
      },
      now,
    );
    await stores.deployments.releaseLease('paging-test');
    expect(committed).toBe(true);

    const seen: string[] = [];
    let query = 'limit=2';
    for (let i = 0; i < 5; i++) {
      const page = await call<{ history: FiringHistoryEntry[] }>(
        'GET',
        `/automations/${a.id}/history?${query}`,
        undefined,
        'read',
      );
      expect(page.status).toBe(200);
      if (page.body.history.length === 0) break;
      seen.push(...page.body.history.map((h) => h.firing.id));
      const last = page.body.history.at(-1)!.firing;
      query = `limit=2&before=${last.triggeredAt}&beforeId=${encodeURIComponent(last.id)}`;
    }
    expect(seen).toEqual([4, 3, 2, 1, 0].map((n) => `same-ms-${a.id}-${n}`));
    const lonely = await call<ErrorBody>('GET', `/automations/${a.id}/history?beforeId=x`, undefined, 'read');
    expect(lonely.status).toBe(422);
    expect(lonely.body.error.details.field).toBe('beforeId');

    const caused = await call<{ firings: FiringHistoryEntry[] }>(
      'GET',
      `/events/${cause!.id}/automation-firings`,
      undefined,
      'read',
    );
    expect(caused.status).toBe(200);
    expect(caused.body.firings.map((h) => h.firing.id).sort()).toEqual(
      [`same-ms-${a.id}-0`, `same-ms-${a.id}-1`, `same-ms-${b.id}-0`].sort(),
    );
    expect(caused.body.firings.every((h) => h.actions.length === 1)).toBe(true);
    const none = await call<{ firings: FiringHistoryEntry[] }>(
      'GET',
      `/events/0190a000-0000-7000-8000-00000000dead/automation-firings`,
      undefined,
      'read',
    );
    expect(none.body.firings).toEqual([]);
  });
});

describe('a draft from an event', () => {
  it("GET /events/{id}/automation-draft: a trigger on the event's resource and name; POSTed, it saves", async () => {
    const emitted = await call<{ ids: string[] }>('POST', '/events', {
      event: 'dataset.refreshed',
      resource: { 'flowtrail.resource.id': 'dataset.sales', 'flowtrail.resource.name': 'sales' },
    });
    const id = emitted.body.ids[0]!;
    const draft = await call<Record<string, unknown>>(
      'GET',
      `/events/${id}/automation-draft`,
      undefined,
      'read',
    );
    expect(draft.status).toBe(200);
    expect(draft.body).toMatchObject({
      name: 'dataset.refreshed on sales',
      trigger: {
        type: 'event',
        match: { 'flowtrail.resource.id': 'dataset.sales' },
        expect: ['dataset.refreshed'],
      },
      actions: [{ type: 'do-nothing' }],
    });
    expect((await call('POST', '/automations', draft.body)).status).toBe(201);

    const absent = await call<Record<string, unknown>>(
      'GET',
      `/events/${id}/automation-draft?posture=proactive&within=600&name=late`,
      undefined,
      'read',
    );
    expect(absent.body).toMatchObject({ name: 'late', trigger: { posture: 'proactive', within: 600 } });
    const short = await call<ErrorBody>(
      'GET',
      `/events/${id}/automation-draft?posture=proactive&within=5s`,
      undefined,
      'read',
    );
    expect(short.status).toBe(422);
    expect(short.body.error.details.field).toBe('trigger.within');
    expect(
      (await call('GET', '/events/0190a6f2-3c4d-7a1b-8e2f-0123456789ab/automation-draft', undefined, 'read'))
        .status,
    ).toBe(404);
    const badId = await call<ErrorBody>('GET', '/events/not-an-id/automation-draft', undefined, 'read');
    expect(badId.status).toBe(422);
    expect(badId.body.error.details.field).toBe('eventId');
  });
});

describe('secrets', () => {
  it('PUT, GET (names only), DELETE; a webhook may then name the secret', async () => {
    expect(
      (await call('PUT', '/secrets/pager', { value: { Authorization: 'Bearer s3cr3t' } }, 'admin')).status,
    ).toBe(204);
    const listed = await call<{ secrets: { name: string; updatedAt: number }[] }>(
      'GET',
      '/secrets',
      undefined,
      'admin',
    );
    expect(listed.body.secrets.map((s) => s.name)).toContain('pager');
    expect(JSON.stringify(listed.body)).not.toContain('s3cr3t');
    const hook = await created(
      onFailure({
        actions: [{ type: 'call-webhook', url: 'https://hooks.example.com/x', headersSecret: 'pager' }],
      }),
    );
    expect(JSON.stringify(hook)).not.toContain('s3cr3t');
    expect(await call('DELETE', '/secrets/pager', undefined, 'admin')).toEqual({
      status: 200,
      body: { deleted: true },
    });
    expect((await call('DELETE', '/secrets/pager', undefined, 'admin')).status).toBe(404);
  });

  it('a bad name or header → 422 naming it', async () => {
    const name = await call<ErrorBody>('PUT', '/secrets/bad%20name', { value: { A: 'b' } }, 'admin');
    expect(name.status).toBe(422);
    expect(name.body.error.details.field).toBe('name');
    const header = await call<ErrorBody>('PUT', '/secrets/ok', { value: { 'bad header': 'x' } }, 'admin');
    expect(header.status).toBe(422);
    expect(header.body.error.details.field).toBe('value.bad header');
    const line = await call<ErrorBody>('PUT', '/secrets/ok', { value: { A: 'x\r\nB: y' } }, 'admin');
    expect(line.body.error.details.field).toBe('value.A');
    const shape = await call<ErrorBody>('PUT', '/secrets/ok', { value: 'text' }, 'admin');
    expect(shape.body.error.details.field).toBe('value');
  });
});

describe('scopes', () => {
  it('read keys read, write keys change automations, only admin keys touch secrets', async () => {
    const a = await created();
    const expectStatus = async (
      scope: ApiKeyScope,
      method: string,
      path: string,
      status: number,
      body?: unknown,
    ) => expect((await call(method, path, body, scope)).status, `${scope} ${method} ${path}`).toBe(status);
    await expectStatus('read', 'GET', '/automations', 200);
    await expectStatus('read', 'GET', `/automations/${a.id}/history`, 200);
    await expectStatus('read', 'POST', '/automations', 403, onFailure());
    await expectStatus('read', 'PUT', `/automations/${a.id}`, 403, onFailure());
    await expectStatus('read', 'PATCH', `/automations/${a.id}`, 403, { enabled: false });
    await expectStatus('read', 'DELETE', `/automations/${a.id}`, 403);
    await expectStatus('write', 'PUT', '/secrets/s', 403, { value: { A: 'b' } });
    await expectStatus('write', 'GET', '/secrets', 403);
    await expectStatus('write', 'DELETE', '/secrets/s', 403);
    const anonymous = await fetch(`${base}/automations`);
    expect(anonymous.status).toBe(401);
  });
});

describe('OpenAPI', () => {
  it('documents every automation route with its scope and schemas', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string; 'x-flowtrail-scope': string }>>;
      components: { schemas: Record<string, unknown> };
    };
    const ops = (path: string) =>
      Object.fromEntries(
        Object.entries(doc.paths[path] ?? {}).map(([m, o]) => [m, [o.operationId, o['x-flowtrail-scope']]]),
      );
    expect(ops('/api/v1/automations')).toEqual({
      post: ['createAutomation', 'write'],
      get: ['listAutomations', 'read'],
    });
    expect(ops('/api/v1/automations/{id}')).toEqual({
      get: ['getAutomation', 'read'],
      put: ['replaceAutomation', 'write'],
      patch: ['setAutomationEnabled', 'write'],
      delete: ['deleteAutomation', 'write'],
    });
    expect(ops('/api/v1/automations/{id}/history')).toEqual({ get: ['automationHistory', 'read'] });
    expect(ops('/api/v1/events/{eventId}/automation-draft')).toEqual({
      get: ['draftAutomationFromEvent', 'read'],
    });
    expect(ops('/api/v1/secrets/{name}')).toEqual({
      put: ['setSecret', 'admin'],
      delete: ['deleteSecret', 'admin'],
    });
    for (const id of [
      'AutomationInput',
      'Automation',
      'AutomationTrigger',
      'AutomationAction',
      'AutomationHistoryEntry',
    ])
      expect(doc.components.schemas).toHaveProperty(id);
  });
});
