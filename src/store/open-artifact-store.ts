/**
 * Which artifact store a spec names: `s3://bucket/prefix` (the S3 adapter, configured by the AWS
 * environment) or a directory (the filesystem adapter). The one place that decides, used by every
 * process that opens one: runs and their workers, the client, the server, `deploy`.
 */
import path from 'node:path';
import type { ArtifactStore } from './artifact-store.ts';
import { FsArtifactStore } from './fs/fs-artifact-store.ts';
import { S3ArtifactStore } from './s3/s3-artifact-store.ts';
import { isS3Url } from './s3/s3-location.ts';

/**
 * `FLOWTRAIL_ARTIFACTS` when set: an `s3://` URL as given, a directory made absolute (so worker
 * processes and the server read the same place).
 */
export function artifactSpecFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.FLOWTRAIL_ARTIFACTS?.trim();
  if (!value) return undefined;
  return isS3Url(value) ? value : path.resolve(value);
}

/**
 * Opens the artifact store of `spec`. A malformed `s3://` URL throws a `ValidationError` naming
 * `FLOWTRAIL_ARTIFACTS`; nothing is contacted until the first read or write.
 *
 * @example
 * openArtifactStore('s3://team-artifacts/flowtrail'); // S3, endpoint and keys from AWS_* variables
 * openArtifactStore('/data/flowtrail/artifacts');     // the filesystem
 */
export function openArtifactStore(spec: string, env: NodeJS.ProcessEnv = process.env): ArtifactStore {
  return isS3Url(spec) ? new S3ArtifactStore(spec.trim(), env) : new FsArtifactStore(spec);
}
