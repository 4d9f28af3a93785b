/**
 * The `DeploymentStore` port: deployed flows and the trigger engine's durable state — its cursor
 * over the event feed, its lease (one engine at a time across servers), the dependencies that
 * have arrived, and the firings it decided on. Adapters: `sql/` (SQLite and PostgreSQL). Every
 * adapter passes `test/conformance/deployment-store.ts`.
 */
import type { TriggerSpec } from '../flow/trigger-spec.ts';
import type { TriggerCause } from './metadata-store.ts';

export type DeploymentStatus = 'active' | 'paused';

export interface DeploymentProblem {
  at: number;
  message: string;
  /** The event that could not start a run, when there is one. */
  eventId: string | null;
}

export interface DeploymentRecord {
  /** The flow's name: one deployment per flow. */
  flow: string;
  /** The flow file deployed (absolute path, for messages and re-deploys). */
  file: string;
  /** Blob of the compiled flow module that deployed runs execute (artifact store). */
  bundleSha: string;
  /** Blob of the code package (the flow source and its local imports). */
  codeSha: string;
  /** Parameter values given at deploy time (they override the flow's defaults). */
  params: Record<string, unknown>;
  triggers: TriggerSpec;
  /** Deployed runs carry `production:<token>`; kept across re-deploys. */
  productionToken: string;
  status: DeploymentStatus;
  createdAt: number;
  updatedAt: number;
  /** The latest reason a trigger could not start a run (cleared by the next run started). */
  lastProblem: DeploymentProblem | null;
  /** For a schedule: when it fires next (ms). */
  nextScheduledAt: number | null;
}

/** A dependency that arrived and waits for the others (AND). */
export interface ArrivedDependency {
  flow: string;
  /** `event:<name>` or `run:<flow>`. */
  dependency: string;
  eventId: string;
  occurred: number;
}

export type FiringStatus = 'pending' | 'started' | 'failed';

/** The engine's decision to start a run of a deployment, recorded before the run starts. */
export interface FiringRecord {
  /** Also the idempotency key of the run's creation. */
  id: string;
  flow: string;
  causes: TriggerCause[];
  status: FiringStatus;
  runId: number | null;
  createdAt: number;
  message: string | null;
}

export interface EngineState {
  /** Event-feed position consumed up to. */
  position: number;
  leaseOwner: string | null;
  leaseUntil: number;
}

/** What the engine commits for one batch of events, atomically. */
export interface EngineCommit {
  /** The new cursor position. */
  position: number;
  firings: FiringRecord[];
  /** Only if the caller still holds the lease. */
  owner: string;
}

/**
 * What users (the CLI, remote or local) do with deployments. The `http` adapter implements this
 * part only: the engine's state never leaves the server.
 */
export interface DeploymentRegistry {
  /** Where, for messages. */
  readonly location: string;
  /**
   * Creates or replaces a deployment (re-deploying replaces its triggers; pending arrivals are
   * dropped), and with it the automation it owns (its trigger state cleared), in one transaction.
   * `setStatus` enables or disables that automation too (resuming clears its state); `delete`
   * deletes it with its history.
   */
  upsert(deployment: DeploymentRecord): Promise<void>;
  get(flow: string): Promise<DeploymentRecord | undefined>;
  list(): Promise<DeploymentRecord[]>;
  setStatus(flow: string, status: DeploymentStatus, at: number): Promise<boolean>;
  delete(flow: string): Promise<boolean>;
  arrivals(flow: string): Promise<ArrivedDependency[]>;
  firings(flow: string, limit?: number): Promise<FiringRecord[]>;
}

/** What {@link DeploymentStore.syncOwnedAutomations} changed. */
export interface OwnedAutomationSync {
  created: string[];
  /** Rewritten (their trigger state cleared) or enabled/disabled to follow their deployment. */
  updated: string[];
  /** Of deployments that are gone or have no event or flow trigger any more. */
  deleted: string[];
}

export interface DeploymentStore extends DeploymentRegistry {
  /**
   * Brings every deployment's owned automation (`deployment-automation.ts`) in step with it:
   * creates missing ones (deployments stored before automations existed), rewrites those that
   * differ, deletes orphans. Leaves one that is already right untouched (its trigger state too),
   * so running it at every engine start loses no window. `upsert`, `setStatus` and `delete` keep
   * them in step in their own transactions.
   */
  syncOwnedAutomations(now: number): Promise<OwnedAutomationSync>;
  /**
   * Records a firing that already has its outcome (a run an automation's action started, or
   * failed to): it shows in `firings(flow)` beside schedule firings; replaces one of the same id.
   */
  recordFiring(firing: FiringRecord): Promise<void>;
  /** The newest firing of each deployment that has one (the deployments list shows it), one read. */
  latestFirings(): Promise<FiringRecord[]>;
  recordProblem(flow: string, problem: DeploymentProblem | null): Promise<void>;
  setNextScheduledAt(flow: string, at: number | null): Promise<void>;

  /** Takes or renews the engine lease for `owner` until `until`; false when another owner holds it. */
  acquireLease(owner: string, now: number, until: number): Promise<boolean>;
  releaseLease(owner: string): Promise<void>;
  engineState(): Promise<EngineState>;
  /** Applies one batch of the engine's decisions in one transaction; false (nothing applied) when `owner` lost the lease. */
  commitEngine(commit: EngineCommit, now: number): Promise<boolean>;
  pendingFirings(): Promise<FiringRecord[]>;
  finishFiring(
    id: string,
    outcome: { status: 'started' | 'failed'; runId?: number; message?: string },
  ): Promise<void>;
}
