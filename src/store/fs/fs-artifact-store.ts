/**
 * The embedded {@link ArtifactStore}: one file per blob under `root/<sha[0:2]>/<sha>`.
 *
 * Writes are atomic: bytes go to a temporary file that is renamed into place, so a reader never sees a
 * partial blob, and several processes writing the same blob at once are safe (the blobs are identical, the
 * last rename wins). A crash can leave a `*.tmp` file behind; it is never read and can be deleted. Blobs
 * are not fsynced (like `fs.writeFile`): the store is as durable as the page cache of the machine.
 *
 * Speed: a blob's name is its sha256, and on this class of machine hashing (≈1.7 GB/s with SHA-NI) is
 * slower than writing to the page cache (≈3–4 GB/s). For big blobs the write therefore starts *before*
 * the hash is known — one `write` of the whole buffer on the libuv thread pool, into `root/tmp/`, while the
 * main thread hashes — and the temporary file is renamed to `root/<sha[0:2]>/<sha>` once the hash is
 * known, so a put costs about `max(hash, write)` instead of `hash + write` — in practice the hash time, the
 * floor for any content-addressed put. Blobs under 2 MiB take a synchronous path (hash, existence check,
 * write to `<sha>.<pid>.<random>.tmp` next to the blob, rename), where thread-pool round trips would cost
 * more than they save; it blocks the event loop for at most a couple of milliseconds.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ArtifactMissingError, StoreError } from '../../core/errors.ts';
import { type ArtifactStore, checkBytes, checkSha, type StoredBlob } from '../artifact-store.ts';

/** Blobs at least this big overlap hashing with writing (see the module comment). */
const OVERLAP_THRESHOLD = 2 * 1024 * 1024;

/**
 * Content-addressed blob store on the local filesystem.
 *
 * @example
 * const store = new FsArtifactStore(homePaths(home).artifacts);
 * const { sha } = await store.put(bytes);
 * const same = await store.get(sha);
 */
export class FsArtifactStore implements ArtifactStore {
  readonly location: string;
  private readonly root: string;
  /** Prefix directories (`root/ab`, `root/tmp`) known to exist. */
  private readonly dirs = new Set<string>();

  constructor(root: string) {
    this.root = path.resolve(root);
    this.location = `fs:${this.root}`;
  }

  async put(bytes: Uint8Array): Promise<StoredBlob> {
    checkBytes(bytes);
    if (bytes.byteLength >= OVERLAP_THRESHOLD) return this.putOverlapped(bytes);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const size = bytes.byteLength;
    const file = this.blobPath(sha);
    if (fs.existsSync(file)) return { sha, size, existed: true };
    const dir = path.dirname(file);
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      this.ensureDirSync(dir);
      try {
        fs.writeFileSync(tmp, bytes, { flag: 'wx' });
      } catch (error) {
        if (code(error) !== 'ENOENT') throw error;
        this.dirs.delete(dir); // removed behind our back: create it again
        this.ensureDirSync(dir);
        fs.writeFileSync(tmp, bytes, { flag: 'wx' });
      }
      fs.renameSync(tmp, file);
    } catch (error) {
      fs.rmSync(tmp, { force: true });
      throw new StoreError(
        `Could not write artifact blob ${sha} to ${this.location}: ${message(error)}`,
        error,
      );
    }
    return { sha, size, existed: false };
  }

  async get(sha: string): Promise<Uint8Array> {
    const file = this.blobPath(sha);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(file, 'r');
    } catch (error) {
      throw this.readError(sha, error);
    }
    try {
      // One read of the whole file into an exact-size buffer: as fast as readFileSync, off the main thread.
      const { size } = await handle.stat();
      const bytes = Buffer.allocUnsafeSlow(size);
      let offset = 0;
      while (offset < size) {
        const { bytesRead } = await handle.read(bytes, offset, size - offset, offset);
        if (bytesRead === 0) throw new Error(`file ended after ${offset} of ${size} bytes`);
        offset += bytesRead;
      }
      return bytes;
    } catch (error) {
      throw this.readError(sha, error);
    } finally {
      await handle.close();
    }
  }

  getSync(sha: string): Uint8Array {
    const file = this.blobPath(sha);
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw this.readError(sha, error);
    }
  }

  async has(sha: string): Promise<boolean> {
    const file = this.blobPath(sha);
    try {
      await fsp.access(file);
      return true;
    } catch (error) {
      if (code(error) === 'ENOENT') return false;
      throw this.readError(sha, error);
    }
  }

  async size(sha: string): Promise<number> {
    const file = this.blobPath(sha);
    try {
      return (await fsp.stat(file)).size;
    } catch (error) {
      throw this.readError(sha, error);
    }
  }

  /** Validates the sha (before any filesystem access: no path traversal) and returns the blob's path. */
  private blobPath(sha: string): string {
    checkSha(sha);
    return path.join(this.root, sha.slice(0, 2), sha);
  }

  private ensureDirSync(dir: string): void {
    if (this.dirs.has(dir)) return;
    fs.mkdirSync(dir, { recursive: true });
    this.dirs.add(dir);
  }

  /**
   * Big blobs: start writing a temporary file in `root/tmp/` on the thread pool, hash on the main thread
   * meanwhile, then rename the file to its content address (or drop it when the blob already exists).
   */
  private async putOverlapped(bytes: Uint8Array): Promise<StoredBlob> {
    const size = bytes.byteLength;
    const tmpDir = path.join(this.root, 'tmp');
    const tmp = path.join(tmpDir, `${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    let sha = '';
    let renamed = false;
    try {
      let handle: fsp.FileHandle;
      try {
        this.ensureDirSync(tmpDir);
        handle = await fsp.open(tmp, 'wx');
      } catch (error) {
        if (code(error) !== 'ENOENT') throw error;
        this.dirs.delete(tmpDir);
        this.ensureDirSync(tmpDir);
        handle = await fsp.open(tmp, 'wx');
      }
      try {
        const written = writeAll(handle, bytes); // runs on the thread pool from here on
        written.catch(() => {}); // awaited below; never an unhandled rejection while we hash
        try {
          sha = createHash('sha256').update(bytes).digest('hex');
        } finally {
          await written;
        }
      } finally {
        await handle.close();
      }
      const file = this.blobPath(sha);
      if (fs.existsSync(file)) return { sha, size, existed: true };
      const dir = path.dirname(file);
      this.ensureDirSync(dir);
      try {
        await fsp.rename(tmp, file);
      } catch (error) {
        if (code(error) !== 'ENOENT' || !fs.existsSync(tmp)) throw error;
        this.dirs.delete(dir);
        this.ensureDirSync(dir);
        await fsp.rename(tmp, file);
      }
      renamed = true;
      return { sha, size, existed: false };
    } catch (error) {
      const what = sha === '' ? `a ${size}-byte artifact blob` : `artifact blob ${sha}`;
      throw new StoreError(`Could not write ${what} to ${this.location}: ${message(error)}`, error);
    } finally {
      if (!renamed) await fsp.rm(tmp, { force: true });
    }
  }

  private readError(sha: string, error: unknown): Error {
    if (code(error) === 'ENOENT') return new ArtifactMissingError(sha, this.location);
    return new StoreError(
      `Could not read artifact blob ${sha} from ${this.location}: ${message(error)}`,
      error,
    );
  }
}

async function writeAll(handle: fsp.FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset, offset);
    offset += bytesWritten;
  }
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
