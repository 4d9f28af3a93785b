/**
 * Reads an `s3://bucket/prefix` artifact location and the AWS environment variables that say how
 * to reach it. Pure: no SDK import, so the CLI can validate `FLOWTRAIL_ARTIFACTS` for nothing.
 */
import { ValidationError } from '../../core/errors.ts';

/** Everything the S3 adapter needs to build its client. */
export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing slashes; '' for the bucket's root. */
  prefix: string;
  /** A custom endpoint (`AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`), for S3-compatible servers. */
  endpoint?: string;
  region: string;
  /** Path-style addressing (`endpoint/bucket/key`): default on with a custom endpoint. */
  forcePathStyle: boolean;
  /** Static keys from the environment; absent → the SDK's default chain (profiles, instance roles…). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

const EXPECTED = 'Expected s3://bucket or s3://bucket/prefix (bucket: 3–63 characters of a–z, 0–9, . and -).';
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** True for values the S3 adapter handles (anything else is a directory). */
export function isS3Url(value: string): boolean {
  return /^s3:\/\//i.test(value.trim());
}

function bad(value: string, why: string): ValidationError {
  return new ValidationError(
    'FLOWTRAIL_ARTIFACTS',
    `FLOWTRAIL_ARTIFACTS (or --artifacts) '${value}' is not a usable S3 location: ${why}. ${EXPECTED}`,
  );
}

function flag(value: string | undefined, name: string): boolean | undefined {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ValidationError(name, `${name} must be true or false (or 1 / 0), got '${value}'.`);
}

/**
 * Parses `s3://bucket/prefix` and the environment: `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`,
 * `AWS_REGION` / `AWS_DEFAULT_REGION` (default us-east-1), `AWS_ACCESS_KEY_ID` /
 * `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, and `FLOWTRAIL_S3_FORCE_PATH_STYLE` to override
 * path-style addressing.
 *
 * @example
 * parseS3Location('s3://team-artifacts/flowtrail', { AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' });
 * // → { bucket: 'team-artifacts', prefix: 'flowtrail', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, … }
 */
export function parseS3Location(value: string, env: NodeJS.ProcessEnv = process.env): S3Location {
  const text = value.trim();
  if (!isS3Url(text)) throw bad(value, 'it does not start with s3://');
  const rest = text.slice('s3://'.length);
  if (/[?#]/.test(rest)) throw bad(value, 'query strings and fragments are not supported');
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = (slash < 0 ? '' : rest.slice(slash + 1)).replace(/^\/+|\/+$/g, '');
  if (bucket === '') throw bad(value, 'it names no bucket');
  if (!BUCKET.test(bucket) || bucket.includes('..'))
    throw bad(value, `'${bucket}' is not a valid bucket name`);
  if (prefix !== '' && prefix.split('/').some((part) => part === '' || part === '.' || part === '..'))
    throw bad(value, `the prefix '${prefix}' has an empty, '.' or '..' part`);

  const endpointText = (env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL)?.trim() || undefined;
  if (endpointText !== undefined) {
    let url: URL;
    try {
      url = new URL(endpointText);
    } catch {
      throw new ValidationError(
        'AWS_ENDPOINT_URL',
        `The S3 endpoint '${endpointText}' (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) is not a URL; give e.g. http://127.0.0.1:9000.`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ValidationError(
        'AWS_ENDPOINT_URL',
        `The S3 endpoint '${endpointText}' must be an http:// or https:// URL.`,
      );
  }
  const region = (env.AWS_REGION ?? env.AWS_DEFAULT_REGION)?.trim() || 'us-east-1';
  const forcePathStyle =
    flag(env.FLOWTRAIL_S3_FORCE_PATH_STYLE, 'FLOWTRAIL_S3_FORCE_PATH_STYLE') ?? endpointText !== undefined;
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey))
    throw new ValidationError(
      accessKeyId ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID',
      'Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (to use the AWS profile or role).',
    );
  const sessionToken = env.AWS_SESSION_TOKEN?.trim();
  return {
    bucket,
    prefix,
    ...(endpointText !== undefined ? { endpoint: endpointText } : {}),
    region,
    forcePathStyle,
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
  };
}

/** `s3://bucket/prefix` as shown in messages (never credentials). */
export function formatS3Location(location: S3Location): string {
  const where = `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
  return location.endpoint ? `${where} at ${location.endpoint}` : where;
}
