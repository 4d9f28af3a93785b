/**
 * The S3 {@link ArtifactStore}: one object per blob at `prefix/<sha[0:2]>/<sha>` in a bucket of AWS
 * S3 or an S3-compatible server (MinIO, Ceph, s3rver…), for runs whose tasks execute on several
 * machines. Configured by `FLOWTRAIL_ARTIFACTS=s3://bucket/prefix` and the AWS environment
 * (`s3-location.ts`).
 *
 * - The SDK (~150 ms to load) is imported on first use, so a process that only names the store pays
 *   nothing; the SDK's Node-version notice is silenced (it would land in every task's log).
 * - Checksums are `WHEN_REQUIRED`: since 3.729 the SDK adds CRC32 to every put and validates gets,
 *   which several S3-compatible servers reject (aws-sdk-js-v3 #6810). Blobs are content-addressed
 *   anyway.
 * - A put hashes first (the key is the hash), then asks HEAD whether the blob exists (content
 *   addressing makes a second upload of the same key harmless, so racing puts need no lock).
 *   Blobs under one part go in one PutObject; bigger ones through lib-storage's `Upload`, 16 MiB
 *   parts with 8 in flight (the fastest set measured here), as views of the caller's bytes: nothing
 *   is copied, so memory stays the value plus the sockets' buffers.
 * - A get reads the body into one buffer of the announced length (no list of chunks to concatenate).
 * - HEAD answers 404 without a body for a missing key and a missing bucket alike; the first such
 *   404 checks the bucket once (HeadBucket), so a missing bucket is reported as such.
 * - No synchronous read (`getSync`): step code reads artifacts synchronously, so the task runner
 *   prefetches what a step can read (`runtime/artifact-prefetch.ts`).
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { ArtifactMissingError, StoreError, UnavailableError } from '../../core/errors.ts';
import { type ArtifactStore, checkBytes, checkSha, type StoredBlob } from '../artifact-store.ts';
import { formatS3Location, parseS3Location, type S3Location } from './s3-location.ts';

/** Multipart part size and parallel parts: 16 MiB × 8 beat 5 MiB × 4 by ~1.5× against s3rver. */
export const S3_PART_SIZE = 16 * 1024 * 1024;
export const S3_QUEUE_SIZE = 8;

type Sdk = typeof import('@aws-sdk/client-s3');
type Storage = typeof import('@aws-sdk/lib-storage');

interface Connection {
  sdk: Sdk;
  storage: Storage;
  client: S3Client;
}

/** Error names and codes of a connection that never reached the server. */
const UNREACHABLE =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|TimeoutError|RequestTimeout)$/;
const DENIED = /^(AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|Forbidden|AllAccessDisabled)$/;

interface SdkError {
  name?: string;
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  message?: string;
}

/**
 * Content-addressed blob store in an S3 bucket.
 *
 * @example
 * const store = new S3ArtifactStore('s3://team-artifacts/flowtrail');
 * const { sha } = await store.put(bytes);
 * const same = await store.get(sha);
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly location: string;
  private readonly config: S3Location;
  private connection: Promise<Connection> | undefined;
  /** Set once a HeadBucket succeeded: a later bodiless 404 is a missing key. */
  private bucketSeen = false;

  constructor(url: string, env: NodeJS.ProcessEnv = process.env) {
    this.config = parseS3Location(url, env);
    this.location = formatS3Location(this.config);
  }

  async put(bytes: Uint8Array): Promise<StoredBlob> {
    checkBytes(bytes);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const size = bytes.byteLength;
    // Present only at its full size: a server that is not atomic (s3rver) keeps what a writer that
    // died mid-PUT sent, and content addressing would otherwise serve those bytes for good.
    if ((await this.headSize(sha, 'write')) === size) return { sha, size, existed: true };
    const { sdk, storage, client } = await this.connect();
    // A view, not a copy: the SDK and Upload (which slices with `subarray`) read from it.
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const params = {
      Bucket: this.config.bucket,
      Key: this.key(sha),
      Body: body,
      ContentType: 'application/octet-stream',
    };
    try {
      if (size < S3_PART_SIZE) {
        await client.send(new sdk.PutObjectCommand({ ...params, ContentLength: size }));
      } else {
        const upload = new storage.Upload({
          client,
          params,
          partSize: S3_PART_SIZE,
          queueSize: S3_QUEUE_SIZE,
          leavePartsOnError: false,
        });
        await upload.done();
      }
    } catch (error) {
      throw this.failure(error, 'write', sha);
    }
    return { sha, size, existed: false };
  }

  async get(sha: string): Promise<Uint8Array> {
    const key = this.key(sha);
    const { sdk, client } = await this.connect();
    try {
      const answer = await client.send(new sdk.GetObjectCommand({ Bucket: this.config.bucket, Key: key }));
      const body = answer.Body as AsyncIterable<Uint8Array> | undefined;
      if (!body) return new Uint8Array(0);
      return await readBody(body, answer.ContentLength);
    } catch (error) {
      throw this.failure(error, 'read', sha);
    }
  }

  async has(sha: string): Promise<boolean> {
    return (await this.headSize(sha, 'read')) !== undefined;
  }

  async size(sha: string): Promise<number> {
    const size = await this.headSize(sha, 'read');
    if (size === undefined) throw new ArtifactMissingError(sha, this.location);
    return size;
  }

  /** The blob's size, or undefined when it is absent (a bucket that is absent throws). */
  private async headSize(sha: string, op: 'read' | 'write'): Promise<number | undefined> {
    const key = this.key(sha);
    const { sdk, client } = await this.connect();
    try {
      const answer = await client.send(new sdk.HeadObjectCommand({ Bucket: this.config.bucket, Key: key }));
      this.bucketSeen = true;
      return answer.ContentLength ?? 0;
    } catch (error) {
      if (status(error) !== 404) throw this.failure(error, op, sha);
    }
    if (!this.bucketSeen) {
      try {
        await client.send(new sdk.HeadBucketCommand({ Bucket: this.config.bucket }));
        this.bucketSeen = true;
      } catch (error) {
        throw this.failure(error, op, sha, status(error) === 404);
      }
    }
    return undefined;
  }

  /** Validates the sha (before any request) and returns its object key. */
  private key(sha: string): string {
    checkSha(sha);
    const name = `${sha.slice(0, 2)}/${sha}`;
    return this.config.prefix ? `${this.config.prefix}/${name}` : name;
  }

  private connect(): Promise<Connection> {
    this.connection ??= (async () => {
      // We pin the last SDK release that supports Node 20 on purpose; its notice would go to every task log.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const [sdk, storage] = await Promise.all([
        import('@aws-sdk/client-s3'),
        import('@aws-sdk/lib-storage'),
      ]);
      const { endpoint, region, forcePathStyle, credentials } = this.config;
      const client = new sdk.S3Client({
        region,
        forcePathStyle,
        ...(endpoint !== undefined ? { endpoint } : {}),
        ...(credentials !== undefined ? { credentials } : {}),
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        // Fail over to a clear "unreachable" quickly; bodies may take long, so no request timeout.
        requestHandler: { connectionTimeout: 5_000 },
        maxAttempts: 3,
      });
      return { sdk, storage, client };
    })();
    this.connection.catch(() => {
      this.connection = undefined; // a failed import may succeed later
    });
    return this.connection;
  }

  /** An SDK error as a Flowtrail error that names the blob, the location and what to do. */
  private failure(error: unknown, op: 'read' | 'write', sha: string, bucketMissing = false): Error {
    const e = (error ?? {}) as SdkError;
    const name = e.name ?? e.Code ?? e.code ?? '';
    const what = `${op === 'read' ? 'read artifact blob' : 'write artifact blob'} ${sha} ${op === 'read' ? 'from' : 'to'} ${this.location}`;
    if (name === 'NoSuchKey') return new ArtifactMissingError(sha, this.location);
    if (bucketMissing || name === 'NoSuchBucket')
      return new StoreError(
        `Could not ${what}: the bucket '${this.config.bucket}' does not exist. Create it (e.g. \`aws s3 mb s3://${this.config.bucket}\`) or point FLOWTRAIL_ARTIFACTS at an existing bucket.`,
        error,
      );
    if (DENIED.test(name) || status(error) === 403)
      return new StoreError(
        `Could not ${what}: access denied (${name && name !== 'Unknown' ? name : 'HTTP 403'}). Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the AWS profile or role) and that they may read, write and list the bucket '${this.config.bucket}'.`,
        error,
      );
    if (UNREACHABLE.test(name) || UNREACHABLE.test(e.code ?? '') || (e.$metadata?.httpStatusCode ?? 0) >= 500)
      return new UnavailableError(
        `Could not ${what}: the S3 endpoint ${this.config.endpoint ?? `of region ${this.config.region}`} cannot be reached (${e.code ?? name ?? 'no answer'}: ${e.message ?? ''}). Check AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL and that the server runs; retry later.`,
        error,
      );
    return new StoreError(
      `Could not ${what}: ${name ? `${name}: ` : ''}${e.message ?? String(error)}`,
      error,
    );
  }
}

function status(error: unknown): number | undefined {
  return (error as SdkError | undefined)?.$metadata?.httpStatusCode;
}

/** Reads a response body into one buffer; `length` (Content-Length) lets it skip concatenation. */
async function readBody(body: AsyncIterable<Uint8Array>, length: number | undefined): Promise<Uint8Array> {
  if (length === undefined) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
  const out = Buffer.allocUnsafeSlow(length);
  let offset = 0;
  for await (const chunk of body) {
    if (offset + chunk.byteLength > length)
      throw new Error(`the body is longer than its Content-Length of ${length} bytes`);
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  if (offset !== length) throw new Error(`the body ended after ${offset} of ${length} bytes`);
  return out;
}
