/**
 * The client's process-wide settings: which metadata provider (store) it reads, and which
 * namespace it sees. Both are global for the process, as in Metaflow.
 */
import fs from 'node:fs';
import path from 'node:path';
import { homePaths, resolveHome, resolveUser } from '../core/config.ts';
import { UsageError } from '../core/errors.ts';
import type { ArtifactStore } from '../store/artifact-store.ts';
import type { AutomationRegistry, SecretStore } from '../store/automation-store.ts';
import type { DeploymentRegistry } from '../store/deployment-store.ts';
import type { EventStore } from '../store/event-store.ts';
import type { MetadataStore } from '../store/metadata-store.ts';
import { openDatabaseStores, serviceFromEnv } from '../store/open.ts';
import { artifactSpecFromEnv } from '../store/open-artifact-store.ts';
import type { SecretRegistry } from './secret-service.ts';

export interface ClientStores {
  metadata: MetadataStore;
  events: EventStore;
  artifacts: ArtifactStore;
}

/**
 * What the automation API works on: the home's database (the client checks and emits, as a server
 * would), or a service (whose server does).
 */
export type AutomationClientStores =
  | {
      remote: false;
      automations: AutomationRegistry;
      secrets: SecretStore;
      deployments: DeploymentRegistry;
      events: EventStore;
    }
  | { remote: true; automations: AutomationRegistry; secrets: SecretRegistry; events: EventStore };

interface Provider {
  description: string;
  /** Local mode: the Flowtrail home. */
  home?: string;
  /** Remote mode: the service. */
  service?: { url: string; apiKey?: string };
  stores?: Promise<ClientStores & { close(): Promise<void> }>;
  automationStores?: Promise<AutomationClientStores & { close(): Promise<void> }>;
}

let provider: Provider | undefined;
let currentNamespace: string | null | undefined;

function localProvider(home: string): Provider {
  return { description: `local@${home}`, home };
}

function serviceProvider(service: { url: string; apiKey?: string }): Provider {
  return { description: `service@${service.url.replace(/\/+$/, '')}`, service };
}

function activeProvider(): Provider {
  if (!provider) {
    const service = serviceFromEnv();
    provider = service ? serviceProvider(service) : localProvider(resolveHome());
  }
  return provider;
}

/** The stores of the current provider, opened on first use (the SQL or HTTP modules load only then). */
export function clientStores(): Promise<ClientStores> {
  const p = activeProvider();
  const { home, service } = p;
  p.stores ??= service
    ? import('../store/http/index.ts').then((m) => m.openServiceStores(service))
    : import('../store/embedded.ts').then((m) => {
        const artifacts = artifactSpecFromEnv();
        return m.openEmbeddedStores(home!, artifacts !== undefined ? { artifacts } : {});
      });
  return p.stores;
}

/**
 * The automation stores of the current provider, opened on first use. Apart from
 * {@link clientStores}: the home's deployments, automations and secrets are not in the embedded
 * stores a run opens.
 */
export function automationStores(): Promise<AutomationClientStores> {
  const p = activeProvider();
  const { home, service } = p;
  p.automationStores ??= service
    ? import('../store/http/index.ts').then((m) => {
        const s = m.openServiceStores(service);
        return {
          remote: true,
          automations: s.automations,
          secrets: s.secrets,
          events: s.events,
          close: s.close,
        };
      })
    : openDatabaseStores({ kind: 'sqlite', file: homePaths(home!).database }).then((s) => ({
        remote: false,
        automations: s.automations,
        secrets: s.secrets,
        deployments: s.deployments,
        events: s.events,
        close: () => s.close(),
      }));
  return p.automationStores;
}

/**
 * Switches the metadata provider for the whole process and returns {@link getMetadata}'s answer.
 * A URL selects remote mode: a Flowtrail service (`flowtrail server`), authenticated with
 * `FLOWTRAIL_API_KEY`. A directory selects local mode: a Flowtrail home (holding `flowtrail.db`) or
 * a project directory holding `.flowtrail/`. `local@/path` and `service@http://…` are accepted too.
 *
 * @example
 * metadata('http://flowtrail.internal:8787');   // → 'service@http://flowtrail.internal:8787'
 * metadata('/data/projects/churn');             // → 'local@/data/projects/churn/.flowtrail'
 */
export function metadata(pathOrUrl: string): string {
  const spec = pathOrUrl.startsWith('local@') ? pathOrUrl.slice('local@'.length) : pathOrUrl;
  const url = spec.startsWith('service@') ? spec.slice('service@'.length) : spec;
  if (/^https?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new UsageError(`metadata('${pathOrUrl}'): '${url}' is not a valid URL.`);
    }
    const apiKey = process.env.FLOWTRAIL_API_KEY?.trim();
    void closeProvider();
    provider = serviceProvider(apiKey ? { url, apiKey } : { url });
    return getMetadata();
  }
  if (spec.startsWith('service@'))
    throw new UsageError(`metadata('${pathOrUrl}'): a service is named by an http:// or https:// URL.`);
  const abs = path.resolve(spec);
  const home = fs.existsSync(path.join(abs, 'flowtrail.db'))
    ? abs
    : fs.existsSync(path.join(abs, '.flowtrail'))
      ? path.join(abs, '.flowtrail')
      : undefined;
  if (!home) {
    throw new UsageError(
      `metadata('${pathOrUrl}'): no Flowtrail store there (no flowtrail.db and no .flowtrail/ directory).`,
    );
  }
  void closeProvider();
  provider = localProvider(home);
  return getMetadata();
}

/** The current provider, e.g. `local@/home/me/project/.flowtrail`. */
export function getMetadata(): string {
  return activeProvider().description;
}

/** Back to the default provider (`FLOWTRAIL_SERVICE_URL`, else `FLOWTRAIL_HOME` or the nearest `.flowtrail/`). */
export function defaultMetadata(): string {
  void closeProvider();
  provider = undefined;
  return getMetadata();
}

async function closeProvider(): Promise<void> {
  const old = provider;
  if (old?.stores) await (await old.stores).close();
  if (old?.automationStores) await (await old.automationStores).close();
}

/**
 * Sets the namespace the client sees: `user:<name>` (the default), `production:<token>`, any tag,
 * or `null` for the global namespace (everything). Returns the namespace now in force.
 *
 * @example
 * namespace(null);            // see every run
 * namespace('user:alice');    // only alice's runs
 */
export function namespace(ns: string | null): string | null {
  if (ns !== null && (typeof ns !== 'string' || ns.trim() === '')) {
    throw new UsageError(
      'namespace() takes a non-empty string such as "user:alice", or null for the global namespace.',
    );
  }
  currentNamespace = ns;
  return ns;
}

/** The namespace in force; `null` means global. */
export function getNamespace(): string | null {
  if (currentNamespace === undefined) currentNamespace = defaultNamespace();
  return currentNamespace;
}

/** Resets to the default namespace (`FLOWTRAIL_PRODUCTION_TOKEN` → `production:<token>`, else `user:<name>`) and returns it. */
export function defaultNamespace(): string {
  const token = process.env.FLOWTRAIL_PRODUCTION_TOKEN;
  currentNamespace = token ? `production:${token}` : `user:${resolveUser()}`;
  return currentNamespace;
}

/** The namespace as a tag filter for store queries (empty for the global namespace). */
export function namespaceTags(): string[] {
  const ns = getNamespace();
  return ns === null ? [] : [ns];
}
