/**
 * The Redis the queue tests use: `FLOWTRAIL_TEST_REDIS_URL`, else the local one. Every test file
 * works under a key prefix of its own (removed after). When Redis does not answer, `redisTests`
 * fails the file under `CI=true` and skips loudly otherwise. `ownRedis` starts a private
 * redis-server on a free loopback port, for tests that restart it (never the shared one).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { DEFAULT_TUNING, type QueueTuning } from '../../src/runtime/executor/queue/queue-names.ts';
import { declareMissingService } from '../support/missing-service.ts';

export const REDIS_URL = process.env.FLOWTRAIL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function unreachable(url: string): Promise<string | undefined> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    redis.disconnect();
  }
}

const problem = await unreachable(REDIS_URL);

/** Short timings, so dead workers and lost jobs are noticed in seconds; a prefix of the file's own. */
export function testTuning(overrides: Partial<QueueTuning> = {}): QueueTuning {
  return {
    ...DEFAULT_TUNING,
    lockDurationMs: 3_000,
    stalledIntervalMs: 1_000,
    reconcileMs: 200,
    unschedulableAfterMs: 1_500,
    prefix: `ft-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    ...overrides,
  };
}

/** Deletes every key under `prefix`. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) await redis.del(...found);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export function redisTests(what: string, body: (url: string) => void): void {
  if (problem !== undefined) {
    declareMissingService(what, {
      service: 'Redis',
      message: `Redis at ${REDIS_URL} is unreachable (${problem}).`,
      hint: 'start Redis or set FLOWTRAIL_TEST_REDIS_URL',
    });
    return;
  }
  body(REDIS_URL);
}

/** A free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A private redis-server (no persistence): restart it to lose every key, as a real outage might. */
export class OwnRedis {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort());
    await r.start();
    return r;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    while ((await unreachable(this.url)) !== undefined) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

/** Removes the file's keys from the shared Redis after its tests. */
export function dropAfterAll(url: string, tuning: QueueTuning): void {
  afterAll(() => dropPrefix(url, tuning.prefix));
}
