import { homePaths, resolveHome } from '../core/config.ts';
import { validateTags } from '../core/tags.ts';
import type { EventInput, FlowtrailEvent } from '../events/model.ts';
import { resolveParameters } from '../flow/parameters.ts';
import type { Stores } from '../store/embedded.ts';
import type { TriggerCause } from '../store/metadata-store.ts';
import { openRunStores, preloadRunStores } from '../store/open.ts';
import { type ExecutionOptions, executeRun, type RunResult } from './execute-run.ts';
import { type LoadedFlow, loadFlow } from './flow-loader.ts';
import { type RunTimings, runTimingsFromEnv } from './run-timings.ts';
import { simulatedTrigger } from './simulated-trigger.ts';
import { mapTriggerParameters } from './trigger-causes.ts';
import { DEFAULT_MAX_WORKERS, initialPoolSize } from './worker-fork.ts';
import { prestartWorkers, type Worker } from './worker-pool.ts';

/** What `runFlow` started before the run existed. */
interface RunLaunch {
  prestarted?: readonly Worker[];
  spares?: () => Worker | undefined;
  timings?: RunTimings;
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

/**
 * Runs a flow file to the end with the local executor (a pool of worker processes).
 *
 * @example
 * const result = await runFlow({ file: 'examples/hello.ts' });
 * console.log(result.pathspec, result.status); // HelloFlow/1 completed
 */
export async function runFlow(options: RunFlowOptions): Promise<RunResult> {
  const timings = runTimingsFromEnv();
  timings.mark('cli started');
  const home = options.home ?? resolveHome();
  // Workers fork while the flow compiles: their start-up overlaps the build and the store opening.
  const prestarted = options.isolate
    ? []
    : prestartWorkers(initialPoolSize(options.maxWorkers ?? DEFAULT_MAX_WORKERS));
  // The store code loads while the flow compiles (which mostly waits on files and workers).
  preloadRunStores();
  try {
    const loaded = await loadFlow(options.file, homePaths(home).build, options.flowName);
    timings.mark('flow compiled');
    // Workers import the bundle while the stores open and the run is created.
    for (const w of prestarted) w.preload(loaded.bundle);
    // Opened after the compile: a flow that does not load leaves no store behind.
    const stores = await openRunStores(home);
    timings.mark('stores open');
    try {
      return await runLoadedFlow(stores, loaded, options, { prestarted, timings });
    } finally {
      await stores.close();
    }
  } finally {
    // Workers the run never adopted (it failed before scheduling) must not keep the process alive.
    for (const w of prestarted) if (!w.attached) w.stop();
    if (timings.enabled) process.stderr.write(timings.report());
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
  launch: RunLaunch = {},
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
  return executeRun(
    {
      stores,
      loaded,
      params,
      tags,
      ...(trigger ? { trigger: trigger.causes } : {}),
      ...(options.production ? { production: options.production } : {}),
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
      ...launch,
    },
    options,
  );
}
