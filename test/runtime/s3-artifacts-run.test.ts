/**
 * Runs with `FLOWTRAIL_ARTIFACTS=s3://…` against s3rver on loopback, through the real CLI: artifacts
 * written in one step are read in the next (a parameter, a multipart-sized blob inherited by every
 * split of a foreach, a join), the client reads them back in another process, nothing lands in the
 * home's directory, and in remote mode the server previews an artifact it reads from S3. Then the
 * errors a user meets at `flowtrail run`: a malformed location, a missing bucket, a dead endpoint.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, repoRoot, withEnv } from '../helpers.ts';
import { startTestServer, type TestServer } from '../server/server-fixture.ts';
import { s3Tests, type TestS3 } from '../support/s3-tests.ts';

const exec = promisify(execFile);

/** Our environment without any Flowtrail or AWS setting, plus `vars`. */
function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('FLOWTRAIL_') && !k.startsWith('AWS_')) env[k] = v;
  return { ...env, FLOWTRAIL_USER: 's3-tester', ...vars };
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [path.join(repoRoot, 'bin/flowtrail.js'), ...args],
      {
        env,
        cwd: repoRoot,
        timeout: 120_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** `flowtrail run` of the S3 fixture flow, in a child process with `vars`. */
const runFixture = (vars: Record<string, string>) =>
  cli(['run', fixture('s3-artifacts.ts'), '--quiet'], childEnv(vars));

async function readRun(env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const { stdout } = await exec(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'test/runtime/fixtures/read-s3-run.ts')],
    { env, cwd: repoRoot, timeout: 120_000 },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** Object keys under `url`'s prefix. */
async function listKeys(t: TestS3, url: string): Promise<string[]> {
  const prefix = `${url.slice(`s3://${t.s3.bucket}/`.length)}/`;
  const client = new S3Client({
    endpoint: t.s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: t.s3.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.NextContinuationToken;
  } while (token);
  client.destroy();
  return keys;
}

const BLOB_BYTES = 17 * 1024 * 1024;
const expectedView = (provider: string) => ({
  provider,
  successful: true,
  summary: { total: 60, blobBytes: BLOB_BYTES, blobTail: 7, items: 3 },
  scaled: [10, 20, 30],
  blob: { bytes: BLOB_BYTES, tail: 7 },
});

s3Tests('runs with S3 artifacts', (t) => {
  let dir: string;
  beforeAll(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-s3-run-'));
  });
  afterAll(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  describe('local mode', () => {
    let url: string;
    let home: string;
    let run: Outcome;
    beforeAll(async () => {
      url = t.freshUrl();
      home = path.join(dir, 'local-home');
      run = await runFixture({ ...t.s3.env, FLOWTRAIL_HOME: home, FLOWTRAIL_ARTIFACTS: url });
    }, 180_000);

    it('completes, each step reading what the last wrote from S3', () => {
      expect(run.stderr).not.toMatch(/NodeVersionSupportWarning/);
      expect(run.code, run.stderr).toBe(0);
    });

    it('stores the blobs in the bucket, none in the home', async () => {
      const keys = await listKeys(t, url);
      // The code package, the parameter, the blob, the collection, three splits' values, the join's and the end's.
      expect(keys.length).toBeGreaterThanOrEqual(8);
      for (const key of keys) expect(key).toMatch(/\/([0-9a-f]{2})\/\1[0-9a-f]{62}$/);
      expect(fs.existsSync(path.join(home, 'artifacts'))).toBe(false);
    });

    it('the client in another process reads the artifacts from S3', async () => {
      const seen = await readRun(childEnv({ ...t.s3.env, FLOWTRAIL_HOME: home, FLOWTRAIL_ARTIFACTS: url }));
      expect(seen).toEqual(expectedView('local'));
    }, 60_000);
  });

  describe('remote mode', () => {
    let server: TestServer;
    let url: string;
    let run: Outcome;
    beforeAll(async () => {
      url = t.freshUrl();
      // The server reads its S3 settings from its own environment, as `flowtrail server` would.
      server = await withEnv(t.s3.env, () =>
        startTestServer({ dir: path.join(dir, 'server'), artifacts: url }),
      );
      run = await runFixture({
        ...t.s3.env,
        FLOWTRAIL_HOME: path.join(dir, 'remote-home'),
        FLOWTRAIL_SERVICE_URL: server.server.url,
        FLOWTRAIL_API_KEY: server.keys.write,
        FLOWTRAIL_ARTIFACTS: url,
      });
    }, 180_000);
    afterAll(async () => {
      await server?.stop();
    });

    it('completes', () => {
      expect(run.code, run.stderr).toBe(0);
      expect(server.server.stores.artifacts.location).toBe(`${url} at ${t.s3.endpoint}`);
    });

    it('the server previews an artifact it reads from S3', async () => {
      const record = await server.server.stores.metadata.getRun('S3ArtifactsFlow', 1);
      const [end] = await server.server.stores.metadata.listTasks(record!.id, { step: 'end' });
      const response = await fetch(
        `${server.server.url}/api/v1/runs/${record!.id}/tasks/${end!.taskId}/artifacts/summary/preview`,
        { headers: { authorization: `Bearer ${server.keys.read}` } },
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as { artifact: { sha: string }; preview: unknown };
      expect(JSON.stringify(body.preview)).toContain('60');
      expect(await listKeys(t, url)).toContain(
        `${url.slice(`s3://${t.s3.bucket}/`.length)}/${body.artifact.sha.slice(0, 2)}/${body.artifact.sha}`,
      );
    });

    it('a remote client reads the same run through the server', async () => {
      const seen = await readRun(
        childEnv({
          FLOWTRAIL_HOME: path.join(dir, 'reader-home'),
          FLOWTRAIL_SERVICE_URL: server.server.url,
          FLOWTRAIL_API_KEY: server.keys.read,
        }),
      );
      expect(seen).toEqual(expectedView('service'));
    }, 60_000);
  });

  describe('errors at flowtrail run', () => {
    let homes = 0;
    const runWith = (vars: Record<string, string>) =>
      runFixture({ ...t.s3.env, FLOWTRAIL_HOME: path.join(dir, `err-home-${homes++}`), ...vars });

    it('a malformed location: exit 2, naming FLOWTRAIL_ARTIFACTS and the expected form', async () => {
      const out = await runWith({ FLOWTRAIL_ARTIFACTS: 's3://x' });
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('FLOWTRAIL_ARTIFACTS');
      expect(out.stderr).toContain('Expected s3://bucket or s3://bucket/prefix');
    }, 60_000);

    it('a missing bucket: says to create it', async () => {
      const out = await runWith({ FLOWTRAIL_ARTIFACTS: 's3://not-created-yet/runs' });
      expect(out.code).toBe(1);
      expect(out.stderr).toContain("the bucket 'not-created-yet' does not exist");
    }, 60_000);

    it('an endpoint that does not answer: unreachable, naming the endpoint', async () => {
      const out = await runWith({
        FLOWTRAIL_ARTIFACTS: `s3://${t.s3.bucket}/runs`,
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
      });
      expect(out.code).toBe(1);
      expect(out.stderr).toContain('http://127.0.0.1:9 cannot be reached');
    }, 60_000);
  });
});
