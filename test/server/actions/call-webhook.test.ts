/**
 * The call-webhook action against a real HTTP server on 127.0.0.1 (the only address these tests
 * ever call): the rendered body and the secret's headers, retries on 5xx with the reason of the
 * last answer, timeouts, and the address guard refusing loopback before any connection.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallWebhookAction } from '../../../src/automations/model.ts';
import { executeAction } from '../../../src/server/actions/execute-action.ts';
import { actionHarness, actionStory } from './action-fixture.ts';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A loopback server that counts connections and records requests; `answer` decides each reply. */
class HookServer {
  readonly server: http.Server;
  readonly requests: Received[] = [];
  connections = 0;
  answer: (req: Received, res: http.ServerResponse) => void = (_req, res) => res.end('ok');

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(received);
        this.answer(received, res);
      });
    });
    this.server.on('connection', () => {
      this.connections++;
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const webhook = (url: string, overrides: Partial<CallWebhookAction> = {}): CallWebhookAction => ({
  type: 'call-webhook',
  url,
  method: 'POST',
  headersSecret: null,
  body: null,
  timeoutMs: 5_000,
  retries: 2,
  ...overrides,
});

let hooks: HookServer;
let port: number;
let base: string;

beforeEach(async () => {
  hooks = new HookServer();
  port = await hooks.listen();
  base = `http://127.0.0.1:${port}`;
});
afterEach(() => hooks.close());

describe('call-webhook', () => {
  it('makes one call per execution with the rendered body and the secret headers, and never shows the secret', async () => {
    await using h = await actionHarness();
    await h.secrets.set('ops-hook', { authorization: 'Bearer s3cret-token', 'x-team': 'data' });
    const action = webhook(`${base}/hooks/ops?source=flowtrail`, {
      headersSecret: 'ops-hook',
      body: '{"dataset": "{{ event.resource["flowtrail.resource.name"] }}", "rows": {{ event.payload.rows }}, "by": "{{ automation.name }}"}',
    });
    const context = await h.context(action);

    const outcome = await executeAction(context, h.services);

    expect(outcome).toEqual({
      status: 'executed',
      attempts: 1,
      message: `HTTP 200 from ${base}/hooks/ops`,
      target: null,
    });
    expect(hooks.requests).toHaveLength(1);
    const [req] = hooks.requests;
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/hooks/ops?source=flowtrail');
    expect(JSON.parse(req!.body)).toEqual({ dataset: 'sales', rows: 42, by: 'on-dataset' });
    expect(req!.headers.authorization).toBe('Bearer s3cret-token');
    expect(req!.headers['x-team']).toBe('data');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['flowtrail-action-id']).toBe(context.record.id);

    const story = actionStory(await h.emitted());
    expect(story.map((e) => e.event)).toEqual([
      'flowtrail.automation.action.triggered',
      'flowtrail.automation.action.executed',
    ]);
    expect(story[0]!.follows).toBe(context.events[0]!.id);
    expect(story[1]!.follows).toBe(story[0]!.id);
    expect(story[1]!.payload).toMatchObject({ type: 'call-webhook', action: context.record.id, attempts: 1 });
    expect(JSON.stringify(await h.emitted())).not.toContain('s3cret-token');

    // A second execution (the engine re-running a pending action) is a second call, no more.
    await executeAction(context, h.services);
    expect(hooks.requests).toHaveLength(2);
  });

  it('ends failed after retries + 1 attempts of a 500, with the status, URL and a body excerpt', async () => {
    await using h = await actionHarness();
    hooks.answer = (_req, res) => {
      res.statusCode = 500;
      res.end('database is down\n  try later');
    };
    const context = await h.context(webhook(`${base}/hook`, { retries: 2 }));

    const outcome = await executeAction(context, h.services);

    const reason = `HTTP 500 from ${base}/hook: database is down try later (after 3 attempts)`;
    expect(outcome).toEqual({ status: 'failed', attempts: 3, message: reason, target: null });
    expect(hooks.requests).toHaveLength(3);
    const story = actionStory(await h.emitted());
    expect(story.map((e) => e.event)).toEqual([
      'flowtrail.automation.action.triggered',
      'flowtrail.automation.action.failed',
    ]);
    expect(story[1]!.payload).toMatchObject({ reason, attempts: 3 });
  });

  it('retries a 503 and a 429, and succeeds when the endpoint recovers', async () => {
    await using h = await actionHarness();
    const statuses = [503, 429, 204];
    hooks.answer = (_req, res) => {
      res.statusCode = statuses.shift()!;
      if (res.statusCode === 429) res.setHeader('retry-after', '0');
      res.end();
    };
    const outcome = await executeAction(await h.context(webhook(`${base}/hook`, { retries: 3 })), h.services);
    expect(outcome).toMatchObject({ status: 'executed', attempts: 3, message: `HTTP 204 from ${base}/hook` });
    expect(hooks.requests).toHaveLength(3);
  });

  it('does not retry a 4xx answer', async () => {
    await using h = await actionHarness();
    hooks.answer = (_req, res) => {
      res.statusCode = 404;
      res.end('no such hook');
    };
    const outcome = await executeAction(await h.context(webhook(`${base}/nope`, { retries: 3 })), h.services);
    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: 1,
      message: `HTTP 404 from ${base}/nope: no such hook (after 1 attempt)`,
    });
    expect(hooks.requests).toHaveLength(1);
  });

  it('blanks out a secret value the endpoint echoes in its answer', async () => {
    await using h = await actionHarness();
    await h.secrets.set('hook', { authorization: 'Bearer s3cret-token' });
    hooks.answer = (req, res) => {
      res.statusCode = 400;
      res.end(`bad request with ${req.headers.authorization}, token ${req.headers.authorization?.slice(7)}`);
    };
    const outcome = await executeAction(
      await h.context(webhook(`${base}/hook`, { headersSecret: 'hook' })),
      h.services,
    );
    expect(outcome.message).toBe(
      `HTTP 400 from ${base}/hook: bad request with [secret], token [secret] (after 1 attempt)`,
    );
    expect(JSON.stringify(await h.emitted())).not.toContain('s3cret-token');
  });

  it('fails with a timeout when the server never answers, after each attempt timed out', async () => {
    await using h = await actionHarness();
    hooks.answer = () => {}; // never answers
    const outcome = await executeAction(
      await h.context(webhook(`${base}/slow`, { timeoutMs: 200, retries: 1 })),
      h.services,
    );
    expect(outcome).toEqual({
      status: 'failed',
      attempts: 2,
      message: `No answer from ${base}/slow within 200 ms (after 2 attempts)`,
      target: null,
    });
    expect(hooks.requests).toHaveLength(2);
  });

  it('fails naming a missing secret, without calling', async () => {
    await using h = await actionHarness();
    const outcome = await executeAction(
      await h.context(webhook(`${base}/hook`, { headersSecret: 'missing-secret' })),
      h.services,
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(
      "The secret 'missing-secret' (the headers of actions[0]) is not stored",
    );
    expect(hooks.connections).toBe(0);
  });

  it('fails on a body template that does not render, without calling', async () => {
    await using h = await actionHarness();
    const outcome = await executeAction(
      await h.context(webhook(`${base}/hook`, { body: '{{ event.payload.rows | no_such_filter }}' })),
      h.services,
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toMatch(
      /^Template rendering failed: The template at 'actions\[0\]\.body' does not parse/,
    );
    expect(hooks.connections).toBe(0);
  });

  describe('with private addresses not allowed', () => {
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '[::ffff:127.0.0.1]', '127.1']) {
      it(`refuses http://${host}:<port> before any connection`, async () => {
        await using h = await actionHarness({ allowPrivateAddresses: false });
        const url = `http://${host}:${port}/hook`;
        const outcome = await executeAction(await h.context(webhook(url)), h.services);

        expect(outcome.status).toBe('failed');
        expect(outcome.attempts).toBe(1);
        expect(outcome.message).toMatch(/^Refused to call http:\/\/.*: .* a loopback address/);
        expect(outcome.message).toContain('flowtrail server --allow-private-webhooks');
        expect(hooks.connections).toBe(0);
        const story = actionStory(await h.emitted());
        expect(story.map((e) => e.event)).toEqual([
          'flowtrail.automation.action.triggered',
          'flowtrail.automation.action.failed',
        ]);
        expect(story[1]!.payload.reason).toBe(outcome.message);
      });
    }

    it('checks what a host name resolves to, whatever the name', async () => {
      await using h = await actionHarness({ allowPrivateAddresses: false });
      h.services.webhooks.resolve = async () => [{ address: '127.0.0.1', family: 4 }];
      const outcome = await executeAction(
        await h.context(webhook(`http://hooks.example.test:${port}/hook`)),
        h.services,
      );
      expect(outcome.message).toContain("'hooks.example.test' resolves to 127.0.0.1, a loopback address");
      expect(hooks.connections).toBe(0);
    });
  });

  it('connects to the address it checked, resolving the name once per attempt', async () => {
    await using h = await actionHarness({ allowPrivateAddresses: true });
    const lookups: string[] = [];
    h.services.webhooks.resolve = async (host) => {
      lookups.push(host);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const outcome = await executeAction(
      await h.context(webhook(`http://hooks.example.test:${port}/hook`)),
      h.services,
    );
    expect(outcome.status).toBe('executed');
    expect(lookups).toEqual(['hooks.example.test']);
    expect(hooks.requests[0]!.headers.host).toBe(`hooks.example.test:${port}`);
  });

  describe('over https', () => {
    /** A self-signed certificate for hooks.example.test, made with openssl (skipped loudly without it). */
    function selfSigned(): { key: Buffer; cert: Buffer } | null {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowtrail-tls-'));
      try {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-days',
            '1',
            '-subj',
            '/CN=hooks.example.test',
            '-addext',
            'subjectAltName=DNS:hooks.example.test',
            '-keyout',
            path.join(dir, 'key.pem'),
            '-out',
            path.join(dir, 'cert.pem'),
          ],
          { stdio: 'ignore' },
        );
        return {
          key: fs.readFileSync(path.join(dir, 'key.pem')),
          cert: fs.readFileSync(path.join(dir, 'cert.pem')),
        };
      } catch {
        return null;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    const tls = selfSigned();
    if (!tls) console.warn('SKIPPED: the https webhook test needs openssl to make a certificate');

    it.skipIf(!tls && process.env.CI !== 'true')(
      'verifies the certificate against the URL name while connecting to the checked address, and does not retry a refused one',
      async () => {
        expect(tls, 'openssl is needed to make the test certificate').not.toBeNull();
        const server = https.createServer(tls!, (_req, res) => res.end('ok'));
        let handshakes = 0;
        server.on('connection', () => handshakes++);
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const tlsPort = (server.address() as AddressInfo).port;
        try {
          await using h = await actionHarness({ allowPrivateAddresses: true });
          h.services.webhooks.resolve = async () => [{ address: '127.0.0.1', family: 4 }];
          const outcome = await executeAction(
            await h.context(webhook(`https://hooks.example.test:${tlsPort}/hook`, { retries: 2 })),
            h.services,
          );
          expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
          expect(outcome.message).toBe(
            `Calling https://hooks.example.test:${tlsPort}/hook failed: self-signed certificate (after 1 attempt)`,
          );
          expect(handshakes).toBe(1);
        } finally {
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        }
      },
    );
  });
});
