/**
 * Failures between client, server and store: the server killed with SIGKILL while a client posts
 * events and creates runs (retrying), the store unreachable (503, client retries), and several
 * servers sharing one PostgreSQL database.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FlowtrailEvent } from '../../src/events/model.ts';
import { validateEvent } from '../../src/events/validate-event.ts';
import { openServiceStores } from '../../src/store/http/index.ts';
import { freePort, newRunRecord, repoRoot, sleep } from '../helpers.ts';
import { POSTGRES_URL, postgresTests } from '../store/postgres-test-db.ts';
import { postgresDatabases, startTestServer } from './server-fixture.ts';

const CLI = path.join(repoRoot, 'bin/flowtrail.js');

const newRun = (flow: string) => newRunRecord(flow);

const makeEvent = (i: number): FlowtrailEvent =>
  validateEvent({
    event: 'load.tick',
    resource: { 'flowtrail.resource.id': `load.${i % 7}` },
    payload: { i },
  });

/** A `flowtrail server` child process (the built CLI), killed with SIGKILL by the test. */
class ServerProcess {
  child: ChildProcess | undefined;
  output = '';
  constructor(
    readonly port: number,
    readonly database: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      process.execPath,
      [
        CLI,
        'server',
        '--port',
        String(this.port),
        '--database',
        this.database,
        '--auth',
        'required',
        '--quiet',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout!.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(`${this.url}/api/v1/health`)).ok) return;
      } catch {}
      if (Date.now() > deadline) throw new Error(`The server did not come up: ${this.output}`);
      await sleep(50);
    }
  }

  kill9(): void {
    this.child?.kill('SIGKILL');
  }
}

function describeKill(name: string, database: () => Promise<string>): void {
  describe(`kill -9 the server while a client writes with retries (${name})`, () => {
    it('every acknowledged event is stored exactly once; every acknowledged run exists once', async () => {
      const db = await database();
      const key = JSON.parse(
        execFileSync(
          process.execPath,
          [CLI, 'server', 'keys', 'create', '--scope', 'write', '--database', db, '--json'],
          {
            encoding: 'utf8',
          },
        ),
      ).key as string;
      const server = new ServerProcess(await freePort(), db);
      await server.start();
      try {
        const client = openServiceStores({
          url: server.url,
          apiKey: key,
          retry: { baseMs: 50, maxMs: 500, deadlineMs: 60_000 },
        });
        const acked = new Set<string>();
        const runs: number[] = [];
        let sent = 0;
        const writer = (async () => {
          for (let batch = 0; batch < 120; batch++) {
            const events = Array.from({ length: 50 }, () => makeEvent(sent++));
            await client.events.append(events);
            for (const e of events) acked.add(e.id);
            if (batch % 4 === 0) runs.push((await client.metadata.createRun(newRun('Killed'))).runNumber);
          }
        })();
        // Kill it twice mid-stream and bring it back on the same port.
        for (const after of [30, 70]) {
          while (acked.size < after * 50) await sleep(5);
          server.kill9();
          await sleep(300);
          await server.start();
        }
        await writer;
        expect(acked.size).toBe(6000);
        expect(client.client.requestCount).toBeGreaterThan(client.client.callCount); // some requests were retried
        expect(await client.events.total({})).toBe(6000);
        // Exactly the acknowledged ids, each once.
        const stored: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await client.events.query(
            { order: 'asc' },
            { limit: 500, ...(cursor ? { cursor } : {}) },
          );
          stored.push(...page.events.map((e) => e.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(stored.length).toBe(6000);
        expect(new Set(stored)).toEqual(acked);
        // createRun retried across a crash returns the run it made: no gaps, no duplicates.
        const all = await client.metadata.listRuns('Killed', { limit: 1000 });
        expect(all.map((r) => r.runNumber).sort((a, b) => a - b)).toEqual(runs);
        expect(runs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      } finally {
        server.kill9(); // never leave a server behind, whatever failed
      }
    }, 120_000);
  });
}

describeKill('sqlite', async () =>
  path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-kill-')), 'flowtrail.db'),
);

/** A TCP proxy to PostgreSQL that the test can cut (the store "goes down") and restore. */
class CuttableProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async cut(): Promise<void> {
    const closed = new Promise((r) => this.server!.close(r));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

postgresTests('the server on PostgreSQL', (db) => {
  const freshDatabase = postgresDatabases(db);
  describeKill('postgres', async () => freshDatabase());

  describe('the store goes down (PostgreSQL behind a proxy)', () => {
    it('the server answers 503 UNAVAILABLE, and a retrying client succeeds once the store is back', async () => {
      const target = new URL(POSTGRES_URL);
      const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
      await proxy.listen();
      const database = new URL(freshDatabase());
      database.host = `127.0.0.1:${proxy.port}`;
      const t = await startTestServer({ database: database.toString() });
      try {
        const client = t.client('write', { deadlineMs: 30_000 });
        expect((await client.events.append([makeEvent(1)])).inserted).toBe(1);

        await proxy.cut();
        const down = await fetch(`${t.server.url}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.keys.write}`, 'content-type': 'application/json' },
          body: JSON.stringify(makeEvent(2)),
        });
        expect(down.status).toBe(503);
        const body = (await down.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('UNAVAILABLE');
        expect(body.error.message).toMatch(/cannot be reached/);
        expect((await fetch(`${t.server.url}/api/v1/health`)).status).toBe(503);

        const before = client.client.requestCount;
        const pending = client.events.append([makeEvent(3)]);
        await sleep(1500);
        await proxy.listen(); // the store is back
        expect((await pending).inserted).toBe(1);
        expect(client.client.requestCount - before).toBeGreaterThan(1);
        expect(await client.events.total({})).toBe(2);
      } finally {
        await t.stop();
        await proxy.cut().catch(() => {});
      }
    }, 60_000);
  });

  describe('several servers on one PostgreSQL database', () => {
    it('share runs, events and keys: no state lives in one server', async () => {
      const database = freshDatabase();
      const a = await startTestServer({ database });
      // The second server shares the database, and so the first one's keys.
      const b = await startTestServer({ database });
      try {
        const viaA = a.client('write');
        const viaB = openServiceStores({ url: b.server.url, apiKey: a.keys.write });
        const created = await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 ? viaA : viaB).metadata.createRun(newRun('Shared'))),
        );
        expect(created.map((r) => r.runNumber).sort((x, y) => x - y)).toEqual(
          Array.from({ length: 40 }, (_, i) => i + 1),
        );
        // A tail through B sees every event written through A and B, in arrival order, once.
        const start = await viaB.events.headPosition();
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? viaA : viaB).events.append([makeEvent(i), makeEvent(i + 100)]),
          ),
        );
        const seen: string[] = [];
        let position = start;
        for (;;) {
          const page = await viaB.events.readAfter(position, 7);
          if (page.events.length === 0) break;
          seen.push(...page.events.map((e) => e.id));
          position = page.position;
        }
        expect(seen.length).toBe(40);
        expect(new Set(seen).size).toBe(40);
        const tagged = await viaA.metadata.mutateRunTags(created[0]!.id, { add: ['from-a'] });
        expect((await viaB.metadata.getRunById(created[0]!.id))?.tags).toEqual(tagged.tags);
      } finally {
        await b.stop();
        await a.stop();
      }
    }, 60_000);
  });
});
