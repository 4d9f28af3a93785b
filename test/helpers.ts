import { execFile, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlowtrailEvent } from '../src/events/model.ts';
import { validateEvent } from '../src/events/validate-event.ts';
import { type CodecId, decodeArtifact } from '../src/store/codec.ts';
import { openEmbeddedStores, type Stores } from '../src/store/embedded.ts';
import type { NewRun, RunRecord, TaskRecord } from '../src/store/metadata-store.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const fixture = (name: string) => path.join(repoRoot, 'test/fixtures/flows', name);
export const example = (name: string) => path.join(repoRoot, 'examples', name);

/** Reads a home's stores; close with `await using`. */
export function readHome(home: string): Stores & AsyncDisposable {
  return openEmbeddedStores(home);
}

export interface TaskView {
  task: TaskRecord;
  data: Record<string, unknown>;
}

/** Every task of a step (in task-id order) with its decoded artifacts. */
export async function stepTasks(stores: Stores, run: RunRecord, step: string): Promise<TaskView[]> {
  const tasks = await stores.metadata.listTasks(run.id, { step });
  const out: TaskView[] = [];
  for (const task of tasks) {
    const data: Record<string, unknown> = {};
    for (const a of await stores.metadata.listArtifacts(run.id, task.taskId)) {
      data[a.name] = decodeArtifact(a.codec as CodecId, await stores.artifacts.get(a.sha));
    }
    out.push({ task, data });
  }
  return out;
}

/** The single task of a step. */
export async function stepTask(stores: Stores, run: RunRecord, step: string): Promise<TaskView> {
  const [first, ...rest] = await stepTasks(stores, run, step);
  if (!first || rest.length > 0)
    throw new Error(`expected one task in ${step}, got ${rest.length + (first ? 1 : 0)}`);
  return first;
}

/** Temporarily sets environment variables (inherited by the worker processes of a run). */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A `NewRun` for store tests: no tags, created now; `overrides` replace any field. */
export function newRunRecord(flow: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    flow,
    user: 'tester',
    tags: [],
    systemTags: [],
    params: {},
    flowFile: null,
    codeSha: null,
    originRunNumber: null,
    createdAt: Date.now(),
    orchestratorPid: null,
    orchestratorHost: null,
    ...overrides,
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const SAMPLE_T0 = Date.UTC(2025, 0, 6);

/** A small event for store tests: the i-th of a series one second apart, tagged t0..t2. */
export function sampleEvent(i: number, related: Record<string, string>[] = []): FlowtrailEvent {
  return validateEvent({
    event: i % 2 ? 'dataset.odd' : 'dataset.even',
    occurred: new Date(SAMPLE_T0 + i * 1000),
    resource: { 'flowtrail.resource.id': `dataset.${i % 10}` },
    related: [
      { 'flowtrail.resource.id': `flowtrail.tag.t${i % 3}`, 'flowtrail.resource.role': 'tag' },
      ...related,
    ],
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = path.join(repoRoot, 'bin/flowtrail.js');

/** Runs the built CLI (`bin/flowtrail.js`) in a child process with this environment. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `runCli`, blocking — only where no server in this process must answer the CLI. */
export function runCliSync(args: readonly string[], env: NodeJS.ProcessEnv): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
