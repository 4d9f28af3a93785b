/**
 * The S3 artifact store against s3rver on loopback: the artifact store conformance suite, where
 * the blobs land, multipart uploads, and each error a user can meet (a bad location, a missing
 * bucket, wrong keys, an endpoint that does not answer).
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  ArtifactMissingError,
  StoreError,
  UnavailableError,
  ValidationError,
} from '../../src/core/errors.ts';
import type { ArtifactStore } from '../../src/store/artifact-store.ts';
import { openArtifactStore } from '../../src/store/open-artifact-store.ts';
import { S3_PART_SIZE, S3ArtifactStore } from '../../src/store/s3/s3-artifact-store.ts';
import { parseS3Location } from '../../src/store/s3/s3-location.ts';
import { runArtifactStoreSuite } from '../conformance/artifact-store.ts';
import { s3Tests } from '../support/s3-tests.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

/** The errors of has, get and put (one at a time: each must fail). */
async function everyOperationFails(store: S3ArtifactStore): Promise<Error[]> {
  const x = new TextEncoder().encode('x');
  const sha = sha256(x);
  return [await rejection(store.has(sha)), await rejection(store.get(sha)), await rejection(store.put(x))];
}

describe('parseS3Location', () => {
  it('reads bucket, prefix, endpoint, region and keys; path style with a custom endpoint', () => {
    expect(
      parseS3Location('s3://team-artifacts/flowtrail/prod/', {
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9000',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'id',
        AWS_SECRET_ACCESS_KEY: 'secret',
      }),
    ).toEqual({
      bucket: 'team-artifacts',
      prefix: 'flowtrail/prod',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
    });
  });

  it('prefers the S3-specific endpoint and AWS_REGION; AWS itself gets virtual-hosted style', () => {
    const both = parseS3Location('s3://bucket-a', {
      AWS_ENDPOINT_URL: 'http://a:1',
      AWS_ENDPOINT_URL_S3: 'http://b:2',
      AWS_REGION: 'us-west-2',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
    expect(both).toMatchObject({ endpoint: 'http://b:2', region: 'us-west-2', prefix: '' });
    const aws = parseS3Location('s3://bucket-a/p', {});
    expect(aws).toEqual({ bucket: 'bucket-a', prefix: 'p', region: 'us-east-1', forcePathStyle: false });
    expect(parseS3Location('s3://bucket-a', { FLOWTRAIL_S3_FORCE_PATH_STYLE: '1' }).forcePathStyle).toBe(
      true,
    );
    expect(
      parseS3Location('s3://bucket-a', {
        AWS_ENDPOINT_URL: 'http://x:1',
        FLOWTRAIL_S3_FORCE_PATH_STYLE: 'false',
      }).forcePathStyle,
    ).toBe(false);
  });

  it.each([
    ['s3://', 'names no bucket'],
    ['s3:///prefix', 'names no bucket'],
    ['s3://b/x', "'b' is not a valid bucket name"],
    ['s3://Upper/x', 'not a valid bucket name'],
    ['s3://bucket-a/a//b', "empty, '.' or '..' part"],
    ['s3://bucket-a/../etc', "empty, '.' or '..' part"],
    ['s3://bucket-a/x?region=y', 'query strings'],
  ])('refuses %s with a ValidationError naming FLOWTRAIL_ARTIFACTS', (url, why) => {
    const error = (() => {
      try {
        parseS3Location(url, {});
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe('FLOWTRAIL_ARTIFACTS');
    expect(error.message).toContain(why);
    expect(error.message).toContain('Expected s3://bucket or s3://bucket/prefix');
  });

  it('refuses a bad endpoint, half a key pair, and a bad path-style switch', () => {
    expect(() => parseS3Location('s3://bucket-a', { AWS_ENDPOINT_URL: 'not a url' })).toThrow(
      /AWS_ENDPOINT_URL.*not a URL/,
    );
    expect(() => parseS3Location('s3://bucket-a', { AWS_ENDPOINT_URL_S3: 'ftp://x' })).toThrow(/http/);
    expect(() => parseS3Location('s3://bucket-a', { AWS_ACCESS_KEY_ID: 'id' })).toThrow(
      /both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
    expect(() => parseS3Location('s3://bucket-a', { FLOWTRAIL_S3_FORCE_PATH_STYLE: 'maybe' })).toThrow(
      ValidationError,
    );
  });

  it('openArtifactStore picks the adapter from the spec', () => {
    expect(openArtifactStore('s3://bucket-a/p', {})).toBeInstanceOf(S3ArtifactStore);
    expect(openArtifactStore('/tmp/flowtrail-artifacts').location).toBe('fs:/tmp/flowtrail-artifacts');
    expect(() => openArtifactStore('s3://x', {})).toThrow(ValidationError);
  });
});

s3Tests('S3 artifact store', (t) => {
  runArtifactStoreSuite('s3', async () => ({
    store: new S3ArtifactStore(t.freshUrl(), t.s3.env),
    cleanup: async () => {},
  }));

  const raw = () =>
    new S3Client({
      endpoint: t.s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });

  describe('S3ArtifactStore', () => {
    it('stores each blob at prefix/<sha[0:2]>/<sha>, nothing else', async () => {
      const url = t.freshUrl();
      const store = new S3ArtifactStore(url, t.s3.env);
      const a = await store.put(new TextEncoder().encode('one'));
      const b = await store.put(new TextEncoder().encode('two'));
      await store.put(new TextEncoder().encode('one'));
      const prefix = url.slice(`s3://${t.s3.bucket}/`.length);
      const listed = await raw().send(
        new ListObjectsV2Command({ Bucket: t.s3.bucket, Prefix: `${prefix}/` }),
      );
      expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(
        [a.sha, b.sha].map((sha) => `${prefix}/${sha.slice(0, 2)}/${sha}`).sort(),
      );
      expect(store.location).toBe(`${url} at ${t.s3.endpoint}`);
    });

    it('rewrites a short object at its key (a writer killed mid-PUT on a server that is not atomic)', async () => {
      const url = t.freshUrl();
      const store = new S3ArtifactStore(url, t.s3.env);
      const bytes = new TextEncoder().encode('the whole value');
      const sha = sha256(bytes);
      const prefix = url.slice(`s3://${t.s3.bucket}/`.length);
      await raw().send(
        new PutObjectCommand({
          Bucket: t.s3.bucket,
          Key: `${prefix}/${sha.slice(0, 2)}/${sha}`,
          Body: new Uint8Array(0),
        }),
      );
      expect((await store.put(bytes)).existed).toBe(false);
      expect(new TextDecoder().decode(await store.get(sha))).toBe('the whole value');
      expect((await store.put(bytes)).existed).toBe(true);
    });

    it('uploads a blob above one part in parts and reads it back whole', async () => {
      const store = new S3ArtifactStore(t.freshUrl(), t.s3.env);
      const bytes = Buffer.alloc(S3_PART_SIZE * 2 + 12345);
      for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE(i, i);
      const stored = await store.put(bytes);
      expect(stored).toEqual({ sha: sha256(bytes), size: bytes.length, existed: false });
      expect(await store.size(stored.sha)).toBe(bytes.length);
      const read = await store.get(stored.sha);
      expect(Buffer.from(read).equals(bytes)).toBe(true);
      expect((await store.put(bytes)).existed).toBe(true);
    }, 60_000);

    it('names the sha and the location when a blob is missing', async () => {
      const url = t.freshUrl();
      const store = new S3ArtifactStore(url, t.s3.env);
      const sha = sha256(new TextEncoder().encode('absent'));
      for (const attempt of [() => store.get(sha), () => store.size(sha)]) {
        const error = await rejection(attempt());
        expect(error).toBeInstanceOf(ArtifactMissingError);
        expect(error.message).toContain(sha);
        expect(error.message).toContain(url);
      }
      expect(await store.has(sha)).toBe(false);
    });

    it('says to create a bucket that does not exist (reads and writes)', async () => {
      const store = new S3ArtifactStore('s3://no-such-bucket/p', t.s3.env);
      for (const error of await everyOperationFails(store)) {
        expect(error).toBeInstanceOf(StoreError);
        expect(error.message).toContain("the bucket 'no-such-bucket' does not exist");
        expect(error.message).toContain('aws s3 mb s3://no-such-bucket');
      }
    });

    it('a bucket created later is found (the check is not cached as a failure)', async () => {
      const store = new S3ArtifactStore('s3://late-bucket/p', t.s3.env);
      const sha = sha256(new TextEncoder().encode('x'));
      await expect(store.has(sha)).rejects.toThrow(/does not exist/);
      await t.s3.createBucket('late-bucket');
      expect(await store.has(sha)).toBe(false);
      const stored = await store.put(new TextEncoder().encode('x'));
      expect(await store.has(stored.sha)).toBe(true);
    });

    it('reports access denied for keys the server does not know', async () => {
      const store = new S3ArtifactStore(t.freshUrl(), {
        ...t.s3.env,
        AWS_ACCESS_KEY_ID: 'WRONG',
        AWS_SECRET_ACCESS_KEY: 'WRONG',
      });
      for (const error of await everyOperationFails(store)) {
        expect(error).toBeInstanceOf(StoreError);
        expect(error.message).toMatch(/access denied/);
        expect(error.message).toContain('AWS_ACCESS_KEY_ID');
      }
    });

    it('reports an endpoint that does not answer as unavailable', async () => {
      // A port that was free a moment ago: nothing listens there.
      const port = await new Promise<number>((resolve) => {
        const probe = net.createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as net.AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      const endpoint = `http://127.0.0.1:${port}`;
      const store = new S3ArtifactStore('s3://flowtrail-test/p', {
        ...t.s3.env,
        AWS_ENDPOINT_URL_S3: endpoint,
      });
      const error = await rejection(store.put(new TextEncoder().encode('x')));
      expect(error).toBeInstanceOf(UnavailableError);
      expect(error.message).toContain(endpoint);
      expect(error.message).toContain('cannot be reached');
      expect(await rejection(store.get(sha256(new Uint8Array(0))))).toBeInstanceOf(UnavailableError);
    });

    it('has no getSync: step code is served by the task runner prefetch', () => {
      const store: ArtifactStore = new S3ArtifactStore(t.freshUrl(), t.s3.env);
      expect(store.getSync).toBeUndefined();
    });
  });
});
