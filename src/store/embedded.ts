import { homePaths } from '../core/config.ts';
import type { ArtifactStore } from './artifact-store.ts';
import type { EventStore } from './event-store.ts';
import { FsArtifactStore } from './fs/fs-artifact-store.ts';
import type { MetadataStore } from './metadata-store.ts';
import { openSqliteStores, type SqliteOpenOptions } from './sql/sqlite/sqlite-stores.ts';

/** The stores of one Flowtrail home. */
export interface Stores {
  home: string;
  metadata: MetadataStore;
  /** The event feed; shares the metadata store's database (lifecycle events commit with state). */
  events: EventStore;
  artifacts: ArtifactStore;
  /** Filesystem root of the artifact store, passed to worker processes. */
  artifactRoot: string;
  close(): Promise<void>;
}

/**
 * Opens the embedded stores of a home directory: SQLite metadata and filesystem artifacts.
 *
 * @example
 * await using stores = openEmbeddedStores('.flowtrail');
 */
export function openEmbeddedStores(home: string, options: SqliteOpenOptions = {}): Stores & AsyncDisposable {
  const paths = homePaths(home);
  const { metadata, events } = openSqliteStores(paths.database, options);
  const artifacts = new FsArtifactStore(paths.artifacts);
  const close = () => metadata.close();
  return {
    home,
    metadata,
    events,
    artifacts,
    artifactRoot: paths.artifacts,
    close,
    [Symbol.asyncDispose]: close,
  };
}
