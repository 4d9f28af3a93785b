/**
 * The client's process-wide settings: which metadata provider (store) it reads, and which
 * namespace it sees. Both are global for the process, as in Metaflow.
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolveHome, resolveUser } from '../core/config.ts';
import { UsageError } from '../core/errors.ts';
import type { ArtifactStore } from '../store/artifact-store.ts';
import type { EventStore } from '../store/event-store.ts';
import type { MetadataStore } from '../store/metadata-store.ts';

export interface ClientStores {
  metadata: MetadataStore;
  events: EventStore;
  artifacts: ArtifactStore;
}

interface Provider {
  description: string;
  home: string;
  stores?: Promise<ClientStores & { close(): Promise<void> }>;
}

let provider: Provider | undefined;
let currentNamespace: string | null | undefined;

function localProvider(home: string): Provider {
  return { description: `local@${home}`, home };
}

function activeProvider(): Provider {
  provider ??= localProvider(resolveHome());
  return provider;
}

/** The stores of the current provider, opened on first use (the SQL modules load only then). */
export function clientStores(): Promise<ClientStores> {
  const p = activeProvider();
  p.stores ??= import('../store/embedded.ts').then((m) => m.openEmbeddedStores(p.home));
  return p.stores;
}

/**
 * Switches the metadata provider for the whole process and returns {@link getMetadata}'s answer.
 * A directory selects local mode: a Flowtrail home (holding `flowtrail.db`) or a project directory
 * holding `.flowtrail/`. `local@/path` is accepted too.
 *
 * @example
 * metadata('/data/projects/churn');   // → 'local@/data/projects/churn/.flowtrail'
 */
export function metadata(pathOrUrl: string): string {
  const spec = pathOrUrl.startsWith('local@') ? pathOrUrl.slice('local@'.length) : pathOrUrl;
  if (/^(https?:|service@)/.test(spec)) {
    throw new UsageError(
      `metadata('${pathOrUrl}'): the remote metadata service is not available in this version; use a local directory.`,
    );
  }
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

/** Back to the default provider (`FLOWTRAIL_HOME`, or the nearest `.flowtrail/`). */
export function defaultMetadata(): string {
  void closeProvider();
  provider = undefined;
  return getMetadata();
}

async function closeProvider(): Promise<void> {
  const old = provider?.stores;
  if (old) await (await old).close();
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
