import os from 'node:os';
import { resolveUser } from '../core/config.ts';
import type { ExceptionRecord } from '../core/errors.ts';
import { formatPathspec } from '../core/pathspec.ts';
import { FLOWTRAIL_VERSION } from '../core/version.ts';
import type { Stores } from '../store/embedded.ts';
import type { RunRecord, RunStatus, TriggerCause } from '../store/metadata-store.ts';
import { reapCrashedRuns } from '../store/run-liveness.ts';
import { storeArtifact } from './artifact-scope.ts';
import { createExecutor, type ExecutorSpec } from './executor/create-executor.ts';
import type { LoadedFlow } from './flow-loader.ts';
import { type ProgressReporter, silentProgress } from './progress.ts';
import type { ArtifactRefs } from './protocol.ts';
import type { RunTimings } from './run-timings.ts';
import { type ResumeOrigin, Scheduler } from './scheduler/scheduler.ts';
import { DEFAULT_MAX_WORKERS } from './worker-fork.ts';
import type { Worker } from './worker-pool.ts';
import { WriteQueue } from './write-queue.ts';

/** How a run executes (shared by run, resume and deployed runs). */
export interface ExecutionOptions {
  /** Flowtrail home (default: `FLOWTRAIL_HOME` or `./.flowtrail`). */
  home?: string;
  /** Most worker processes at once (default 16). */
  maxWorkers?: number;
  /** Most tasks one foreach may fan out to (default 100). */
  maxNumSplits?: number;
  /** One process per task for every step. */
  isolate?: boolean;
  /** Where attempts run: the local process pool (default) or a queue (`flowtrail worker`s). */
  executor?: ExecutorSpec;
  progress?: ProgressReporter;
  /** Called once the run exists, before any task runs (e.g. to print its id). */
  onRunCreated?: (run: RunRecord) => void;
}

export interface RunResult {
  run: RunRecord;
  pathspec: string;
  status: RunStatus;
  error: ExceptionRecord | null;
}

/** Stores the parameter values as artifacts (every task inherits them). */
async function encodeParams(stores: Stores, values: Record<string, unknown>): Promise<ArtifactRefs> {
  const refs: ArtifactRefs = {};
  for (const [name, value] of Object.entries(values))
    refs[name] = await storeArtifact(stores.artifacts, name, value);
  return refs;
}

/** A run ready to create: its flow, resolved parameters and what started it. */
export interface PreparedRun {
  stores: Stores;
  loaded: LoadedFlow;
  params: Record<string, unknown>;
  tags: string[];
  origin?: ResumeOrigin;
  trigger?: readonly TriggerCause[];
  production?: { token: string };
  idempotencyKey?: string;
  /** Workers forked while the flow compiled. */
  prestarted?: readonly Worker[];
  /** Workers forked ahead by whoever starts the run, taken as its tasks need them (the server's spares). */
  spares?: () => Worker | undefined;
  timings?: RunTimings;
}

/** Creates the run and schedules it to the end; the result once every write is committed. */
export async function executeRun(p: PreparedRun, options: ExecutionOptions): Promise<RunResult> {
  const { stores, loaded } = p;
  const user = resolveUser();
  const progress = options.progress ?? silentProgress;
  const paramRefs = await encodeParams(stores, p.params);
  const codeBlob = await stores.artifacts.put(new TextEncoder().encode(JSON.stringify(loaded.code)));
  await reapCrashedRuns(stores.metadata, loaded.graph.flowName);
  const createdAt = Date.now();
  const run = await stores.metadata.createRun(
    {
      flow: loaded.graph.flowName,
      user,
      tags: p.tags,
      systemTags: [
        `user:${user}`,
        p.production ? 'runtime:deployed' : 'runtime:dev',
        ...(p.production ? [`production:${p.production.token}`] : []),
        `node_version:${process.version}`,
        `flowtrail_version:${FLOWTRAIL_VERSION}`,
      ],
      ...(p.trigger && p.trigger.length > 0 ? { trigger: p.trigger } : {}),
      params: p.params,
      flowFile: loaded.file,
      codeSha: codeBlob.sha,
      originRunNumber: p.origin?.run.runNumber ?? null,
      createdAt,
      orchestratorPid: process.pid,
      orchestratorHost: os.hostname(),
    },
    {
      startedEvent: { payload: { parameters: p.params } },
      ...(p.idempotencyKey ? { idempotencyKey: p.idempotencyKey } : {}),
    },
  );
  const pathspec = formatPathspec({ flow: run.flow, run: run.runNumber });
  // An earlier try with this key created the run (and ran it, or crashed): never run it twice.
  if (run.createdAt !== createdAt) return { run, pathspec, status: run.status, error: run.error };
  p.timings?.mark('run created');
  options.onRunCreated?.(run);
  progress.runStarted(pathspec, loaded.graph.order);
  const writes = new WriteQueue(stores.metadata, p.timings);
  const executor = await createExecutor(options.executor ?? { kind: 'local' }, {
    maxWorkers: options.maxWorkers ?? DEFAULT_MAX_WORKERS,
    isolate: options.isolate ?? false,
    ...(p.prestarted ? { prestarted: p.prestarted } : {}),
    ...(p.spares ? { spares: p.spares } : {}),
    artifacts: stores.artifacts,
  });
  const scheduler = new Scheduler({
    flowBundle: loaded.bundle,
    graph: loaded.graph,
    run,
    params: paramRefs,
    namespace: p.production ? `production:${p.production.token}` : `user:${user}`,
    artifactRoot: stores.artifactRoot,
    artifactStore: stores.artifacts,
    writes,
    readCancelRequest: () => stores.metadata.getCancelRequest(run.id),
    executor,
    maxNumSplits: options.maxNumSplits ?? 100,
    isolate: options.isolate ?? false,
    progress,
    ...(p.origin ? { origin: p.origin } : {}),
    ...(p.timings ? { timings: p.timings } : {}),
  });
  const onSignal = (signal: NodeJS.Signals) => scheduler.interrupt(signal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let outcome: Awaited<ReturnType<Scheduler['run']>>;
  try {
    outcome = await scheduler.run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  try {
    await writes.drain();
  } finally {
    await executor.close();
  }
  p.timings?.mark('writes committed');
  const final = (await stores.metadata.getRunById(run.id)) ?? run;
  progress.runFinished(pathspec, outcome.status, outcome.error);
  return { run: final, pathspec, status: outcome.status, error: outcome.error };
}
