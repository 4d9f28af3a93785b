/**
 * The HTTP API of a real server (SQLite store, authentication required): auth, bad input, the
 * error shape, OpenAPI, health, and the live event stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnauthenticatedError, ValidationError } from '../../src/core/errors.ts';
import { newApiKey } from '../../src/server/auth.ts';
import { startServer } from '../../src/server/server.ts';
import { startTestServer, type TestServer } from './server-fixture.ts';

let t: TestServer;
let base: string;

beforeAll(async () => {
  t = await startTestServer({ maxBodyBytes: 64 * 1024 });
  base = `${t.server.url}/api/v1`;
});
afterAll(async () => {
  await t.stop();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
const event = (name = 'dataset.refreshed') => ({
  event: name,
  resource: { 'flowtrail.resource.id': 'dataset.sales' },
});

async function errorOf(
  response: Response,
): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  const body = (await response.json()) as {
    error: { code: string; message: string; details: Record<string, unknown> };
  };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'details', 'message']);
  return body.error;
}

describe('authentication', () => {
  it('no key → 401 UNAUTHENTICATED; health stays public', async () => {
    const r = await fetch(`${base}/flows`);
    expect(r.status).toBe(401);
    expect((await errorOf(r)).code).toBe('UNAUTHENTICATED');
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
  });

  it('a wrong key, a malformed header or a revoked key → 401', async () => {
    const { key } = newApiKey('never-stored', 'admin');
    for (const headers of [
      bearer(key),
      // Right id, wrong secret (the last character changed, whatever it was).
      bearer(`${t.keys.admin.slice(0, -1)}${t.keys.admin.endsWith('x') ? 'y' : 'x'}`),
      { authorization: t.keys.admin }, // no "Bearer"
      bearer('not-a-key'),
    ]) {
      const r = await fetch(`${base}/flows`, { headers });
      expect(r.status).toBe(401);
      expect((await errorOf(r)).code).toBe('UNAUTHENTICATED');
    }
    const { key: revoked, record } = newApiKey('revoked', 'admin');
    await t.server.stores.apiKeys.create(record);
    expect((await fetch(`${base}/flows`, { headers: bearer(revoked) })).status).toBe(200);
    await t.server.stores.apiKeys.revoke(record.id, Date.now());
    await new Promise((r) => setTimeout(r, 2100)); // the verified-key cache lives 2 s
    const r = await fetch(`${base}/flows`, { headers: bearer(revoked) });
    expect(r.status).toBe(401);
    expect((await errorOf(r)).message).toContain('revoked');
  });

  it('a read key may read but writing → 403 FORBIDDEN naming the scope needed', async () => {
    expect((await fetch(`${base}/flows`, { headers: bearer(t.keys.read) })).status).toBe(200);
    const r = await post('/events', JSON.stringify(event()), bearer(t.keys.read));
    expect(r.status).toBe(403);
    const error = await errorOf(r);
    expect(error.code).toBe('FORBIDDEN');
    expect(error.details).toEqual({ required: 'write', scope: 'read' });
    // A write key writes, but admin routes stay closed to it.
    expect((await post('/events', JSON.stringify(event()), bearer(t.keys.write))).status).toBe(200);
    const admin = await post(
      '/events/retention',
      JSON.stringify({ retentionMs: 1e12 }),
      bearer(t.keys.write),
    );
    expect(admin.status).toBe(403);
    expect(
      (await post('/events/retention', JSON.stringify({ retentionMs: 1e12 }), bearer(t.keys.admin))).status,
    ).toBe(200);
  });

  it('the adapters raise the same classes', async () => {
    const anonymous = await import('../../src/store/http/index.ts').then((m) =>
      m.openServiceStores({ url: t.server.url }),
    );
    await expect(anonymous.metadata.listFlows()).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('keys never appear in logs or responses', async () => {
    const responses: string[] = [];
    for (const key of Object.values(t.keys)) {
      responses.push(await (await fetch(`${base}/version`, { headers: bearer(key) })).text());
      responses.push(await (await post('/events', '{"x":', bearer(key))).text());
      responses.push(await (await fetch(`${base}/nope`, { headers: bearer(key) })).text());
    }
    responses.push(await (await fetch(`${base}/flows`, { headers: bearer(`${t.keys.admin}x`) })).text());
    const everything = [...responses, ...t.logs].join('\n');
    expect(t.logs.length).toBeGreaterThan(5);
    for (const key of Object.values(t.keys)) {
      expect(everything).not.toContain(key);
      expect(everything).not.toContain(key.slice('ftk_'.length + 13)); // not even the secret part
    }
  });
});

describe('bad input', () => {
  it('malformed JSON → 400 naming the problem', async () => {
    const r = await post('/events', '{"event": "x",', bearer(t.keys.write));
    expect(r.status).toBe(400);
    const error = await errorOf(r);
    expect(error.code).toBe('MALFORMED_REQUEST');
    expect(error.message).toMatch(/not valid JSON/);
  });

  it('a body over the limit → 413', async () => {
    const big = JSON.stringify({ events: [{ ...event(), payload: { blob: 'x'.repeat(70 * 1024) } }] });
    const r = await post('/events', big, bearer(t.keys.write));
    expect(r.status).toBe(413);
    expect((await errorOf(r)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('an invalid event → 422 with the field, in a batch with its index', async () => {
    const r = await post(
      '/events',
      JSON.stringify({ events: [event(), { event: 'x.y', resource: { 'flowtrail.resource.id': '' } }] }),
      bearer(t.keys.write),
    );
    expect(r.status).toBe(422);
    const error = await errorOf(r);
    expect(error.code).toBe('VALIDATION');
    expect(error.details.field).toBe('events[1].resource["flowtrail.resource.id"]');
    // Nothing of a refused batch is stored.
    const total = await post('/events/total', JSON.stringify({ filter: {} }), bearer(t.keys.read));
    const before = ((await total.json()) as { total: number }).total;
    const single = await post('/events', JSON.stringify({ resource: {} }), bearer(t.keys.write));
    expect(single.status).toBe(422);
    expect((await errorOf(single)).details.field).toBe('event');
    const after = await post('/events/total', JSON.stringify({ filter: {} }), bearer(t.keys.read));
    expect(((await after.json()) as { total: number }).total).toBe(before);
  });

  it('a wrong type in a query or path parameter → 422 naming it', async () => {
    const r = await fetch(`${base}/flows/A/runs?limit=many`, { headers: bearer(t.keys.read) });
    expect(r.status).toBe(422);
    expect((await errorOf(r)).details).toMatchObject({ field: 'limit', in: 'query' });
    const p = await fetch(`${base}/runs/abc`, { headers: bearer(t.keys.read) });
    expect(p.status).toBe(422);
    expect((await errorOf(p)).details).toMatchObject({ field: 'runId', in: 'path' });
  });

  it('a time that is no ISO 8601 date-time in a runs query → 422 naming it and the form to use', async () => {
    for (const path of ['/flows/A/runs?since=yesterday', '/flows/A/history?until=2024-13-45']) {
      const r = await fetch(`${base}${path}`, { headers: bearer(t.keys.read) });
      expect(r.status, path).toBe(422);
      const error = await errorOf(r);
      expect(error.details).toMatchObject({ field: path.includes('since') ? 'since' : 'until', in: 'query' });
      expect(error.message).toContain('ISO 8601');
    }
    const ok = await fetch(`${base}/flows/A/runs?since=2024-05-01T12:00&until=2024-05-02`, {
      headers: bearer(t.keys.read),
    });
    expect(ok.status).toBe(200);
  });

  it('unknown route → 404 naming the route; unknown object → 404 NOT_FOUND', async () => {
    const r = await fetch(`${base}/no/such/route`, { headers: bearer(t.keys.read) });
    expect(r.status).toBe(404);
    const error = await errorOf(r);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.details.route).toBe('GET /api/v1/no/such/route');
    const run = await fetch(`${base}/flows/Nope/runs/1`, { headers: bearer(t.keys.read) });
    expect(run.status).toBe(404);
    expect((await errorOf(run)).details).toEqual({ what: 'run' });
  });

  it('the client adapters turn 422 into ValidationError with the field', async () => {
    const error = await t
      .client('write')
      .events.append([{ resource: { 'flowtrail.resource.id': 'x' } } as never])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'events[0].event' });
  });
});

describe('documents', () => {
  it('serves an OpenAPI 3.1 document built from the route schemas', async () => {
    const r = await fetch(`${base}/openapi.json`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { operationId: string; parameters: { name: string; in: string }[] }>
      >;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const op of [
      'createRun',
      'listRuns',
      'writeMetadata',
      'emitEvents',
      'filterEvents',
      'streamEvents',
      'getArtifact',
    ])
      expect(ops).toContain(op);
    expect(doc.paths['/api/v1/flows/{flow}/runs']!.get!.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
      'path:flow',
      'query:limit',
      'query:before',
      'query:after',
      'query:status',
      'query:tag',
      'query:user',
      'query:since',
      'query:until',
    ]);
    for (const schema of ['Run', 'Task', 'Event', 'EventFilter', 'Error'])
      expect(doc.components.schemas).toHaveProperty(schema);
    // Every $ref resolves.
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs)
      expect(doc.components.schemas).toHaveProperty(ref.split('/').pop()!.replace('"', ''));
  });

  it('version needs a key and names the store', async () => {
    const r = await fetch(`${base}/version`, { headers: bearer(t.keys.read) });
    expect(await r.json()).toMatchObject({ store: 'sqlite', auth: true });
  });
});

describe('live event stream (SSE)', () => {
  it('sends matching stored events, then new ones as they arrive, each once', async () => {
    const write = t.client('write').events;
    const { validateEvent } = await import('../../src/events/validate-event.ts');
    const mk = (name: string) =>
      validateEvent({ event: name, resource: { 'flowtrail.resource.id': `r.${name}` } });
    await write.append([mk('sse.old'), mk('other.old')]);
    const filter = encodeURIComponent(JSON.stringify({ event: { prefix: ['sse.'] } }));
    const ac = new AbortController();
    const response = await fetch(`${base}/events/stream?filter=${filter}`, {
      headers: bearer(t.keys.read),
      signal: ac.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const names: string[] = [];
    let buffer = '';
    const live = setTimeout(() => void write.append([mk('sse.new'), mk('other.new'), mk('sse.newer')]), 300);
    while (names.length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.includes('event: event')) {
          const data = block.split('\n').find((l) => l.startsWith('data: '))!;
          names.push((JSON.parse(data.slice(6)) as { event: string }).event);
        }
        end = buffer.indexOf('\n\n');
      }
    }
    clearTimeout(live);
    ac.abort();
    expect(names).toEqual(['sse.old', 'sse.new', 'sse.newer']);
  });

  it('resumes after Last-Event-ID: the events after it (same instant included), not it or those before', async () => {
    const write = t.client('write').events;
    const { validateEvent } = await import('../../src/events/validate-event.ts');
    const at = new Date(Date.now() - 60_000);
    const mk = (name: string, occurred: Date) =>
      validateEvent({
        event: name,
        occurred: occurred.toISOString(),
        resource: { 'flowtrail.resource.id': 'r.resume' },
      });
    const first = mk('resume.a', new Date(at.getTime() - 1_000));
    const seen = mk('resume.b', at);
    const sameInstant = mk('resume.c', at);
    const later = mk('resume.d', new Date(at.getTime() + 1_000));
    // Ids order the events within an instant, as the stream delivers them.
    const [lastSeen, notSeen] = [seen, sameInstant].sort((x, y) => (x.id < y.id ? -1 : 1));
    await write.append([first, seen, sameInstant, later]);
    const filter = encodeURIComponent(JSON.stringify({ event: { prefix: ['resume.'] } }));
    const ac = new AbortController();
    const response = await fetch(`${base}/events/stream?filter=${filter}&backfill=false`, {
      headers: { ...bearer(t.keys.read), 'last-event-id': lastSeen!.id },
      signal: ac.signal,
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const ids: string[] = [];
    let buffer = '';
    const live = setTimeout(() => void write.append([mk('resume.e', new Date())]), 300);
    while (ids.length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (const block of buffer.split('\n\n').slice(0, -1))
        if (block.includes('event: event')) ids.push(/^id: (.+)$/m.exec(block)![1]!);
      buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
    }
    clearTimeout(live);
    ac.abort();
    expect(ids.slice(0, 2)).toEqual([notSeen!.id, later.id]);
    expect(ids).not.toContain(first.id);
    expect(ids).not.toContain(lastSeen!.id);
  });

  it('a bad filter → 422 before the stream starts', async () => {
    const r = await fetch(`${base}/events/stream?filter=${encodeURIComponent('{"colour":1}')}`, {
      headers: bearer(t.keys.read),
    });
    expect(r.status).toBe(422);
    expect((await errorOf(r)).details.field).toBe('filter.colour');
  });
});

describe('starting the server', () => {
  it('refuses a non-loopback bind without authentication', async () => {
    await expect(
      startServer({ host: '0.0.0.0', port: 0, auth: 'off', database: `${t.dir}/other.db` }),
    ).rejects.toThrow(/without authentication/);
  });

  it('turns auth on by default off loopback, off on loopback with the embedded store', async () => {
    const open = await startServer({ port: 0, database: `${t.dir}/loopback.db` });
    try {
      expect(open.authRequired).toBe(false);
      expect((await fetch(`${open.url}/api/v1/flows`)).status).toBe(200);
    } finally {
      await open.close();
    }
    const wide = await startServer({ host: '0.0.0.0', port: 0, database: `${t.dir}/wide.db` });
    try {
      expect(wide.authRequired).toBe(true);
      expect((await fetch(`http://127.0.0.1:${wide.port}/api/v1/flows`)).status).toBe(401);
    } finally {
      await wide.close();
    }
  });

  it('a port in use is a clear error', async () => {
    await expect(startServer({ port: t.server.port, database: `${t.dir}/busy.db` })).rejects.toThrow(
      /already in use/,
    );
  });
});

describe('remote mode in process', () => {
  it("metadata('http://…') switches the client API and emitEvent to the service", async () => {
    const { metadata, getMetadata, defaultMetadata, emitEvent, listEvents, Flowtrail } = await import(
      '../../src/index.ts'
    );
    const saved = process.env.FLOWTRAIL_API_KEY;
    process.env.FLOWTRAIL_API_KEY = t.keys.write;
    try {
      expect(metadata(t.server.url)).toBe(`service@${t.server.url}`);
      expect(getMetadata()).toBe(`service@${t.server.url}`);
      await emitEvent({ event: 'remote.hello', resource: { 'flowtrail.resource.id': 'remote.1' } });
      const { events } = await listEvents({ event: { name: ['remote.hello'] } });
      expect(events.map((e) => e.resource['flowtrail.resource.id'])).toEqual(['remote.1']);
      // Stored by the server, not in a local store.
      expect(await t.server.stores.events.total({ event: { name: ['remote.hello'] } })).toBe(1);
      expect(await new Flowtrail().flows).toEqual([]);
      expect(() => metadata('http://exa mple')).toThrow(/not a valid URL/);
    } finally {
      if (saved === undefined) delete process.env.FLOWTRAIL_API_KEY;
      else process.env.FLOWTRAIL_API_KEY = saved;
      defaultMetadata();
    }
  });
});
