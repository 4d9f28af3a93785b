/**
 * The `ArtifactStore` port: a content-addressed blob store. Keys are the sha256 (hex) of the stored
 * bytes, so identical values are stored once. Adapters: `fs/` (embedded), later `s3/`.
 * Every adapter passes `test/conformance/artifact-store.ts`.
 */
export interface StoredBlob {
  /** sha256 of the bytes, lowercase hex. */
  sha: string;
  /** Byte length. */
  size: number;
  /** True when a blob with this key was already present (nothing was written). */
  existed: boolean;
}

export interface ArtifactStore {
  /** A short description for messages, e.g. `fs:/home/me/.flowtrail/artifacts`. */
  readonly location: string;
  /** Stores bytes under their sha256; atomic (a reader never sees a partial blob). */
  put(bytes: Uint8Array): Promise<StoredBlob>;
  /** Reads a blob; throws `ArtifactMissingError` when absent. */
  get(sha: string): Promise<Uint8Array>;
  /** Synchronous read, offered by adapters that can (the filesystem); lets step code read artifacts lazily. */
  getSync?(sha: string): Uint8Array;
  has(sha: string): Promise<boolean>;
  /** Blob size without reading it; throws `ArtifactMissingError` when absent. */
  size(sha: string): Promise<number>;
}
