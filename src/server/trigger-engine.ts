/**
 * The trigger engine, run by `flowtrail server`: it reads the event feed after a cursor stored in
 * the database and starts runs of deployments whose dependencies have all arrived (AND, each
 * within the reset window of the newest). `@triggerOnFinish` dependencies are upstream flows'
 * `flowtrail.run.completed` events. Schedules fire from the same loop.
 *
 * Exactly once, across restarts and servers:
 * - one engine works at a time: a lease row in the database (`acquireLease`), renewed well before
 *   it lapses;
 * - for each batch of events, the new cursor, the arrived and consumed dependencies and the
 *   firings (decisions to start a run) commit in one transaction, and only while the lease is held;
 * - a firing's id is derived from its causes and is the idempotency key of the run's creation, so a
 *   firing replayed after a crash creates no second run, and a run already created is not run again.
 */
import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import { nextCronTime, parseCron } from '../core/cron.ts';
import { FlowtrailError } from '../core/errors.ts';
import { flowOfPathspec, runPathspec } from '../core/pathspec.ts';
import { deploymentEvent } from '../events/lifecycle.ts';
import { type FlowtrailEvent, RESERVED_PREFIX } from '../events/model.ts';
import { loadDeployedFlow } from '../runtime/deploy.ts';
import { runLoadedFlow } from '../runtime/run-flow.ts';
import { causeOf, completedRunPathspec, mapTriggerParameters } from '../runtime/trigger-causes.ts';
import type { ArrivedDependency, DeploymentRecord, FiringRecord } from '../store/deployment-store.ts';
import type { TriggerCause } from '../store/metadata-store.ts';
import type { ServerStores } from './stores.ts';

export interface TriggerEngineOptions {
  stores: ServerStores;
  /** Filesystem root of the artifact store (worker processes write blobs there). */
  artifactRoot: string;
  /** Where deployed modules are written before they are imported. */
  buildDir: string;
  /** How often to look for new events, in ms (default 50). */
  pollMs?: number;
  /** How long the lease lasts without renewal, in ms (default 10 s). */
  leaseMs?: number;
  log?: (line: string) => void;
}

const BATCH = 500;

/** The dependency keys an event satisfies: `event:<name>`, or `run:<flow>` for a completed run. */
function dependenciesOf(event: FlowtrailEvent): string[] {
  const pathspec = completedRunPathspec(event);
  if (pathspec !== undefined) return [`run:${flowOfPathspec(pathspec)}`];
  if (event.event.startsWith(RESERVED_PREFIX)) return [];
  return [`event:${event.event}`];
}

function dependenciesOfDeployment(d: DeploymentRecord): string[] {
  return [...d.triggers.events.map((e) => `event:${e.name}`), ...d.triggers.flows.map((f) => `run:${f}`)];
}

/** A firing's id from what it consumes: replaying the same batch yields the same id. */
function firingId(flow: string, eventIds: readonly string[]): string {
  return `fire-${createHash('sha256')
    .update(`${flow}\n${[...eventIds].sort().join('\n')}`)
    .digest('hex')
    .slice(0, 32)}`;
}

export class TriggerEngine {
  readonly owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private ticking: Promise<void> | undefined;
  private leased = false;
  /** Until when this engine's lease runs, as last written. */
  private leaseUntil = 0;
  /** When a standby next tries to take the lease. */
  private nextAttempt = 0;
  private readonly running = new Set<Promise<unknown>>();
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: TriggerEngineOptions) {
    this.pollMs = options.pollMs ?? 50;
    this.leaseMs = options.leaseMs ?? 10_000;
    this.log = options.log ?? (() => {});
  }

  /** Whether this engine holds the lease (is the one working). */
  get active(): boolean {
    return this.leased;
  }

  start(): void {
    const loop = async () => {
      if (this.stopping) return;
      this.ticking = this.tick().catch((e: unknown) => {
        this.log(`trigger engine: ${(e as Error).message} (will retry)`);
      });
      await this.ticking;
      if (!this.stopping) this.timer = setTimeout(loop, this.pollMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops looking for events, waits for runs it started, and gives up the lease. */
  async stop(options: { waitForRuns?: boolean } = {}): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.ticking;
    if (options.waitForRuns ?? true) await Promise.allSettled([...this.running]);
    if (this.leased) await this.options.stores.deployments.releaseLease(this.owner).catch(() => {});
    this.leased = false;
  }

  /** One pass: hold the lease, consume a batch of events, fire schedules. */
  async tick(): Promise<void> {
    const { deployments, events } = this.options.stores;
    const now = Date.now();
    const had = this.leased;
    // A write per tick would churn the database 20 times a second: renew once a third of the
    // lease has passed, and let a standby try again only every quarter lease.
    const renewDue = this.leased && now > this.leaseUntil - (this.leaseMs * 2) / 3;
    if (renewDue || (!this.leased && now >= this.nextAttempt)) {
      const until = now + this.leaseMs;
      this.leased = await deployments.acquireLease(this.owner, now, until);
      if (this.leased) this.leaseUntil = until;
      else this.nextAttempt = now + this.leaseMs / 4;
    }
    if (!this.leased) return;
    let state = await deployments.engineState();
    if (state.position < 0) {
      // First start: only events from now on can trigger.
      await deployments.commitEngine(
        { position: await events.headPosition(), arrived: [], consumed: [], firings: [], owner: this.owner },
        now,
      );
      state = await deployments.engineState();
    }
    if (!had) for (const firing of await deployments.pendingFirings()) this.launch(firing);

    const active = (await deployments.list()).filter((d) => d.status === 'active');
    await this.fireSchedules(active, now);
    const { events: batch, position } = await events.readAfter(state.position, BATCH);
    if (batch.length === 0) return;
    const watching = active.filter((d) => dependenciesOfDeployment(d).length > 0);
    // Arrivals per deployment, as stored, updated in memory through the batch.
    const current = new Map<string, Map<string, ArrivedDependency>>();
    const touched = new Set<string>();
    const firings: FiringRecord[] = [];
    const consumed: { flow: string; dependency: string }[] = [];
    for (const event of batch) {
      const keys = dependenciesOf(event);
      if (keys.length === 0) continue;
      for (const d of watching) {
        // Events from before the deployment (or its last re-deploy) do not count.
        if (event.received.getTime() < d.updatedAt) continue;
        const wanted = dependenciesOfDeployment(d);
        const hit = keys.filter((k) => wanted.includes(k));
        if (hit.length === 0) continue;
        let arrived = current.get(d.flow);
        if (!arrived) {
          arrived = new Map((await deployments.arrivals(d.flow)).map((a) => [a.dependency, a]));
          current.set(d.flow, arrived);
        }
        for (const dependency of hit)
          arrived.set(dependency, {
            flow: d.flow,
            dependency,
            eventId: event.id,
            occurred: event.occurred.getTime(),
          });
        touched.add(d.flow);
        // AND: every dependency present, each within the reset window of the newest.
        const newest = Math.max(...[...arrived.values()].map((a) => a.occurred));
        const ready = wanted.every((k) => {
          const a = arrived.get(k);
          return a !== undefined && a.occurred >= newest - d.triggers.resetWindowMs;
        });
        if (!ready) continue;
        const used = wanted.map((k) => arrived.get(k)!);
        const causes = await this.causesOf(
          used.map((a) => a.eventId),
          batch,
        );
        firings.push({
          id: firingId(
            d.flow,
            used.map((a) => a.eventId),
          ),
          flow: d.flow,
          causes,
          status: 'pending',
          runId: null,
          createdAt: Date.now(),
          message: null,
        });
        for (const k of wanted) {
          arrived.delete(k);
          consumed.push({ flow: d.flow, dependency: k });
        }
      }
    }
    const arrivedRows = [...touched].flatMap((flow) => [...(current.get(flow)?.values() ?? [])]);
    const committed = await deployments.commitEngine(
      { position, arrived: arrivedRows, consumed, firings, owner: this.owner },
      Date.now(),
    );
    if (!committed) {
      this.leased = false;
      return;
    }
    for (const firing of firings) this.launch(firing);
  }

  /** The causes, in dependency order, of the events with these ids. */
  private async causesOf(ids: readonly string[], batch: readonly FlowtrailEvent[]): Promise<TriggerCause[]> {
    const known = new Map(batch.map((e) => [e.id, e]));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0)
      for (const e of (await this.options.stores.events.query({ id: missing }, { limit: 500 })).events)
        known.set(e.id, e);
    return ids.flatMap((id) => {
      const e = known.get(id);
      return e ? [causeOf(e)] : [];
    });
  }

  private async fireSchedules(active: readonly DeploymentRecord[], now: number): Promise<void> {
    const { deployments } = this.options.stores;
    for (const d of active) {
      if (d.nextScheduledAt === null || d.nextScheduledAt > now || !d.triggers.schedule) continue;
      const due = d.nextScheduledAt;
      const id = `schedule-${d.flow}-${due}`;
      const cause: TriggerCause = {
        type: 'event',
        name: 'flowtrail.schedule',
        id,
        timestamp: due,
        pathspec: null,
      };
      const firing: FiringRecord = {
        id,
        flow: d.flow,
        causes: [cause],
        status: 'pending',
        runId: null,
        createdAt: now,
        message: null,
      };
      const state = await deployments.engineState();
      if (
        !(await deployments.commitEngine(
          { position: state.position, arrived: [], consumed: [], firings: [firing], owner: this.owner },
          now,
        ))
      )
        return;
      const schedule = d.triggers.schedule;
      await deployments.setNextScheduledAt(
        d.flow,
        nextCronTime(parseCron(schedule.cron), new Date(Math.max(now, due)), schedule.timezone).getTime(),
      );
      this.launch(firing);
    }
  }

  private launch(firing: FiringRecord): void {
    const run = this.startRun(firing).catch((e: unknown) => {
      this.log(`trigger engine: firing ${firing.id} of ${firing.flow} failed: ${(e as Error).message}`);
    });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** Starts (in this process) the run a firing decided on; a failure to start is recorded, never lost. */
  private async startRun(firing: FiringRecord): Promise<void> {
    const { stores } = this.options;
    const deployment = await stores.deployments.get(firing.flow);
    if (!deployment) {
      await stores.deployments.finishFiring(firing.id, {
        status: 'failed',
        message: 'The deployment was deleted.',
      });
      return;
    }
    const ids = firing.causes.filter((c) => c.name !== 'flowtrail.schedule').map((c) => c.id);
    const events = ids.length > 0 ? (await stores.events.query({ id: ids }, { limit: 500 })).events : [];
    try {
      const loaded = await loadDeployedFlow(deployment, stores.artifacts, this.options.buildDir);
      const mapped = mapTriggerParameters(deployment.triggers.events, events, loaded.graph.params);
      await runLoadedFlow(
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
          params: { ...deployment.params, ...mapped },
          trigger: { causes: firing.causes, events },
          production: { token: deployment.productionToken },
          idempotencyKey: firing.id,
          onRunCreated: (run) => {
            void stores.deployments.finishFiring(firing.id, { status: 'started', runId: run.id });
            void stores.deployments.recordProblem(deployment.flow, null);
            this.log(
              `trigger engine: started ${runPathspec(run.flow, run.runNumber)} (${firing.causes.map((c) => c.name).join(' + ')})`,
            );
          },
        },
      );
    } catch (e) {
      const message =
        e instanceof FlowtrailError
          ? e.message
          : `Starting a run of ${deployment.flow} failed: ${(e as Error).message}`;
      await stores.deployments.finishFiring(firing.id, { status: 'failed', message });
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
          { reason: message, eventIds: ids, firing: firing.id },
          Date.now(),
        ),
      ]);
      this.log(`trigger engine: ${message}`);
    }
  }
}
