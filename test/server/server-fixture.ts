/** Starts real `flowtrail server` instances (in process, on a free loopback port) for tests. */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { newApiKey } from '../../src/server/auth.ts';
import { type RunningServer, type ServerOptions, startServer } from '../../src/server/server.ts';
import type { ApiKeyScope } from '../../src/store/api-key-store.ts';
import { openServiceStores } from '../../src/store/http/index.ts';
import type { TestPostgres } from '../store/postgres-test-db.ts';

export interface TestServer {
  server: RunningServer;
  dir: string;
  /** A key of each scope (auth is required). */
  keys: Record<ApiKeyScope, string>;
  /** Stores talking to the server with a key of `scope` (default admin). */
  client(scope?: ApiKeyScope, retry?: { deadlineMs?: number }): ReturnType<typeof openServiceStores>;
  /** Everything the server logged. */
  logs: string[];
  stop(): Promise<void>;
}

/** A server on a fresh SQLite file (or the given database), with authentication required. */
export async function startTestServer(options: ServerOptions & { dir?: string } = {}): Promise<TestServer> {
  const dir = options.dir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-server-')));
  const logs: string[] = [];
  const server = await startServer({
    port: 0,
    auth: 'required',
    database: path.join(dir, 'flowtrail.db'),
    artifacts: path.join(dir, 'artifacts'),
    log: (line) => logs.push(line),
    ...options,
  });
  const keys = {} as Record<ApiKeyScope, string>;
  for (const scope of ['read', 'write', 'admin'] as const) {
    const { key, record } = newApiKey(`test-${scope}`, scope);
    await server.stores.apiKeys.create(record);
    keys[scope] = key;
  }
  return {
    server,
    dir,
    keys,
    logs,
    client: (scope = 'admin', retry) =>
      openServiceStores({ url: server.url, apiKey: keys[scope], ...(retry ? { retry } : {}) }),
    stop: async () => {
      await server.close();
      if (!options.dir) await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `--database` values of fresh PostgreSQL schemas (`postgres://…?schema=…`), dropped after the
 * file's tests. Call inside `postgresTests`.
 */
export function postgresDatabases(db: TestPostgres): () => string {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await db.dropSchema(schema);
  });
  return () => {
    const schema = db.freshSchema();
    schemas.push(schema);
    const url = new URL(db.url);
    url.searchParams.set('schema', schema);
    return url.toString();
  };
}
