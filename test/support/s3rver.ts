/**
 * A loopback S3 server for tests and benchmarks: s3rver 3.7.1 in a child process of its own (so
 * its CPU does not compete with the client's event loop), on 127.0.0.1 and a free port, storing
 * in a temporary directory, with one bucket created. Never an external address.
 *
 * @example
 * await using s3 = await startS3rver();
 * const store = new S3ArtifactStore(`s3://${s3.bucket}/test`, s3.env);
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export interface LoopbackS3 extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  /** The environment a client needs: endpoint, region and s3rver's fixed keys. */
  env: Record<string, string>;
  /** Creates another (empty) bucket. */
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** s3rver's built-in credentials (it checks signatures against them). */
export const S3RVER_KEY = 'S3RVER';

const SERVER_SCRIPT = `
const S3rver = require(process.argv[1]);
const directory = process.argv[2];
const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: process.argv[3] }] });
server.run().then((address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'), (e) => { console.error(e); process.exit(1); });
process.on('message', (m) => {
  if (m && m.createBucket) {
    server.store.putBucket(m.createBucket).then(() => process.send({ created: m.createBucket }));
  }
});
process.on('disconnect', () => process.exit(0));
`;

/** Starts s3rver; rejects (with s3rver's own message) when it cannot. */
export async function startS3rver(options: { bucket?: string } = {}): Promise<LoopbackS3> {
  const bucket = options.bucket ?? 'flowtrail-test';
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-s3rver-'));
  const require = createRequire(import.meta.url);
  const entry = require.resolve('s3rver');
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER_SCRIPT, entry, dir, bucket], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('s3rver did not start within 15 s')), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with code ${code} before listening: ${stderr.trim()}`));
    });
    child.once('error', reject);
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await fsp.rm(dir, { recursive: true, force: true });
    throw error;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await fsp.rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  return {
    endpoint,
    bucket,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3RVER_KEY,
      AWS_SECRET_ACCESS_KEY: S3RVER_KEY,
    },
    createBucket: (name) =>
      new Promise((resolve) => {
        const onMessage = (m: { created?: string }) => {
          if (m.created !== name) return;
          child.off('message', onMessage);
          resolve();
        };
        child.on('message', onMessage);
        child.send({ createBucket: name });
      }),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
