/**
 * A multi-process set-up on loopback for the queue tests: a `flowtrail server` (its own SQLite
 * home), `flowtrail worker` processes (each with its own temporary home) and `flowtrail run
 * --executor queue` orchestrators, sharing only Redis, the service and the artifact store: an S3
 * bucket (s3rver on loopback, `test/support/s3-tests.ts`) when given one, else a directory.
 * Runs the built CLI (`bin/flowtrail.js` → dist/).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { QueueTuning } from '../../src/runtime/executor/queue/queue-names.ts';
import { openEmbeddedStores, type Stores } from '../../src/testing/index.ts';
import { repoRoot } from '../helpers.ts';

const BIN = path.join(repoRoot, 'bin/flowtrail.js');

export interface WorkerProcess {
  child: ChildProcess;
  /** The id it prints (and records in each attempt's environment as `worker`). */
  id: Promise<string>;
  output: () => string;
  exited: Promise<number | null>;
}

function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen}`)), 60_000);
    const onData = (c: string) => {
      seen += c;
      const m = pattern.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      seen += c;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${seen}`));
    });
  });
}

/** A shared S3 location: `s3://bucket/prefix` and the AWS_* variables that reach its server. */
export interface ClusterS3 {
  url: string;
  env: Record<string, string>;
}

export class Cluster {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-cluster-'));
  /** What every process gets as `FLOWTRAIL_ARTIFACTS` (and the server as `--artifacts`). */
  readonly artifacts: string;
  serverUrl = '';
  private server: ChildProcess | undefined;
  readonly workers: WorkerProcess[] = [];
  private workerCount = 0;

  constructor(
    private redisUrl: string,
    private readonly tuning: QueueTuning,
    private readonly s3?: ClusterS3,
  ) {
    this.artifacts = s3 ? s3.url : path.join(this.root, 'artifacts');
  }

  /** Starts the service (with `serverArgs`, e.g. its own `--queue`). */
  async start(serverArgs: string[] = []): Promise<void> {
    fs.mkdirSync(path.join(this.root, 'server'), { recursive: true });
    if (!this.s3) fs.mkdirSync(this.artifacts, { recursive: true });
    this.server = spawn(
      process.execPath,
      [
        BIN,
        'server',
        '--port',
        '0',
        '--database',
        path.join(this.root, 'server'),
        '--artifacts',
        this.artifacts,
        '--quiet',
        ...serverArgs,
      ],
      {
        // The queue tuning too (a server with --queue runs deployments' runs on it); no service yet.
        env: this.env(path.join(this.root, 'server')),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const m = await waitForLine(this.server, /listening on (http:\/\/\S+)/, 'the server');
    this.serverUrl = m[1]!;
  }

  private env(home: string): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...this.s3?.env,
      FLOWTRAIL_HOME: home,
      FLOWTRAIL_SERVICE_URL: this.serverUrl,
      FLOWTRAIL_ARTIFACTS: this.artifacts,
      FLOWTRAIL_QUEUE_LOCK_MS: String(this.tuning.lockDurationMs),
      FLOWTRAIL_QUEUE_STALLED_MS: String(this.tuning.stalledIntervalMs),
      FLOWTRAIL_QUEUE_RECONCILE_MS: String(this.tuning.reconcileMs),
      FLOWTRAIL_QUEUE_UNSCHEDULABLE_MS: String(this.tuning.unschedulableAfterMs),
      FLOWTRAIL_QUEUE_PREFIX: this.tuning.prefix,
    };
  }

  /** Starts a `flowtrail worker` with a home of its own. */
  startWorker(args: string[] = ['--concurrency', '2']): WorkerProcess {
    const home = path.join(this.root, `worker-${this.workerCount++}`);
    fs.mkdirSync(home, { recursive: true });
    const child = spawn(process.execPath, [BIN, 'worker', '--queue', this.redisUrl, ...args], {
      env: this.env(home),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const w: WorkerProcess = {
      child,
      id: waitForLine(child, /Flowtrail worker (\S+) taking attempts/, 'a worker').then((m) => m[1]!),
      output: () => out,
      exited: new Promise((r) => child.once('exit', (code) => r(code))),
    };
    w.id.catch(() => {});
    this.workers.push(w);
    return w;
  }

  /** Any `flowtrail` command in remote mode (its own home); resolves with its exit code and output. */
  cli(args: string[]): Promise<{ code: number | null; output: string }> {
    const home = path.join(this.root, `client-${Date.now()}`);
    fs.mkdirSync(home, { recursive: true });
    const child = spawn(process.execPath, [BIN, ...args], {
      env: this.env(home),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
  }

  /** `flowtrail run FILE --executor queue` as its own process; resolves with its JSON result. */
  run(
    file: string,
    args: string[] = [],
  ): Promise<{
    code: number | null;
    result: { status: string; runNumber: number } | undefined;
    stderr: string;
  }> {
    const home = path.join(this.root, `orchestrator-${Date.now()}`);
    fs.mkdirSync(home, { recursive: true });
    const child = spawn(
      process.execPath,
      [BIN, 'run', file, '--executor', 'queue', '--queue', this.redisUrl, '--json', ...args],
      { env: this.env(home), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    return new Promise((resolve) =>
      child.once('exit', (code) => {
        const line = stdout.trim().split('\n').pop();
        let result: { status: string; runNumber: number } | undefined;
        try {
          result = line ? JSON.parse(line) : undefined;
        } catch {}
        resolve({ code, result, stderr: stderr + stdout });
      }),
    );
  }

  /** The service's database, with the shared artifact store (opened as the workers open it), for assertions. */
  stores(): Stores & AsyncDisposable {
    return openEmbeddedStores(path.join(this.root, 'server'), {
      artifacts: this.artifacts,
      env: { ...process.env, ...this.s3?.env },
    });
  }

  /** Every directory named `artifacts` under the cluster's homes (none when they all use S3). */
  localArtifactDirs(): string[] {
    return fs
      .readdirSync(this.root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name === 'artifacts')
      .map((e) => path.join(e.parentPath, e.name));
  }

  /** Repoints later workers and runs (a restarted Redis on another port is not needed: same URL). */
  set queueUrl(url: string) {
    this.redisUrl = url;
  }

  async close(): Promise<void> {
    for (const w of this.workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(this.workers.map((w) => w.exited));
    if (this.server && this.server.exitCode === null) {
      const exited = new Promise((r) => this.server!.once('exit', r));
      this.server.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
