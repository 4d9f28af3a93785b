import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactMissingError, ValidationError } from '../../src/core/errors.ts';
import { FsArtifactStore } from '../../src/store/fs/fs-artifact-store.ts';
import { runArtifactStoreSuite } from '../conformance/artifact-store.ts';

const STORE_MODULE = fileURLToPath(new URL('../../src/store/fs/fs-artifact-store.ts', import.meta.url));

async function makeTempDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-fs-artifacts-'));
}

runArtifactStoreSuite('fs', async () => {
  const dir = await makeTempDir();
  return {
    store: new FsArtifactStore(path.join(dir, 'artifacts')),
    cleanup: () => fsp.rm(dir, { recursive: true, force: true }),
  };
});

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('FsArtifactStore', () => {
  let dir: string;
  let root: string;
  let store: FsArtifactStore;

  beforeEach(async () => {
    dir = await makeTempDir();
    root = path.join(dir, 'artifacts');
    store = new FsArtifactStore(root);
  });

  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('describes itself as fs:<absolute root>', () => {
    expect(store.location).toBe(`fs:${path.resolve(root)}`);
  });

  it('lays blobs out as root/<sha[0:2]>/<sha> with exactly the stored bytes', async () => {
    const bytes = Buffer.from('exact content \u00e9\u{1f600}');
    const { sha } = await store.put(bytes);
    const file = path.join(root, sha.slice(0, 2), sha);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(listFiles(root)).toEqual([path.join(sha.slice(0, 2), sha)]);
  });

  it('writes a big blob (overlapped hashing) to the same layout with exactly its bytes', async () => {
    const bytes = Buffer.alloc(9 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
    const stored = await store.put(bytes);
    expect(stored).toEqual({ sha: sha256(bytes), size: bytes.length, existed: false });
    const file = path.join(root, stored.sha.slice(0, 2), stored.sha);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect((await store.put(bytes)).existed).toBe(true);
    expect(listFiles(root)).toEqual([path.join(stored.sha.slice(0, 2), stored.sha)]);
  });

  it('leaves no .tmp files after puts, concurrent or not', async () => {
    const small = Array.from({ length: 30 }, (_, i) => Buffer.from(`blob ${i % 10}`));
    const big = Buffer.alloc(5 * 1024 * 1024, 7);
    await Promise.all([...small.map((b) => store.put(b)), store.put(big), store.put(big)]);
    for (const b of small) await store.put(b);
    const files = listFiles(root);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => !f.startsWith('tmp'))).toHaveLength(11);
  });

  it('creates the root lazily and recreates a prefix directory deleted behind its back', async () => {
    expect(fs.existsSync(root)).toBe(false);
    const first = await store.put(Buffer.from('one'));
    expect(fs.existsSync(root)).toBe(true);
    fs.rmSync(path.join(root, first.sha.slice(0, 2)), { recursive: true });
    const again = await store.put(Buffer.from('one'));
    expect(again.existed).toBe(false);
    expect(Buffer.from(await store.get(first.sha)).toString()).toBe('one');
  });

  it('reports a blob deleted from disk as missing', async () => {
    const { sha } = await store.put(Buffer.from('soon gone'));
    fs.rmSync(path.join(root, sha.slice(0, 2), sha));
    await expect(store.get(sha)).rejects.toBeInstanceOf(ArtifactMissingError);
    expect(() => store.getSync(sha)).toThrow(ArtifactMissingError);
    expect(await store.has(sha)).toBe(false);
  });

  it('never reaches outside the root for traversal-looking shas', async () => {
    const outside = path.join(dir, 'secret');
    fs.writeFileSync(outside, 'secret');
    const attempts = ['../secret', `../../${'a'.repeat(60)}`, path.join('..', 'secret')];
    for (const sha of attempts) {
      await expect(store.get(sha)).rejects.toBeInstanceOf(ValidationError);
      await expect(store.has(sha)).rejects.toBeInstanceOf(ValidationError);
      expect(() => store.getSync(sha)).toThrow(/64 lowercase hex/);
    }
    expect(fs.existsSync(root)).toBe(false);
  });

  it('rejects a put of something that is not bytes', async () => {
    await expect(store.put('text' as unknown as Uint8Array)).rejects.toBeInstanceOf(ValidationError);
  });

  it('is safe when several processes put the same blobs at once', async () => {
    const script = `
      import { FsArtifactStore } from ${JSON.stringify(STORE_MODULE)};
      const store = new FsArtifactStore(process.argv[2]);
      const big = Buffer.alloc(6 * 1024 * 1024, 3);
      const out = [];
      for (let i = 0; i < 20; i++) out.push((await store.put(Buffer.from('shared ' + (i % 5)))).sha);
      out.push((await store.put(big)).sha);
      console.log(JSON.stringify(out));
    `;
    const scriptFile = path.join(dir, 'writer.mts');
    fs.writeFileSync(scriptFile, script);
    const { execFile } = await import('node:child_process');
    const run = () =>
      new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', scriptFile, root], (error, stdout) =>
          error ? reject(error) : resolve(stdout),
        );
      });
    const outputs = await Promise.all([run(), run(), run(), run()]);
    const shas = outputs.map((o) => JSON.parse(o) as string[]);
    for (const s of shas) expect(s).toEqual(shas[0]);
    const files = listFiles(root);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => !f.startsWith('tmp'))).toHaveLength(6);
    for (const sha of new Set(shas[0])) expect(sha256(await store.get(sha))).toBe(sha);
  });
});
