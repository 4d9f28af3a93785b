/**
 * Opens the stores a process is configured for: the embedded SQLite store of a home, a PostgreSQL
 * database, or (`service.ts`) a Flowtrail service over HTTP. The one place that turns a
 * `--database` value or the environment into store adapters.
 */
import fs from 'node:fs';
import path from 'node:path';
import { homePaths, resolveHome } from '../core/config.ts';
import { UsageError } from '../core/errors.ts';
import type { ApiKeyStore } from './api-key-store.ts';
import type { AppendWatch } from './append-watch.ts';
import type { AutomationStore, SecretStore } from './automation-store.ts';
import type { DeploymentStore } from './deployment-store.ts';
import type { Stores } from './embedded.ts';
import type { EventStore } from './event-store.ts';
import type { MetadataStore } from './metadata-store.ts';
import { artifactSpecFromEnv, openArtifactStore } from './open-artifact-store.ts';

/** The Flowtrail service this process is pointed at by `FLOWTRAIL_SERVICE_URL` (and `FLOWTRAIL_API_KEY`). */
export function serviceFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): { url: string; apiKey?: string } | undefined {
  const url = env.FLOWTRAIL_SERVICE_URL?.trim();
  if (!url) return undefined;
  const apiKey = env.FLOWTRAIL_API_KEY?.trim();
  return apiKey ? { url, apiKey } : { url };
}

/**
 * Where a run writes artifacts: `FLOWTRAIL_ARTIFACTS` (a directory or `s3://bucket/prefix`), else
 * the home's `artifacts/`.
 */
function runArtifactRoot(home: string, env: NodeJS.ProcessEnv = process.env): string {
  return artifactSpecFromEnv(env) ?? homePaths(home).artifacts;
}

/**
 * Starts loading the code `openRunStores` will need (the SQLite stores, or the HTTP client), so a
 * run can overlap that with compiling its flow; opens nothing.
 */
export function preloadRunStores(env: NodeJS.ProcessEnv = process.env): void {
  const loading = serviceFromEnv(env) ? import('./http/index.ts') : import('./embedded.ts');
  // A failure surfaces where `openRunStores` imports the same module.
  loading.catch(() => {});
}

const RUN_PAGE_CACHE_MIB = 4;

/**
 * The stores a run (or `resume`) uses: in remote mode (`FLOWTRAIL_SERVICE_URL`) metadata and
 * events go through the service while artifacts are written straight to the artifact store by the
 * tasks; otherwise the embedded store of `home`. Either way `FLOWTRAIL_ARTIFACTS` picks the
 * artifact store (default: the home's directory).
 */
export async function openRunStores(home: string, env: NodeJS.ProcessEnv = process.env): Promise<Stores> {
  const service = serviceFromEnv(env);
  if (!service) {
    const { openEmbeddedStores } = await import('./embedded.ts');
    // A run appends (its hot pages are the tables' and indexes' last ones): 4 MiB of page cache
    // keeps them, where the default 16 MiB fills up with pages a run never reads again.
    const artifacts = artifactSpecFromEnv(env);
    return openEmbeddedStores(home, {
      pageCacheMiB: RUN_PAGE_CACHE_MIB,
      ...(artifacts !== undefined ? { artifacts, env } : {}),
    });
  }
  const { openServiceStores } = await import('./http/index.ts');
  const remote = openServiceStores(service);
  const artifactRoot = runArtifactRoot(home, env);
  return {
    home,
    metadata: remote.metadata,
    events: remote.events,
    artifacts: openArtifactStore(artifactRoot, env),
    artifactRoot,
    close: remote.close,
  };
}

/** The stores of one database: metadata, events, API keys, deployments, automations and secrets. */
export interface DatabaseStores {
  kind: 'sqlite' | 'postgres';
  /** Where, for messages (no password). */
  location: string;
  metadata: MetadataStore;
  events: EventStore;
  apiKeys: ApiKeyStore;
  deployments: DeploymentStore;
  /** A signal when events may have been appended (by any process): the trigger engine's wake-up. */
  appends: AppendWatch;
  automations: AutomationStore;
  secrets: SecretStore;
  close(): Promise<void>;
}

export type DatabaseSpec =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; schema?: string };

/**
 * Reads a `--database` value: a `postgres://` URL (optionally `?schema=name` to keep every table in
 * one schema), a SQLite file, or a Flowtrail home / project directory. Default: the embedded store
 * of the current directory.
 */
export function parseDatabaseSpec(value: string | undefined, cwd = process.cwd()): DatabaseSpec {
  if (value === undefined || value === '')
    return { kind: 'sqlite', file: homePaths(resolveHome(cwd)).database };
  if (/^postgres(ql)?:\/\//.test(value)) {
    const url = new URL(value);
    const schema = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    return { kind: 'postgres', url: url.toString(), ...(schema ? { schema } : {}) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    throw new UsageError(
      `The database '${value}' is neither a postgres:// URL nor a SQLite path. Give postgres://user@host:5432/db or a path.`,
    );
  const abs = path.resolve(cwd, value);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) {
    const home = fs.existsSync(path.join(abs, '.flowtrail')) ? path.join(abs, '.flowtrail') : abs;
    return { kind: 'sqlite', file: homePaths(home).database };
  }
  return { kind: 'sqlite', file: abs };
}

/** Opens (migrating if needed) the stores of a database. */
export async function openDatabaseStores(spec: DatabaseSpec): Promise<DatabaseStores> {
  if (spec.kind === 'sqlite') {
    const { openSqliteStores } = await import('./sql/sqlite/sqlite-stores.ts');
    const stores = openSqliteStores(spec.file);
    return {
      kind: 'sqlite',
      location: stores.metadata.location,
      ...stores,
      close: () => stores.metadata.close(),
    };
  }
  const { openPostgresStores } = await import('./sql/postgres/postgres-stores.ts');
  const stores = await openPostgresStores(spec.url, spec.schema === undefined ? {} : { schema: spec.schema });
  return { kind: 'postgres', location: stores.metadata.location, ...stores };
}

/**
 * The artifact store a server or `deploy` uses without `--artifacts`: `FLOWTRAIL_ARTIFACTS`, else
 * the directory next to a SQLite database, or of the default home for PostgreSQL.
 */
export function defaultArtifactRoot(spec: DatabaseSpec, env: NodeJS.ProcessEnv = process.env): string {
  const configured = artifactSpecFromEnv(env);
  if (configured !== undefined) return configured;
  return spec.kind === 'sqlite'
    ? path.join(path.dirname(spec.file), 'artifacts')
    : homePaths(resolveHome()).artifacts;
}

export { openArtifactStore };
