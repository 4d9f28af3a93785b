import os from 'node:os';
import path from 'node:path';
import { homePaths, resolveHome, resolveUser } from '../core/config.ts';
import type { ExceptionRecord } from '../core/errors.ts';
import { ConflictError, NotFoundError, UsageError } from '../core/errors.ts';
import { parsePathspec } from '../core/pathspec.ts';
import { validateTags } from '../core/tags.ts';
import { FLOWTRAIL_VERSION } from '../core/version.ts';
import type { EventInput, FlowtrailEvent } from '../events/model.ts';
import { validateEvent } from '../events/validate-event.ts';
import type { FlowGraph } from '../flow/graph.ts';
import { resolveParameters } from '../flow/parameters.ts';
import type { Stores } from '../store/embedded.ts';
import type { RunRecord, RunStatus, TriggerCause } from '../store/metadata-store.ts';
import { openRunStores } from '../store/open.ts';
import { reapCrashedRuns } from '../store/run-liveness.ts';
import { storeArtifact } from './artifact-scope.ts';
import { environmentInfo } from './environment-info.ts';
import { type LoadedFlow, loadFlow } from './flow-loader.ts';
import { type ProgressReporter, silentProgress } from './progress.ts';
import type { ArtifactRefs } from './protocol.ts';
import { type ResumeOrigin, Scheduler } from './scheduler.ts';
import { causeOf, mapTriggerParameters, RUN_COMPLETED } from './trigger-causes.ts';
import { WriteQueue } from './write-queue.ts';

export interface ExecutionOptions {
  /** Flowtrail home (default: `FLOWTRAIL_HOME` or `./.flowtrail`). */
  home?: string;
  /** Most worker processes at once (default 16). */
  maxWorkers?: number;
  /** Most tasks one foreach may fan out to (default 100). */
  maxNumSplits?: number;
  /** One process per task for every step. */
  isolate?: boolean;
  progress?: ProgressReporter;
  /** Called once the run exists, before any task runs (e.g. to print its id). */
  onRunCreated?: (run: RunRecord) => void;
}

export interface RunFlowOptions extends ExecutionOptions {
  file: string;
  /** Which flow class, when the file exports several. */
  flowName?: string;
  /** Parameter values by name; strings are parsed by type when `paramsFromText` is set (CLI). */
  params?: Record<string, unknown>;
  paramsFromText?: boolean;
  tags?: string[];
  /**
   * Simulate `@triggerOnFinish`: these upstream runs (`FirstFlow/5`, each successful) are recorded
   * as the run's trigger, exactly as the trigger engine records them.
   */
  triggerRuns?: readonly string[];
  /** Simulate `@trigger`: these events are emitted, recorded as the trigger, and mapped to parameters. */
  triggerEvents?: readonly EventInput[];
  /** What started the run, already resolved (the trigger engine passes it). */
  trigger?: { causes: readonly TriggerCause[]; events: readonly FlowtrailEvent[] };
  /** A deployed run: it runs in the `production:<token>` namespace. */
  production?: { token: string };
}

export interface ResumeOptions extends ExecutionOptions {
  /** `Flow/N`, or `N` with `file`; default: the latest run (of the file's flow, when given). */
  run?: string;
  /** Re-run this step and everything after it even where the origin succeeded. */
  step?: string;
  /** The flow file to run (default: the file the origin run recorded). */
  file?: string;
  flowName?: string;
}

export interface RunResult {
  run: RunRecord;
  pathspec: string;
  status: RunStatus;
  error: ExceptionRecord | null;
}

async function encodeParams(stores: Stores, values: Record<string, unknown>): Promise<ArtifactRefs> {
  const refs: ArtifactRefs = {};
  for (const [name, value] of Object.entries(values))
    refs[name] = await storeArtifact(stores.artifacts, name, value);
  return refs;
}

interface Prepared {
  stores: Stores;
  loaded: LoadedFlow;
  params: Record<string, unknown>;
  tags: string[];
  origin?: ResumeOrigin;
  trigger?: readonly TriggerCause[];
  production?: { token: string };
  idempotencyKey?: string;
}

async function execute(p: Prepared, options: ExecutionOptions): Promise<RunResult> {
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
  const pathspec = `${run.flow}/${run.runNumber}`;
  // An earlier try with this key created the run (and ran it, or crashed): never run it twice.
  if (run.createdAt !== createdAt) return { run, pathspec, status: run.status, error: run.error };
  options.onRunCreated?.(run);
  progress.runStarted(pathspec, loaded.graph.order);
  const writes = new WriteQueue(stores.metadata);
  const scheduler = new Scheduler({
    flowBundle: loaded.bundle,
    graph: loaded.graph,
    run,
    params: paramRefs,
    namespace: p.production ? `production:${p.production.token}` : `user:${user}`,
    artifactRoot: stores.artifactRoot,
    artifactStore: stores.artifacts,
    writes,
    maxWorkers: options.maxWorkers ?? 16,
    maxNumSplits: options.maxNumSplits ?? 100,
    isolate: options.isolate ?? false,
    progress,
    ...(p.origin ? { origin: p.origin } : {}),
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
  await writes.drain();
  const final = (await stores.metadata.getRunById(run.id)) ?? run;
  progress.runFinished(pathspec, outcome.status, outcome.error);
  return { run: final, pathspec, status: outcome.status, error: outcome.error };
}

/**
 * Runs a flow file to the end with the local executor (a pool of worker processes).
 *
 * @example
 * const result = await runFlow({ file: 'examples/hello.ts' });
 * console.log(result.pathspec, result.status); // HelloFlow/1 completed
 */
export async function runFlow(options: RunFlowOptions): Promise<RunResult> {
  const home = options.home ?? resolveHome();
  const loaded = await loadFlow(options.file, homePaths(home).build, options.flowName);
  const stores = await openRunStores(home);
  try {
    return await runLoadedFlow(stores, loaded, options);
  } finally {
    await stores.close();
  }
}

/**
 * Runs an already loaded flow on given stores: what `runFlow` does after loading, and what the
 * trigger engine calls for a deployment (with `trigger`, `production` and `idempotencyKey`).
 */
export async function runLoadedFlow(
  stores: Stores,
  loaded: LoadedFlow,
  options: Omit<RunFlowOptions, 'file'> & { idempotencyKey?: string },
): Promise<RunResult> {
  const tags = validateTags(options.tags ?? []);
  const trigger = options.trigger ?? (await simulatedTrigger(stores, options));
  const mapped = trigger
    ? mapTriggerParameters(loaded.graph.triggers?.events ?? [], trigger.events, loaded.graph.params)
    : {};
  // Given values win over mapped ones, which win over defaults.
  const params = resolveParameters(
    loaded.graph.params,
    { ...mapped, ...(options.params ?? {}) },
    { fromText: options.paramsFromText ?? false },
  );
  return execute(
    {
      stores,
      loaded,
      params,
      tags,
      ...(trigger ? { trigger: trigger.causes } : {}),
      ...(options.production ? { production: options.production } : {}),
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    },
    options,
  );
}

/**
 * `--trigger RUN` / `--trigger-event JSON`: the causes and events the trigger engine would have
 * recorded. Upstream runs must have completed; events are emitted to the store first.
 */
async function simulatedTrigger(
  stores: Stores,
  options: Pick<RunFlowOptions, 'triggerRuns' | 'triggerEvents'>,
): Promise<{ causes: TriggerCause[]; events: FlowtrailEvent[] } | undefined> {
  const runs = options.triggerRuns ?? [];
  const inputs = options.triggerEvents ?? [];
  if (runs.length === 0 && inputs.length === 0) return undefined;
  const events: FlowtrailEvent[] = [];
  for (const pathspec of runs) {
    const parts = pathspec.split('/');
    const flow = parts[0]!;
    const number = Number(parts[1]);
    if (parts.length !== 2 || !Number.isInteger(number))
      throw new UsageError(`--trigger takes a run pathspec such as FirstFlow/5, not '${pathspec}'.`);
    const run = await stores.metadata.getRun(flow, number);
    if (!run)
      throw new UsageError(`--trigger ${pathspec}: there is no such run in ${stores.metadata.location}.`);
    if (run.status !== 'completed')
      throw new UsageError(
        `--trigger ${pathspec}: only successful runs can trigger, and this one is ${run.status}.`,
      );
    const { events: found } = await stores.events.query(
      { event: { name: [RUN_COMPLETED] }, resource: { id: [`flowtrail.run.${pathspec}`] } },
      { limit: 1 },
    );
    if (!found[0])
      throw new UsageError(
        `--trigger ${pathspec}: its '${RUN_COMPLETED}' event is no longer in the event feed (removed by retention?).`,
      );
    events.push(found[0]);
  }
  const emitted = inputs.map((input) => validateEvent(input));
  if (emitted.length > 0) await stores.events.append(emitted);
  events.push(...emitted);
  return { causes: events.map(causeOf), events };
}

function descendants(graph: FlowGraph, step: string): Set<string> {
  const out = new Set<string>([step]);
  const stack = [step];
  while (stack.length > 0)
    for (const n of graph.nodes.get(stack.pop()!)!.next)
      if (!out.has(n)) {
        out.add(n);
        stack.push(n);
      }
  return out;
}

/** Finds the run to resume from a `Flow/N` or `N` argument, or the latest run. */
async function findOrigin(stores: Stores, options: ResumeOptions): Promise<RunRecord> {
  let flow = options.flowName;
  if (!flow && options.file)
    flow = (await loadFlow(options.file, homePaths(stores.home).build)).graph.flowName;
  if (options.run) {
    let runNumber: number;
    if (/^[0-9]+$/.test(options.run)) {
      if (!flow)
        throw new UsageError(
          `Run id '${options.run}' needs its flow: pass Flow/${options.run} or the flow file.`,
        );
      runNumber = Number(options.run);
    } else {
      const spec = parsePathspec(options.run);
      if (spec.run === undefined || spec.step !== undefined)
        throw new UsageError(`'${options.run}' is not a run pathspec; expected Flow/N.`);
      flow = spec.flow;
      runNumber = spec.run;
    }
    const run = await stores.metadata.getRun(flow, runNumber);
    if (!run)
      throw new NotFoundError(
        `${flow}/${runNumber}`,
        `Run ${flow}/${runNumber} does not exist in ${stores.metadata.location}.`,
      );
    return run;
  }
  const latest = await stores.metadata.latestRun(flow ? { flow } : {});
  if (!latest)
    throw new NotFoundError(
      flow ?? 'run',
      `There is no run${flow ? ` of ${flow}` : ''} to resume in ${stores.metadata.location}.`,
    );
  return latest;
}

/**
 * Resumes a run: a new run that clones the origin's successful tasks and runs the rest.
 *
 * @example
 * await resumeRun({ run: 'BranchFlow/3' });
 */
export async function resumeRun(options: ResumeOptions): Promise<RunResult> {
  const stores = await openRunStores(options.home ?? resolveHome());
  try {
    await reapCrashedRuns(stores.metadata);
    const originRun = await findOrigin(stores, options);
    if (originRun.status === 'running') {
      throw new ConflictError(
        `Run ${originRun.flow}/${originRun.runNumber} is still running (pid ${originRun.orchestratorPid}); wait for it or stop it first.`,
      );
    }
    const file = options.file ?? originRun.flowFile;
    if (!file)
      throw new UsageError(
        `Run ${originRun.flow}/${originRun.runNumber} recorded no flow file; pass it with --file.`,
      );
    const loaded = await loadFlow(path.resolve(file), homePaths(stores.home).build, originRun.flow);
    if (options.step && !loaded.graph.nodes.has(options.step)) {
      throw new UsageError(
        `Step '${options.step}' does not exist in ${loaded.graph.flowName}; steps are ${loaded.graph.order.join(', ')}.`,
      );
    }
    const tasks = await stores.metadata.listTasks(originRun.id);
    const done = tasks.filter((t) => t.status === 'completed').map((t) => t.taskId);
    const artifacts = new Map<number, ArtifactRefs>();
    for (const a of await stores.metadata.listArtifactsOfTasks(originRun.id, done)) {
      let refs = artifacts.get(a.taskId);
      if (!refs) {
        refs = {};
        artifacts.set(a.taskId, refs);
      }
      refs[a.name] = { sha: a.sha, codec: a.codec, size: a.size };
    }
    const origin: ResumeOrigin = {
      run: originRun,
      tasks,
      artifacts,
      rerunSteps: options.step ? descendants(loaded.graph, options.step) : new Set(),
    };
    const params = resolveParameters(loaded.graph.params, originRun.params);
    return await execute({ stores, loaded, params, tags: originRun.tags, origin }, options);
  } finally {
    await stores.close();
  }
}

export { environmentInfo };
