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

export interface Database {
  flows: FlowsTable;
  runs: RunsTable;
  run_tags: RunTagsTable;
  steps: StepsTable;
  tasks: TasksTable;
  attempts: AttemptsTable;
  artifacts: ArtifactsTable;
  log_lines: LogLinesTable;
}
