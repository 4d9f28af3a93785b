import { ValidationError } from '../core/errors.ts';

/**
 * The `ArtifactStore` port: a content-addressed blob store. Keys are the sha256 (hex) of the stored
 * bytes, so identical values are stored once. Adapters: `fs/` (embedded) and `s3/` (a bucket, for
 * several machines); `open-artifact-store.ts` picks one.
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
  /**
   * Synchronous read, offered by adapters that can (the filesystem); lets step code read artifacts
   * lazily. Without it (S3) the task runner prefetches what a step can read (`runtime/artifact-prefetch.ts`).
   */
  getSync?(sha: string): Uint8Array;
  has(sha: string): Promise<boolean>;
  /** Blob size without reading it; throws `ArtifactMissingError` when absent. */
  size(sha: string): Promise<number>;
}

const SHA = /^[0-9a-f]{64}$/;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value === null) return 'null';
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'object'}`;
  return typeof value;
}

/** Every adapter checks keys the same way (before touching a path or a URL). */
export function checkSha(sha: unknown): asserts sha is string {
  if (typeof sha !== 'string' || !SHA.test(sha))
    throw new ValidationError(
      'sha',
      `Invalid artifact sha ${describe(sha)}: expected 64 lowercase hex characters.`,
    );
}

export function checkBytes(bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array))
    throw new ValidationError('bytes', `put() takes a Uint8Array or Buffer, got ${describe(bytes)}.`);
}
