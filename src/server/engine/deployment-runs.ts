/**
 * Starting runs of deployments inside the server process: for a schedule firing and for an
 * automation's run-deployment action, one path. A run's creation carries an idempotency key (the
 * schedule firing's id, or the action's id), so a decision replayed after a crash creates no second
 * run and a run already created is never run again. A failure to start is recorded on the
 * deployment (`lastProblem`) and as a `flowtrail.deployment.trigger_failed` event, never lost.
 */
import fs from 'node:fs';
import { FlowtrailError } from '../../core/errors.ts';
import { runPathspec } from '../../core/pathspec.ts';
import { deploymentEvent } from '../../events/lifecycle.ts';
import type { FlowtrailEvent } from '../../events/model.ts';
import { deployedBundlePath, loadDeployedFlow } from '../../runtime/deploy.ts';
import type { ExecutorSpec } from '../../runtime/executor/create-executor.ts';
import { silentProgress } from '../../runtime/progress.ts';
import { runLoadedFlow } from '../../runtime/run-flow.ts';
import { runTimingsFromEnv } from '../../runtime/run-timings.ts';
import { causeOf, mapTriggerParameters } from '../../runtime/trigger-causes.ts';
import { Worker } from '../../runtime/worker-pool.ts';
import { deploymentResource, inDependencyOrder } from '../../store/deployment-automation.ts';
import type { DeploymentRecord, FiringRecord } from '../../store/deployment-store.ts';
import type { TriggerCause } from '../../store/metadata-store.ts';
import type { ServerStores } from '../stores.ts';

export interface DeploymentRunRequest {
  deployment: string;
  /** Values that override the deployment's parameters. */
  parameters: Record<string, unknown>;
  idempotencyKey: string;
  /** A schedule's causes; for an automation, its events (and itself) become the causes. */
  causes: TriggerCause[];
  /** The events behind the run (recorded as its trigger). */
  events: FlowtrailEvent[];
  /**
   * The automation that asked, and its firing. The deployment's own automation is its `@trigger`:
   * its runs record the events as their causes, in dependency order, and its mappings take
   * parameters from the payloads; any other automation is recorded as a cause after its events.
   */
  automation: {
    id: string;
    name: string;
    ownerResource: string | null;
    firing: string;
    triggeredAt: number;
  } | null;
}

export interface StartedRun {
  runPathspec: string;
  runId: number;
}

export interface DeploymentRunsOptions {
  stores: ServerStores;
  artifactRoot: string;
  buildDir: string;
  /** Where the runs' tasks run (default: worker processes of this server). */
  executor?: ExecutorSpec;
  log: (line: string) => void;
}

/**
 * Idle workers kept forked. A run starts with the oldest and takes more only as its tasks need
 * them (its pool fills on demand), and one is forked per spare taken once the run's first task
 * runs: so even when runs come back to back, the next run's first worker was forked runs earlier
 * and has started (Node and the runtime's modules take ~100 ms of CPU, several times that in wall
 * time on a loaded machine), and a linear flow costs one process start, not a pool's.
 */
const SPARES = 3;

/** When a triggered run's timings count from: its first event's arrival, or now. */
function timingsOrigin(request: DeploymentRunRequest): number {
  const received = request.events[0]?.received.getTime();
  return received === undefined ? performance.now() : received - performance.timeOrigin;
}

export class DeploymentRuns {
  /** Runs started by this process and not finished yet. */
  private readonly running = new Set<Promise<unknown>>();
  /** Idle worker processes forked ahead, oldest first, so a triggered run's first task does not wait for Node to start. */
  private spares: Worker[] = [];
  private warm = false;

  constructor(private readonly options: DeploymentRunsOptions) {}

  /** Keeps a run's initial pool of workers forked and idle from now on (while deployments exist). */
  keepWarm(): void {
    if (this.warm) return;
    this.warm = true;
    this.replenish();
  }

  /** Stops the spare workers (and keeps none from now on). */
  stopSpares(): void {
    this.warm = false;
    for (const w of this.spares) w.stop();
    this.spares = [];
  }

  private replenish(): void {
    // Queue runs' tasks run on `flowtrail worker`s: no local process waits for them.
    if (!this.warm || this.options.executor?.kind === 'queue') return;
    this.spares = this.spares.filter((w) => !w.exited);
    for (let i = this.spares.length; i < SPARES; i++) this.spares.push(new Worker(false));
  }

  /** The oldest spare (the likeliest to have started), if any is left. */
  private takeSpare(): Worker | undefined {
    this.spares = this.spares.filter((w) => !w.exited);
    return this.spares.shift();
  }

  /** Waits for every run this process started. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /**
   * Starts a run and resolves with its pathspec once it exists (the run goes on in the background).
   *
   * @throws FlowtrailError when the run could not be created (deleted deployment, a required
   * parameter missing, a module that fails to load); the reason is also recorded on the deployment.
   */
  start(request: DeploymentRunRequest): Promise<StartedRun> {
    return new Promise((resolve, reject) => {
      let created = false;
      const run = this.execute(request, (started) => {
        created = true;
        resolve(started);
      }).then(
        (started) => {
          if (!created) resolve(started);
        },
        (e: unknown) => {
          if (!created) reject(e);
          else
            this.options.log(`trigger engine: run of ${request.deployment} failed: ${(e as Error).message}`);
        },
      );
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    });
  }

  /** Starts the run a schedule firing decided on, and records its outcome on the firing. */
  launchFiring(firing: FiringRecord): void {
    const { deployments } = this.options.stores;
    this.start({
      deployment: firing.flow,
      parameters: {},
      idempotencyKey: firing.id,
      causes: firing.causes,
      events: [],
      automation: null,
    }).then(
      ({ runId }) => deployments.finishFiring(firing.id, { status: 'started', runId }),
      (e: unknown) =>
        deployments.finishFiring(firing.id, { status: 'failed', message: (e as Error).message }),
    );
  }

  private async execute(
    request: DeploymentRunRequest,
    onCreated: (run: StartedRun) => void,
  ): Promise<StartedRun> {
    const { stores } = this.options;
    const timings = runTimingsFromEnv(timingsOrigin(request), "the triggering event's arrival");
    if (request.automation)
      timings.mark('firing decided', request.automation.triggeredAt - performance.timeOrigin);
    timings.mark('run requested');
    const deployment = await stores.deployments.get(request.deployment);
    if (!deployment)
      throw new FlowtrailError(
        'NOT_FOUND',
        `Deployment '${request.deployment}' does not exist (deleted?); no run was started.`,
      );
    timings.mark('deployment read');
    const first = this.takeSpare();
    const prestarted = first ? [first] : [];
    // A module written by an earlier run: the worker imports it while this process loads the flow.
    const bundle = deployedBundlePath(deployment, this.options.buildDir);
    const preloaded = first !== undefined && fs.existsSync(bundle);
    if (preloaded) first.preload(bundle);
    // New spares fork once this run's first task runs (or the run ends): forked now, they would
    // take the CPU this run's start needs.
    let replenished = false;
    const replenish = () => {
      if (replenished) return;
      replenished = true;
      this.replenish();
    };
    const owned = request.automation?.ownerResource === deploymentResource(deployment.flow);
    const events = owned ? inDependencyOrder(deployment, request.events) : request.events;
    const causes = request.automation ? events.map(causeOf) : request.causes;
    if (request.automation && !owned)
      causes.push({
        type: 'automation',
        name: request.automation.name,
        id: request.automation.id,
        timestamp: request.automation.triggeredAt,
        pathspec: null,
        firing: request.automation.firing,
      });
    const record = (outcome: Pick<FiringRecord, 'status' | 'runId' | 'message'>) =>
      request.automation
        ? stores.deployments.recordFiring({
            id: request.idempotencyKey,
            flow: deployment.flow,
            causes,
            createdAt: Date.now(),
            ...outcome,
          })
        : Promise.resolve();
    try {
      const loaded = await loadDeployedFlow(deployment, stores.artifacts, this.options.buildDir);
      timings.mark('flow loaded');
      if (!preloaded) for (const w of prestarted) w.preload(loaded.bundle);
      const mapped = owned
        ? mapTriggerParameters(deployment.triggers.events, events, loaded.graph.params)
        : {};
      const outcome = await runLoadedFlow(
        {
          home: this.options.buildDir,
          metadata: stores.metadata,
          events: stores.events,
          artifacts: stores.artifacts,
          artifactRoot: this.options.artifactRoot,
          close: async () => {},
        },
        loaded,
        {
          params: { ...deployment.params, ...mapped, ...request.parameters },
          trigger: { causes, events },
          production: { token: deployment.productionToken },
          idempotencyKey: request.idempotencyKey,
          progress: { ...silentProgress, taskStarted: replenish },
          ...(this.options.executor ? { executor: this.options.executor } : {}),
          onRunCreated: (run) => {
            void stores.deployments.recordProblem(deployment.flow, null);
            void record({ status: 'started', runId: run.id, message: null });
            this.options.log(
              `trigger engine: started ${runPathspec(run.flow, run.runNumber)} (${causes.map((c) => c.name).join(' + ')})`,
            );
            onCreated({ runPathspec: runPathspec(run.flow, run.runNumber), runId: run.id });
          },
        },
        { prestarted, spares: () => this.takeSpare(), timings },
      );
      return { runPathspec: outcome.pathspec, runId: outcome.run.id };
    } catch (e) {
      const message = await this.recordFailure(deployment, request, e);
      await record({ status: 'failed', runId: null, message });
      throw e;
    } finally {
      // Workers the run did not adopt (it failed before scheduling) must not linger.
      for (const w of prestarted) if (!w.attached) w.stop();
      // Also the spares its pool took after its start.
      this.replenish();
      if (timings.enabled) process.stderr.write(`${request.deployment}: ${timings.report()}`);
    }
  }

  /** Records why a run could not start on the deployment and as an event; returns the reason. */
  private async recordFailure(
    deployment: DeploymentRecord,
    request: DeploymentRunRequest,
    e: unknown,
  ): Promise<string> {
    const { stores } = this.options;
    const message =
      e instanceof FlowtrailError
        ? e.message
        : `Starting a run of ${deployment.flow} failed: ${(e as Error).message}`;
    const ids = request.events.map((ev) => ev.id);
    await stores.deployments.recordProblem(deployment.flow, {
      at: Date.now(),
      message,
      eventId: ids[0] ?? null,
    });
    // The reason is an event too, so it shows in the feed next to what caused it.
    await stores.events.append([
      deploymentEvent(
        deployment.flow,
        'trigger_failed',
        { reason: message, eventIds: ids, firing: request.idempotencyKey },
        Date.now(),
      ),
    ]);
    this.options.log(`trigger engine: ${message}`);
    return message;
  }
}
