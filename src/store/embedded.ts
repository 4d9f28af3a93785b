import { homePaths } from '../core/config.ts';
import type { ArtifactStore } from './artifact-store.ts';
import { FsArtifactStore } from './fs/fs-artifact-store.ts';
import type { MetadataStore } from './metadata-store.ts';
import { openSqliteMetadataStore } from './sql/sqlite.ts';

/** The stores of one Flowtrail home. */
export interface Stores {
  home: string;
  metadata: MetadataStore;
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
export function openEmbeddedStores(home: string): Stores & AsyncDisposable {
  const paths = homePaths(home);
  const metadata = openSqliteMetadataStore(paths.database);
  const artifacts = new FsArtifactStore(paths.artifacts);
  const close = () => metadata.close();
  return { home, metadata, artifacts, artifactRoot: paths.artifacts, close, [Symbol.asyncDispose]: close };
}
