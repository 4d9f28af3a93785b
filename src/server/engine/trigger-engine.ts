/**
 * The trigger engine, run by `flowtrail server`: it reads the event feed after a cursor stored in
 * the database, evaluates every enabled automation on it (a deployment's `@trigger` /
 * `@triggerOnFinish` included: they are automations owned by the deployment), runs the actions of
 * each firing, and fires deployments' schedules.
 *
 * Exactly once, across restarts and servers:
 * - one engine works at a time: a lease row in the database (`acquireLease`), renewed well before
 *   it lapses; a standby takes over when it lapses;
 * - for each batch of events (or tick of proactive deadlines) the new cursor, the trigger states,
 *   the firings, their `pending` actions and `flowtrail.automation.triggered` events commit in one
 *   transaction, and only while the lease is held;
 * - firing and action ids are deterministic, and an action's id is the idempotency key of the run
 *   it starts, so a decision replayed after a crash creates no second run.
 *
 * It wakes when events commit (`AppendWatch`: SQLite's WAL file changing, PostgreSQL NOTIFY), when
 * a proactive deadline comes, and otherwise polls every `pollMs` as a fallback.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { TemplateEngine } from '../../automations/templates.ts';
import { nextCronTime, parseCron } from '../../core/cron.ts';
import type { ExecutorSpec } from '../../runtime/executor/create-executor.ts';
import { cancelRun } from '../../store/cancel-run.ts';
import type { DeploymentRecord, FiringRecord } from '../../store/deployment-store.ts';
import type { TriggerCause } from '../../store/metadata-store.ts';
import type { ActionServices } from '../actions/action-services.ts';
import type { ServerStores } from '../stores.ts';
import { ActionRunner } from './action-runner.ts';
import { AutomationEvaluator } from './automation-evaluator.ts';
import { DeploymentRuns } from './deployment-runs.ts';

export interface TriggerEngineOptions {
  stores: ServerStores;
  /** Filesystem root of the artifact store (worker processes write blobs there). */
  artifactRoot: string;
  /** Where deployed modules are written before they are imported. */
  buildDir: string;
  /** Where triggered runs' tasks run (default: worker processes of this server). */
  executor?: ExecutorSpec;
  /** How often to look for new events when no commit signal came, in ms (default 1000). */
  pollMs?: number;
  /** How long the lease lasts without renewal, in ms (default 10 s). */
  leaseMs?: number;
  /** Whether webhooks may call loopback and private-range addresses (default false). */
  allowPrivateWebhooks?: boolean;
  log?: (line: string) => void;
}

/**
 * Events read and evaluated per commit: large, because a commit rewrites the state of every
 * automation the batch touched (while caught up, batches are as small as what just arrived).
 */
const BATCH = 10_000;
/** How often the automation and deployment lists are read when no events come (a new proactive automation starts within this). */
const LIST_EVERY_MS = 250;
/** The least time between two ticks a commit signal asks for: a busy database wakes the engine often. */
const MIN_WAKE_GAP_MS = 5;

export class TriggerEngine {
  readonly owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private ticking: Promise<void> | undefined;
  /** A wake came while a tick ran: tick again right after. */
  private again = false;
  private leased = false;
  /** Until when this engine's lease runs, as last written. */
  private leaseUntil = 0;
  /** When a standby next tries to take the lease. */
  private nextAttempt = 0;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly log: (line: string) => void;
  private readonly evaluator: AutomationEvaluator;
  private readonly runs: DeploymentRuns;
  private readonly actions: ActionRunner;
  private unwatch: (() => void) | undefined;
  /** The feed position consumed up to, while this engine holds the lease (it alone moves it). */
  private position: number | undefined;
  private listedAt = 0;
  /** A commit signal came since the lists were last read (an automation may have been saved). */
  private wokenSinceList = false;
  private lastTickAt = 0;

  constructor(private readonly options: TriggerEngineOptions) {
    this.pollMs = options.pollMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 10_000;
    this.log = options.log ?? (() => {});
    const { stores } = options;
    this.evaluator = new AutomationEvaluator(stores.automations);
    this.runs = new DeploymentRuns({
      stores,
      artifactRoot: options.artifactRoot,
      buildDir: options.buildDir,
      ...(options.executor ? { executor: options.executor } : {}),
      log: this.log,
    });
    const services: ActionServices = {
      events: stores.events,
      deployments: stores.deployments,
      automations: stores.automations,
      secrets: stores.secrets,
      templates: new TemplateEngine(),
      webhooks: { allowPrivateAddresses: options.allowPrivateWebhooks ?? false },
      now: () => Date.now(),
      startDeploymentRun: async (request) => {
        const { runPathspec } = await this.runs.start({
          deployment: request.deployment,
          parameters: request.parameters,
          idempotencyKey: request.idempotencyKey,
          causes: [],
          events: request.events,
          automation: {
            id: request.automation.id,
            name: request.automation.name,
            ownerResource: request.automation.ownerResource,
            firing: request.firing.id,
            triggeredAt: request.firing.triggeredAt,
          },
        });
        return { runPathspec };
      },
      cancelRun: async (pathspec, reason) => {
        await cancelRun(stores, pathspec, { reason, by: 'automation' });
      },
    };
    this.actions = new ActionRunner(stores, services, this.log);
  }

  /** Whether this engine holds the lease (is the one working). */
  get active(): boolean {
    return this.leased;
  }

  start(): void {
    this.unwatch = this.options.stores.appends.watch(() => this.wake());
    this.schedule(0);
  }

  /** Something may have changed (events committed, an automation saved): evaluate now. */
  wake(): void {
    if (this.stopping) return;
    this.wokenSinceList = true;
    if (this.ticking) this.again = true;
    else this.schedule(this.lastTickAt + MIN_WAKE_GAP_MS - Date.now());
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.loop(), Math.max(0, delay));
  }

  private async loop(): Promise<void> {
    if (this.stopping) return;
    this.again = false;
    this.lastTickAt = Date.now();
    let more = false;
    this.ticking = this.tick()
      .then((m) => {
        more = m;
      })
      .catch((e: unknown) => {
        this.log(`trigger engine: ${(e as Error).message} (will retry)`);
      });
    await this.ticking;
    this.ticking = undefined;
    if (this.stopping) return;
    if (more) this.schedule(0);
    else if (this.again) this.schedule(MIN_WAKE_GAP_MS);
    else this.schedule(this.delayToNextWork());
  }

  /** Until the next proactive deadline, lease renewal or fallback poll, whichever comes first. */
  private delayToNextWork(): number {
    const now = Date.now();
    let at = now + this.pollMs;
    if (this.leased) {
      at = Math.min(at, this.leaseUntil - (this.leaseMs * 2) / 3 + 1);
      const wake = this.evaluator.nextWake();
      if (wake !== null) at = Math.min(at, wake);
      if (this.wokenSinceList) at = Math.min(at, this.listedAt + LIST_EVERY_MS);
    } else at = Math.min(at, this.nextAttempt);
    return at - now;
  }

  /** Stops looking for events, waits for runs and actions it started, and gives up the lease. */
  async stop(options: { waitForRuns?: boolean } = {}): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.unwatch?.();
    await this.ticking;
    this.runs.stopSpares();
    if (options.waitForRuns ?? true) {
      await this.actions.settle();
      await this.runs.settle();
    }
    if (this.leased) await this.options.stores.deployments.releaseLease(this.owner).catch(() => {});
    this.leased = false;
  }

  /** One pass: hold the lease, evaluate a batch of events and due deadlines, fire schedules. True when more events wait. */
  async tick(): Promise<boolean> {
    const { deployments, events, automations } = this.options.stores;
    const now = Date.now();
    const had = this.leased;
    // Renew once a third of the lease has passed; a standby tries again every quarter lease.
    const renewDue = this.leased && now > this.leaseUntil - (this.leaseMs * 2) / 3;
    if (renewDue || (!this.leased && now >= this.nextAttempt)) {
      const until = now + this.leaseMs;
      this.leased = await deployments.acquireLease(this.owner, now, until);
      if (this.leased) this.leaseUntil = until;
      else this.nextAttempt = now + this.leaseMs / 4;
    }
    if (!this.leased) return false;
    if (!had) {
      await this.takeOver(now);
      this.position = undefined;
    }
    if (this.position === undefined) {
      let state = await deployments.engineState();
      if (state.position < 0) {
        // First start: only events from now on can trigger.
        await deployments.commitEngine(
          { position: await events.headPosition(), firings: [], owner: this.owner },
          now,
        );
        state = await deployments.engineState();
      }
      this.position = state.position;
    }
    const { events: batch, position } = await events.readAfter(this.position, BATCH);
    // The lists change rarely: read them for every batch (an automation saved just before an event
    // must see it) and every LIST_EVERY_MS otherwise (schedules, new proactive automations).
    if (batch.length > 0 || now - this.listedAt >= LIST_EVERY_MS) {
      this.listedAt = now;
      this.wokenSinceList = false;
      await this.evaluator.refresh();
      const active = (await deployments.list()).filter((d) => d.status === 'active');
      if (active.length > 0) this.runs.keepWarm();
      await this.fireSchedules(active, now);
    }
    const caughtUp = batch.length < BATCH;
    this.evaluator.evaluate(batch, now);
    // Absence is judged only once every event that came in time has been read.
    if (caughtUp) this.evaluator.tick(now, now);
    if (batch.length === 0 && !this.evaluator.pending) return false;
    const { commit, decisions } = this.evaluator.commit(this.owner, batch.length > 0 ? position : null);
    if (!(await automations.commitEvaluation(commit, Date.now()))) {
      this.leased = false;
      this.position = undefined;
      this.evaluator.forget();
      return false;
    }
    this.evaluator.committed();
    if (batch.length > 0) this.position = position;
    const byId = new Map(batch.map((e) => [e.id, e]));
    this.actions.run(
      decisions.map((d) => {
        const known = d.firing.eventIds.map((id) => byId.get(id));
        return {
          ...d,
          ...(known.every((e) => e !== undefined) ? { events: known.filter((e) => e !== undefined) } : {}),
        };
      }),
    );
    return !caughtUp;
  }

  /** On taking the lease: owned automations in step, and what the previous engine left undone. */
  private async takeOver(now: number): Promise<void> {
    const { deployments } = this.options.stores;
    this.evaluator.forget();
    await deployments.syncOwnedAutomations(now);
    for (const firing of await deployments.pendingFirings()) this.runs.launchFiring(firing);
    await this.actions.resumePending();
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
          { position: state.position, firings: [firing], owner: this.owner },
          now,
        ))
      )
        return;
      const schedule = d.triggers.schedule;
      await deployments.setNextScheduledAt(
        d.flow,
        nextCronTime(parseCron(schedule.cron), new Date(Math.max(now, due)), schedule.timezone).getTime(),
      );
      this.runs.launchFiring(firing);
    }
  }
}
