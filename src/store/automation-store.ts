/**
 * The `AutomationStore` port: saved automations, the durable state of their triggers, their
 * firings and the actions each firing decided on. Adapters: `sql/` (SQLite and PostgreSQL, one
 * database with the deployments and the engine's lease and cursor), `http/` (the registry part
 * only). Every adapter passes `test/conformance/automation-store.ts`.
 *
 * Exactly once: the engine commits, in one transaction and only while it holds the lease
 * (`DeploymentStore.acquireLease`), the new feed cursor, the trigger states, the firings and their
 * actions (`pending`). Firing and action ids are deterministic, so a batch replayed after a crash
 * inserts nothing new; actions then run, and each ends `executed` or `failed`.
 */
import type { Automation, AutomationAction } from '../automations/model.ts';
import type { OrderingState } from '../automations/ordering.ts';
import type { Firing, TriggerState } from '../automations/trigger-state.ts';
import type { FlowtrailEvent } from '../events/model.ts';

/** A saved automation, with what the store knows of it. */
export type AutomationRecord = Automation & {
  createdAt: number;
  /** Saved, replaced or re-enabled last (ms): events received before it are not counted. */
  updatedAt: number;
  /** The latest firing's `triggered` time, or null. */
  lastFiredAt: number | null;
};

export interface AutomationQuery {
  /** Only automations owned by this resource (`flowtrail.deployment.F`); `null`: only unowned ones. */
  owner?: string | null;
  enabled?: boolean;
  /** Has this tag. */
  tag?: string;
  /**
   * Related to this resource id: owns it, acts on it (a deployment it runs or pauses, an
   * automation it pauses), or names it literally in a trigger's `match`.
   */
  relatedTo?: string;
}

/** One firing of an automation's root trigger, as recorded when the engine committed it. */
export interface AutomationFiringRecord {
  /** `Firing.id`: deterministic, so a replayed firing is recorded once. */
  id: string;
  automation: string;
  firing: Firing;
  /** Ids of the events that made the firing (its event and its children's), oldest first. */
  eventIds: string[];
  /** = `firing.triggered`. */
  triggeredAt: number;
}

export type ActionStatus = 'pending' | 'executed' | 'failed';

/** Which list of the automation an action came from. */
export type ActionList = 'actions' | 'actionsOnTrigger';

/** An action a firing decided on. */
export interface ActionRecord {
  /** `${firing}:${list}:${index}`; also the idempotency key of what it does (a run's creation). */
  id: string;
  firing: string;
  automation: string;
  list: ActionList;
  index: number;
  /** The action as it was when the firing was committed. */
  action: AutomationAction;
  status: ActionStatus;
  /** How many times it was tried (a webhook's retries count). */
  attempts: number;
  /** Why it failed, or what it did (`started ETLFlow/12`). */
  message: string | null;
  /** The resource id it acted on (`flowtrail.run.ETLFlow/12`, `flowtrail.deployment.F`), once known. */
  target: string | null;
  createdAt: number;
  finishedAt: number | null;
}

/** A firing with the actions it decided on, for history views. */
export interface FiringHistoryEntry {
  firing: AutomationFiringRecord;
  actions: ActionRecord[];
}

/** What the engine commits for one batch of events or one tick, atomically. */
export interface AutomationCommit {
  /** Only if the caller still holds the engine lease. */
  owner: string;
  /** The new feed cursor; null leaves it as it is (a tick without events). */
  position: number | null;
  /**
   * New trigger states (replacing the stored ones). `updatedAt` is that of the automation record
   * the state was computed from: a state for an automation replaced or re-enabled since (or
   * deleted) is dropped, so it never lands on the new version.
   */
  states: { automation: string; updatedAt: number; state: TriggerState }[];
  /** Inserted unless already present (by id). */
  firings: AutomationFiringRecord[];
  /** Inserted as given unless already present (by id). */
  actions: ActionRecord[];
  /** Events appended in the same transaction (each firing's `flowtrail.automation.triggered`). */
  events?: FlowtrailEvent[];
  /** The engine-wide event ordering state (`follows` parking); null or absent leaves it as it is. */
  ordering?: OrderingState | null;
}

/**
 * What users (the CLI, the UI, remote or local) do with automations. The `http` adapter
 * implements this part only.
 */
export interface AutomationRegistry {
  /** Where, for messages. */
  readonly location: string;
  /**
   * Saves a new automation; `ConflictError` when its id exists. `replace`, `setEnabled` and `delete`
   * refuse (`ConflictError`) the automation a deployment owns (`deployment-automation.ts`): it
   * follows its deployment, so re-deploy, pause or resume the deployment instead.
   */
  create(automation: Automation, now: number): Promise<AutomationRecord>;
  /** Replaces an automation (its trigger state starts again); undefined when there is none. */
  replace(automation: Automation, now: number): Promise<AutomationRecord | undefined>;
  /**
   * Enables or disables one; enabling a disabled one starts its trigger state again (and sets
   * `updatedAt`); enabling an enabled one changes nothing. Undefined when there is none.
   */
  setEnabled(id: string, enabled: boolean, now: number): Promise<AutomationRecord | undefined>;
  delete(id: string): Promise<boolean>;
  get(id: string): Promise<AutomationRecord | undefined>;
  /** By name, then id. */
  list(query?: AutomationQuery): Promise<AutomationRecord[]>;
  /**
   * Newest first (by `triggeredAt`, then id), `limit` 20 by default. Paging: `before` gives only
   * firings triggered before this time (ms); with `beforeId` (the last firing of the previous page)
   * also those triggered at `before` whose id sorts before it, so firings of one moment (one batch of
   * events) are never skipped.
   */
  history(
    id: string,
    options?: { limit?: number; before?: number; beforeId?: string },
  ): Promise<FiringHistoryEntry[]>;
}

export interface AutomationStore extends AutomationRegistry {
  /** Stored trigger states; an automation without one (new, replaced, re-enabled) is absent. */
  loadStates(ids: readonly string[]): Promise<Map<string, TriggerState>>;
  /** The engine-wide event ordering state, or null before the first commit that set one. */
  loadOrdering(): Promise<OrderingState | null>;
  /** Applies one batch in one transaction; false (nothing applied) when `owner` lost the lease. */
  commitEvaluation(commit: AutomationCommit, now: number): Promise<boolean>;
  /** Actions still `pending` (after a crash: to run again), oldest first. */
  pendingActions(limit?: number): Promise<ActionRecord[]>;
  finishAction(
    id: string,
    outcome: {
      status: 'executed' | 'failed';
      attempts: number;
      message: string | null;
      target: string | null;
    },
    now: number,
  ): Promise<void>;
  /** Firings by id with their actions, newest first (what an event caused, for its page). */
  firingHistory(ids: readonly string[]): Promise<FiringHistoryEntry[]>;
  /** Looks up firings by id (for the events an action emits and the run causes it records). */
  firings(ids: readonly string[]): Promise<AutomationFiringRecord[]>;
}

/** Named secrets (a webhook's headers): values are never listed or sent back. */
export interface SecretStore {
  set(name: string, value: Record<string, string>, now: number): Promise<void>;
  get(name: string): Promise<Record<string, string> | undefined>;
  /** Names and when they were set, by name. */
  list(): Promise<{ name: string; updatedAt: number }[]>;
  delete(name: string): Promise<boolean>;
}
