import { homePaths } from '../core/config.ts';
import type { ArtifactStore } from './artifact-store.ts';
import type { EventStore } from './event-store.ts';
import type { MetadataStore } from './metadata-store.ts';
import { openArtifactStore } from './open-artifact-store.ts';
import { openSqliteStores, type SqliteOpenOptions } from './sql/sqlite/sqlite-stores.ts';

/** The stores of one Flowtrail home. */
export interface Stores {
  home: string;
  metadata: MetadataStore;
  /** The event feed; shares the metadata store's database (lifecycle events commit with state). */
  events: EventStore;
  artifacts: ArtifactStore;
  /** The artifact store's spec (a directory or `s3://bucket/prefix`), passed to worker processes. */
  artifactRoot: string;
  close(): Promise<void>;
}

export interface EmbeddedOpenOptions extends SqliteOpenOptions {
  /** The artifact store instead of the home's `artifacts/` (`FLOWTRAIL_ARTIFACTS`). */
  artifacts?: string;
  /** The environment an `s3://` artifact store reads its endpoint and keys from. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Opens the embedded stores of a home directory: SQLite metadata and (by default) filesystem
 * artifacts.
 *
 * @example
 * await using stores = openEmbeddedStores('.flowtrail');
 */
export function openEmbeddedStores(
  home: string,
  options: EmbeddedOpenOptions = {},
): Stores & AsyncDisposable {
  const paths = homePaths(home);
  const { artifacts: artifactSpec, env, ...sqlite } = options;
  const artifactRoot = artifactSpec ?? paths.artifacts;
  // Opened first: a malformed FLOWTRAIL_ARTIFACTS throws before the database is opened.
  const artifacts = openArtifactStore(artifactRoot, env);
  const { metadata, events } = openSqliteStores(paths.database, sqlite);
  const close = () => metadata.close();
  return {
    home,
    metadata,
    events,
    artifacts,
    artifactRoot,
    close,
    [Symbol.asyncDispose]: close,
  };
}
