/**
 * `flowtrail server`: opens the configured stores, builds the app and listens. Nothing another
 * server process needs lives here — state is in the database — so several servers may share one
 * PostgreSQL database behind a load balancer.
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { DEFAULT_SERVER_HOST, DEFAULT_SERVER_PORT, homePaths, resolveHome } from '../core/config.ts';
import { UsageError } from '../core/errors.ts';
import type { ExecutorSpec } from '../runtime/executor/create-executor.ts';
import {
  defaultArtifactRoot,
  openArtifactStore,
  openDatabaseStores,
  parseDatabaseSpec,
} from '../store/open.ts';
import { createApp } from './app.ts';
import { Authenticator } from './auth.ts';
import { TriggerEngine } from './engine/trigger-engine.ts';
import type { ServerStores } from './stores.ts';
import { startTextIndexer } from './text-indexer.ts';

export interface ServerOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 8787; 0 picks a free one). */
  port?: number;
  /** `--database`: a SQLite path or home, or a postgres:// URL (default: the embedded store here). */
  database?: string;
  /**
   * The artifact store: a directory or `s3://bucket/prefix` (default: `FLOWTRAIL_ARTIFACTS`, else
   * next to a SQLite database, else the local home's).
   */
  artifacts?: string;
  /**
   * `required`: every route but health needs a key. `off`: no keys (loopback only). `auto`
   * (default): off on loopback with the embedded store, required otherwise.
   */
  auth?: 'required' | 'off' | 'auto';
  maxBodyBytes?: number;
  /** Remove events older than this (ms), checked hourly. Default: keep everything. */
  eventRetentionMs?: number;
  /** Where the runs of deployments and automations run their tasks (default: this server's worker processes). */
  executor?: ExecutorSpec;
  /** Run the trigger engine (default true; one server at a time works, the others stand by). */
  triggers?: boolean;
  /**
   * How often the trigger engine looks for new events when no commit signal wakes it, in ms
   * (default 1000; it wakes at once when events commit).
   */
  triggerPollMs?: number;
  /** Let automations' webhooks call loopback and private-range addresses (default false). */
  allowPrivateWebhooks?: boolean;
  /** How long the trigger engine's lease lasts without renewal, in ms (default 10 s). */
  triggerLeaseMs?: number;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  authRequired: boolean;
  stores: ServerStores;
  /** The trigger engine, unless disabled. */
  engine?: TriggerEngine;
  close(): Promise<void>;
}

const REQUEST_KEY_TTL_MS = 24 * 3600_000;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_SERVER_HOST;
  const port = options.port ?? DEFAULT_SERVER_PORT;
  const log = options.log ?? (() => {});
  const spec = parseDatabaseSpec(options.database);
  const loopback = isLoopback(host);
  const authMode = options.auth ?? 'auto';
  if (authMode === 'off' && !loopback)
    throw new UsageError(
      `Refusing to serve on ${host} without authentication: only a loopback address may run with --auth off. Create a key with \`flowtrail server keys create --scope write\` and drop --auth off.`,
    );
  const authRequired =
    authMode === 'required' || (authMode === 'auto' && !(loopback && spec.kind === 'sqlite'));
  const artifactRoot = options.artifacts ?? defaultArtifactRoot(spec);
  // Before the database: a malformed s3:// location fails without leaving a pool open.
  const artifacts = openArtifactStore(artifactRoot);
  const database = await openDatabaseStores(spec);
  const stores: ServerStores = { ...database, artifacts };
  const buildDir =
    spec.kind === 'sqlite' ? path.join(path.dirname(spec.file), 'build') : homePaths(resolveHome()).build;
  const app = createApp({
    stores,
    buildDir,
    auth: new Authenticator(stores.apiKeys, authRequired),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    log,
  });
  let server: ReturnType<typeof serve>;
  try {
    server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(s));
      s.once('error', reject);
    });
  } catch (e) {
    await stores.close();
    const code = (e as { code?: string }).code;
    throw new UsageError(
      code === 'EADDRINUSE'
        ? `Port ${port} on ${host} is already in use; pick another with --port.`
        : `Cannot listen on ${host}:${port}: ${(e as Error).message}`,
    );
  }
  const address = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${address.port}`;

  // Housekeeping. Every server may run it: each step is idempotent.
  const maintenance = async () => {
    try {
      await stores.metadata.pruneRequestKeys(Date.now() - REQUEST_KEY_TTL_MS);
      if (options.eventRetentionMs !== undefined)
        await stores.events.applyRetention({ retentionMs: options.eventRetentionMs });
    } catch (e) {
      log(`maintenance failed (will retry): ${(e as Error).message}`);
    }
  };
  const timer = setInterval(maintenance, 3600_000);
  timer.unref();
  void maintenance();
  const textIndexer = startTextIndexer(stores.events, log);

  const engine =
    options.triggers === false
      ? undefined
      : new TriggerEngine({
          stores,
          artifactRoot,
          buildDir,
          ...(options.triggerPollMs !== undefined ? { pollMs: options.triggerPollMs } : {}),
          ...(options.triggerLeaseMs !== undefined ? { leaseMs: options.triggerLeaseMs } : {}),
          allowPrivateWebhooks: options.allowPrivateWebhooks ?? false,
          ...(options.executor ? { executor: options.executor } : {}),
          log,
        });
  engine?.start();

  let closed: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    host,
    authRequired,
    stores,
    ...(engine ? { engine } : {}),
    close: () => {
      closed ??= (async () => {
        clearInterval(timer);
        await textIndexer.stop();
        await engine?.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Live event streams never end on their own.
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        await stores.close();
      })();
      return closed;
    },
  };
}
