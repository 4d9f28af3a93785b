/**
 * The conformance suite every `ArtifactStore` adapter must pass. An adapter's test file calls
 * `runArtifactStoreSuite('fs', async () => ({ store, cleanup }))`; each test gets a fresh, empty store.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactMissingError, FlowtrailError, ValidationError } from '../../src/core/errors.ts';
import type { ArtifactStore } from '../../src/store/artifact-store.ts';

export interface ArtifactStoreFixture {
  store: ArtifactStore;
  cleanup: () => Promise<void>;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Deterministic pseudo-random bytes (not all zeros, no crypto needed). */
function patterned(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const INVALID_SHAS = [
  '',
  'abc',
  '../../../../etc/passwd',
  `${'A'.repeat(64)}`, // uppercase
  `${'a'.repeat(63)}g`,
  `${'a'.repeat(65)}`,
  `../${'a'.repeat(61)}`,
  `${'a'.repeat(62)}/x`,
];

export function runArtifactStoreSuite(name: string, makeStore: () => Promise<ArtifactStoreFixture>): void {
  describe(`ArtifactStore conformance: ${name}`, () => {
    let fixture: ArtifactStoreFixture;
    let store: ArtifactStore;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('has a location string', () => {
      expect(typeof store.location).toBe('string');
      expect(store.location.length).toBeGreaterThan(0);
    });

    it('round-trips bytes through put and get', async () => {
      const bytes = patterned(10_000, 7);
      const stored = await store.put(bytes);
      expect(stored.size).toBe(bytes.byteLength);
      expect(stored.existed).toBe(false);
      const read = await store.get(stored.sha);
      expect(read).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(read).equals(Buffer.from(bytes))).toBe(true);
    });

    it('keys a blob by the sha256 of its bytes (lowercase hex)', async () => {
      const bytes = bytesOf('hello, flowtrail');
      const stored = await store.put(bytes);
      expect(stored.sha).toBe(sha256(bytes));
      expect(stored.sha).toMatch(/^[0-9a-f]{64}$/);
    });

    it('stores identical bytes once', async () => {
      const first = await store.put(bytesOf('same bytes'));
      const second = await store.put(bytesOf('same bytes'));
      expect(first.existed).toBe(false);
      expect(second.existed).toBe(true);
      expect(second.sha).toBe(first.sha);
      expect(second.size).toBe(first.size);
    });

    it('stores a view of a larger buffer by its own bytes only', async () => {
      const backing = patterned(1000, 3);
      const view = backing.subarray(100, 300);
      const stored = await store.put(view);
      expect(stored.size).toBe(200);
      expect(stored.sha).toBe(sha256(view));
      expect(Buffer.from(await store.get(stored.sha)).equals(Buffer.from(view))).toBe(true);
    });

    it('answers has and size', async () => {
      const bytes = patterned(1234, 11);
      const sha = sha256(bytes);
      expect(await store.has(sha)).toBe(false);
      await store.put(bytes);
      expect(await store.has(sha)).toBe(true);
      expect(await store.size(sha)).toBe(1234);
    });

    it('throws ArtifactMissingError for a missing blob', async () => {
      const missing = sha256(bytesOf('never stored'));
      for (const attempt of [() => store.get(missing), () => store.size(missing)]) {
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ArtifactMissingError);
        expect(error).toBeInstanceOf(FlowtrailError);
        expect((error as ArtifactMissingError).code).toBe('ARTIFACT_MISSING');
        expect((error as Error).message).toContain(missing);
      }
      if (store.getSync) {
        const getSync = store.getSync.bind(store);
        expect(() => getSync(missing)).toThrow(ArtifactMissingError);
      }
    });

    it('rejects invalid shas with ValidationError', async () => {
      for (const bad of INVALID_SHAS) {
        for (const attempt of [() => store.get(bad), () => store.has(bad), () => store.size(bad)]) {
          const error = await attempt().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, `sha ${JSON.stringify(bad)}`).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).code).toBe('VALIDATION');
          expect((error as ValidationError).field).toBe('sha');
        }
        if (store.getSync) {
          const getSync = store.getSync.bind(store);
          expect(() => getSync(bad)).toThrow(ValidationError);
        }
      }
    });

    it('stores an empty blob', async () => {
      const empty = new Uint8Array(0);
      const stored = await store.put(empty);
      expect(stored.sha).toBe(sha256(empty));
      expect(stored.size).toBe(0);
      expect(await store.has(stored.sha)).toBe(true);
      expect(await store.size(stored.sha)).toBe(0);
      expect((await store.get(stored.sha)).byteLength).toBe(0);
      expect((await store.put(new Uint8Array(0))).existed).toBe(true);
    });

    it('survives 10 concurrent puts of the same bytes, keeping one blob', async () => {
      const bytes = patterned(64 * 1024, 99);
      const results = await Promise.all(Array.from({ length: 10 }, () => store.put(bytes)));
      const sha = sha256(bytes);
      for (const result of results) {
        expect(result.sha).toBe(sha);
        expect(result.size).toBe(bytes.byteLength);
      }
      expect(results.some((r) => !r.existed)).toBe(true);
      expect(await store.size(sha)).toBe(bytes.byteLength);
      expect(Buffer.from(await store.get(sha)).equals(Buffer.from(bytes))).toBe(true);
      expect((await store.put(bytes)).existed).toBe(true);
    });

    it('survives concurrent puts of the same large blob (above any streaming threshold)', async () => {
      const bytes = patterned(6 * 1024 * 1024, 5);
      const results = await Promise.all(Array.from({ length: 4 }, () => store.put(bytes)));
      const sha = sha256(bytes);
      for (const result of results) expect(result.sha).toBe(sha);
      expect(await store.size(sha)).toBe(bytes.byteLength);
      expect(Buffer.from(await store.get(sha)).equals(Buffer.from(bytes))).toBe(true);
      expect((await store.put(bytes)).existed).toBe(true);
    });

    it('stores different blobs side by side', async () => {
      const blobs = Array.from({ length: 20 }, (_, i) => patterned(100 + i, i + 1));
      const stored = await Promise.all(blobs.map((b) => store.put(b)));
      expect(new Set(stored.map((s) => s.sha)).size).toBe(20);
      for (const [i, s] of stored.entries()) {
        expect(Buffer.from(await store.get(s.sha)).equals(Buffer.from(blobs[i]!))).toBe(true);
      }
    });

    it('getSync, when offered, returns what get returns', async () => {
      if (!store.getSync) return;
      const bytes = patterned(5000, 42);
      const { sha } = await store.put(bytes);
      const sync = store.getSync(sha);
      const async = await store.get(sha);
      expect(Buffer.from(sync).equals(Buffer.from(async))).toBe(true);
      expect(Buffer.from(sync).equals(Buffer.from(bytes))).toBe(true);
    });
  });
}
