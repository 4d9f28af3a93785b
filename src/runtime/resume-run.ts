import path from 'node:path';
import { homePaths, resolveHome } from '../core/config.ts';
import { ConflictError, NotFoundError, UsageError } from '../core/errors.ts';
import { parsePathspec, runPathspec } from '../core/pathspec.ts';
import type { FlowGraph } from '../flow/graph.ts';
import { resolveParameters } from '../flow/parameters.ts';
import type { Stores } from '../store/embedded.ts';
import type { RunRecord } from '../store/metadata-store.ts';
import { openRunStores } from '../store/open.ts';
import { reapCrashedRuns } from '../store/run-liveness.ts';
import { type ExecutionOptions, executeRun, type RunResult } from './execute-run.ts';
import { loadFlow } from './flow-loader.ts';
import type { ArtifactRefs } from './protocol.ts';
import type { ResumeOrigin } from './scheduler/resume-clone.ts';

export interface ResumeOptions extends ExecutionOptions {
  /** `Flow/N`, or `N` with `file`; default: the latest run (of the file's flow, when given). */
  run?: string;
  /** Re-run this step and everything after it even where the origin succeeded. */
  step?: string;
  /** The flow file to run (default: the file the origin run recorded). */
  file?: string;
  flowName?: string;
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
        runPathspec(flow, runNumber),
        `Run ${runPathspec(flow, runNumber)} does not exist in ${stores.metadata.location}.`,
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
        `Run ${runPathspec(originRun.flow, originRun.runNumber)} is still running (pid ${originRun.orchestratorPid}); wait for it, or cancel it first: flowtrail cancel ${runPathspec(originRun.flow, originRun.runNumber)}`,
      );
    }
    const file = options.file ?? originRun.flowFile;
    if (!file)
      throw new UsageError(
        `Run ${runPathspec(originRun.flow, originRun.runNumber)} recorded no flow file; pass it with --file.`,
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
    return await executeRun({ stores, loaded, params, tags: originRun.tags, origin }, options);
  } finally {
    await stores.close();
  }
}
