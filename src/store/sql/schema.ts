import type { Generated } from 'kysely';

/** Kysely table types shared by every SQL dialect (JSON columns are text; booleans are 0/1). */
export interface FlowsTable {
  name: string;
  created_at: number;
  last_run_number: number;
}

export interface RunsTable {
  id: Generated<number>;
  flow_name: string;
  run_number: number;
  status: string;
  user_name: string;
  tags: string;
  system_tags: string;
  params: string;
  flow_file: string | null;
  code_sha: string | null;
  origin_run_number: number | null;
  created_at: number;
  finished_at: number | null;
  heartbeat_at: number | null;
  orchestrator_pid: number | null;
  orchestrator_host: string | null;
  error: string | null;
  /** JSON list of `TriggerCause`; '[]' when started by hand. */
  trigger: string;
  /** JSON `CancelRequest`, or null while nobody asked to cancel the run. */
  cancel_request: string | null;
}

/** One row per reference a run's trigger names (event id, and upstream pathspec for run causes). */
export interface RunCausesTable {
  ref: string;
  run_id: number;
}

/** One row per tag a run carries; a tag that is both a user and a system tag has one row, `system = 1`. */
export interface RunTagsTable {
  run_id: number;
  tag: string;
  /** 1 for a system tag, 0 for a user tag. */
  system: number;
}

export interface StepsTable {
  run_id: number;
  name: string;
  created_at: number;
  finished_at: number | null;
}

export interface TasksTable {
  run_id: number;
  task_id: number;
  step_name: string;
  status: string;
  successful: number | null;
  foreach_path: string;
  foreach_count: number | null;
  parent_ids: string;
  attempts: number;
  final_attempt: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  origin_task: string | null;
}

export interface AttemptsTable {
  run_id: number;
  task_id: number;
  attempt: number;
  status: string;
  started_at: number;
  finished_at: number | null;
  exception: string | null;
  env_info: string | null;
}

export interface ArtifactsTable {
  run_id: number;
  task_id: number;
  attempt: number;
  name: string;
  sha: string;
  codec: string;
  size: number;
  created_at: number;
}

export interface LogLinesTable {
  run_id: number;
  task_id: number;
  attempt: number;
  seq: number;
  stream: string;
  ts: number;
  line: string;
}

/** One row per stored event; `seq` is the arrival position (what `readAfter` pages by). */
export interface EventsTable {
  seq: Generated<number>;
  id: string;
  /** Unix ms. */
  occurred: number;
  event: string;
  resource_id: string;
  /** JSON: the primary resource's labels. */
  resource: string;
  /** JSON: the related resources. */
  related: string;
  /** JSON object. */
  payload: string;
  follows: string | null;
  /** Unix ms, stamped at intake. */
  received: number;
  /** Lower-cased text searched by `text` filters: name, label values, payload JSON. SQLite stores '' for an ASCII text (rebuilt by queries, see `sqlite-dialect.ts`). */
  search: string;
}

/**
 * One row per resource involved in an event (migration 7 in SQLite, 8 in PostgreSQL; it replaced
 * `event_resources`): the primary resource in role `''`, each related resource in its role. Only
 * what lookups by resource id need, and keyed by it, so each row is one index entry: the
 * candidates of a resource id in a time range are one key range, and a per-event probe by id is
 * one key lookup `(resource_id, occurred, event_seq)`. Labels stay in the event's JSON columns.
 */
export interface EventLinksTable {
  resource_id: string;
  /** Copied from the event: time-bounded lookups stay in the key, and probes know it from the event. */
  occurred: number;
  event_seq: number;
  /** `''` for the primary resource. */
  role: string;
}

/** Idempotency keys of remote writes (`result`: JSON of what the first request returned). */
export interface RequestKeysTable {
  key: string;
  created_at: number;
  result: string | null;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  scope: string;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface DeploymentsTable {
  flow: string;
  file: string;
  bundle_sha: string;
  code_sha: string;
  params: string;
  triggers: string;
  production_token: string;
  status: string;
  created_at: number;
  updated_at: number;
  last_problem: string | null;
  next_scheduled_at: number | null;
}

export interface DeploymentArrivalsTable {
  flow: string;
  dependency: string;
  event_id: string;
  occurred: number;
}

export interface DeploymentFiringsTable {
  id: string;
  flow: string;
  causes: string;
  status: string;
  run_id: number | null;
  created_at: number;
  message: string | null;
}

export interface EngineStateTable {
  name: string;
  position: number;
  lease_owner: string | null;
  lease_until: number;
  /** JSON `OrderingState` of the automations' engine; null before its first commit. */
  ordering: string | null;
}

export interface AutomationsTable {
  id: string;
  name: string;
  /** 0/1. */
  enabled: number;
  /** `ownerResource`, or null. */
  owner: string | null;
  /** JSON list of tags. */
  tags: string;
  /** JSON of the rest of the automation: description, trigger and the three action lists. */
  definition: string;
  created_at: number;
  updated_at: number;
  last_fired_at: number | null;
  /** JSON `TriggerState`; null until the engine stores one (new, replaced, re-enabled). */
  state: string | null;
}

/** What an automation is looked up by: `tag` (its tags) and `related` (`relatedResources`). */
export interface AutomationLinksTable {
  kind: 'tag' | 'related';
  value: string;
  automation_id: string;
}

export interface AutomationFiringsTable {
  id: string;
  automation_id: string;
  triggered_at: number;
  /** JSON `Firing`. */
  firing: string;
  /** JSON list of event ids. */
  event_ids: string;
}

export interface AutomationActionsTable {
  id: string;
  firing_id: string;
  automation_id: string;
  list: string;
  action_index: number;
  /** JSON `AutomationAction`. */
  action: string;
  status: string;
  attempts: number;
  message: string | null;
  target: string | null;
  created_at: number;
  finished_at: number | null;
}

export interface SecretsTable {
  name: string;
  /** JSON object of strings. */
  value: string;
  updated_at: number;
}

export interface Database {
  automations: AutomationsTable;
  automation_links: AutomationLinksTable;
  automation_firings: AutomationFiringsTable;
  automation_actions: AutomationActionsTable;
  secrets: SecretsTable;
  deployments: DeploymentsTable;
  deployment_arrivals: DeploymentArrivalsTable;
  deployment_firings: DeploymentFiringsTable;
  engine_state: EngineStateTable;
  request_keys: RequestKeysTable;
  api_keys: ApiKeysTable;
  flows: FlowsTable;
  runs: RunsTable;
  run_tags: RunTagsTable;
  run_causes: RunCausesTable;
  steps: StepsTable;
  tasks: TasksTable;
  attempts: AttemptsTable;
  artifacts: ArtifactsTable;
  log_lines: LogLinesTable;
  events: EventsTable;
  event_links: EventLinksTable;
}
