/**
 * Rows ↔ records of the metadata tables, for every SQL dialect: each table's row is built from its
 * record here and read back here, so a column's encoding (JSON text, 0/1 flags, '.'-joined foreach
 * paths) is written once.
 */
import type { Selectable } from 'kysely';
import type { ExceptionRecord } from '../../core/errors.ts';
import type {
  ArtifactRecord,
  AttemptRecord,
  AttemptStatus,
  CancelRequest,
  EnvironmentInfo,
  FlowRecord,
  LogLine,
  LogStream,
  RunRecord,
  RunStatus,
  StepRecord,
  TaskRecord,
  TaskStatus,
  TriggerCause,
} from '../metadata-store.ts';
import type {
  ArtifactsTable,
  AttemptsTable,
  FlowsTable,
  LogLinesTable,
  RunsTable,
  RunTagsTable,
  StepsTable,
  TasksTable,
} from './schema.ts';

export const json = (v: unknown): string => JSON.stringify(v);
/** JSON text of a value that may be null (a null column). */
export const jsonOrNull = (v: unknown): string | null => (v === null ? null : JSON.stringify(v));
const parseJson = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
const numberOrNull = (v: number | null): number | null => (v === null ? null : Number(v));
/** A boolean as a 0/1 column. */
export const flag = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);
const bool = (v: number | null): boolean | null => (v === null ? null : v !== 0);

// Stay below SQLite's bound-variable limit in multi-row statements (a power of two, see below).
const ROWS_PER_STATEMENT = 256;

/** Below this many rows a part is one statement of its exact size. */
const EXACT_ROWS_BELOW = 16;

/**
 * `rows` in parts small enough for one multi-row statement: powers of two from 256 down to 16
 * (largest first), then what is left (fewer than 16) as one part. A statement is prepared per
 * distinct row count, so parts of every size would prepare (and cache) hundreds of large
 * statements in a 10,000-task run, tens of MB of native memory; this way there are at most 20
 * per table, and a small batch is still one statement.
 */
export function inChunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  let i = 0;
  for (let size = ROWS_PER_STATEMENT; size >= EXACT_ROWS_BELOW; size >>= 1)
    for (; rows.length - i >= size; i += size) out.push(rows.slice(i, i + size));
  if (i < rows.length) out.push(rows.slice(i));
  return out;
}

/** Ids for `IN (…)` reads, 400 a query (reads are not prepared per size the way inserts are). */
const IDS_PER_QUERY = 400;

export function inIdSlices<T>(ids: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) out.push(ids.slice(i, i + IDS_PER_QUERY));
  return out;
}

export function flowFromRow(r: FlowsTable): FlowRecord {
  return { name: r.name, createdAt: Number(r.created_at), lastRunNumber: Number(r.last_run_number) };
}

export function runFromRow(r: Selectable<RunsTable>): RunRecord {
  return {
    id: Number(r.id),
    flow: r.flow_name,
    runNumber: Number(r.run_number),
    status: r.status as RunStatus,
    user: r.user_name,
    tags: JSON.parse(r.tags) as string[],
    systemTags: JSON.parse(r.system_tags) as string[],
    params: JSON.parse(r.params) as Record<string, unknown>,
    flowFile: r.flow_file,
    codeSha: r.code_sha,
    originRunNumber: numberOrNull(r.origin_run_number),
    createdAt: Number(r.created_at),
    finishedAt: numberOrNull(r.finished_at),
    heartbeatAt: numberOrNull(r.heartbeat_at),
    orchestratorPid: r.orchestrator_pid,
    orchestratorHost: r.orchestrator_host,
    error: parseJson<ExceptionRecord>(r.error),
    trigger: JSON.parse(r.trigger) as TriggerCause[],
    cancelRequest: parseJson<CancelRequest>(r.cancel_request),
  };
}

/**
 * The references a run's trigger can be found by (`run_causes`): every event id, upstream run
 * pathspecs, and for an automation its id and the firing's.
 */
export function causeRefs(trigger: readonly TriggerCause[]): string[] {
  const refs = new Set<string>();
  for (const cause of trigger) {
    refs.add(cause.id);
    if (cause.pathspec) refs.add(cause.pathspec);
    if (cause.firing) refs.add(cause.firing);
  }
  return [...refs];
}

/** `run_tags` rows for a run's tags; a tag that is both a user and a system tag gets one system row. */
export function tagRows(
  runId: number,
  tags: readonly string[],
  systemTags: readonly string[],
): RunTagsTable[] {
  const rows = new Map<string, number>();
  for (const tag of systemTags) rows.set(tag, 1);
  for (const tag of tags) if (!rows.has(tag)) rows.set(tag, 0);
  return [...rows].map(([tag, system]) => ({ run_id: runId, tag, system }));
}

export function stepFromRow(s: StepsTable): StepRecord {
  return {
    runId: Number(s.run_id),
    name: s.name,
    createdAt: Number(s.created_at),
    finishedAt: numberOrNull(s.finished_at),
  };
}

export function stepRow(s: StepRecord): StepsTable {
  return { run_id: s.runId, name: s.name, created_at: s.createdAt, finished_at: s.finishedAt };
}

export function taskFromRow(t: TasksTable): TaskRecord {
  return {
    runId: Number(t.run_id),
    taskId: Number(t.task_id),
    step: t.step_name,
    status: t.status as TaskStatus,
    successful: bool(t.successful),
    foreachPath: t.foreach_path === '' ? [] : t.foreach_path.split('.').map(Number),
    foreachCount: t.foreach_count,
    parentIds: JSON.parse(t.parent_ids) as number[],
    attempts: t.attempts,
    finalAttempt: t.final_attempt,
    createdAt: Number(t.created_at),
    startedAt: numberOrNull(t.started_at),
    finishedAt: numberOrNull(t.finished_at),
    originPathspec: t.origin_task,
  };
}

export function taskRow(t: TaskRecord): TasksTable {
  return {
    run_id: t.runId,
    task_id: t.taskId,
    step_name: t.step,
    status: t.status,
    successful: flag(t.successful),
    foreach_path: t.foreachPath.join('.'),
    foreach_count: t.foreachCount,
    parent_ids: json(t.parentIds),
    attempts: t.attempts,
    final_attempt: t.finalAttempt,
    created_at: t.createdAt,
    started_at: t.startedAt,
    finished_at: t.finishedAt,
    origin_task: t.originPathspec,
  };
}

export function attemptFromRow(a: AttemptsTable): AttemptRecord {
  return {
    runId: Number(a.run_id),
    taskId: Number(a.task_id),
    attempt: a.attempt,
    status: a.status as AttemptStatus,
    startedAt: Number(a.started_at),
    finishedAt: numberOrNull(a.finished_at),
    exception: parseJson<ExceptionRecord>(a.exception),
    envInfo: parseJson<EnvironmentInfo>(a.env_info),
  };
}

export function attemptRow(a: AttemptRecord): AttemptsTable {
  return {
    run_id: a.runId,
    task_id: a.taskId,
    attempt: a.attempt,
    status: a.status,
    started_at: a.startedAt,
    finished_at: a.finishedAt,
    exception: jsonOrNull(a.exception),
    env_info: jsonOrNull(a.envInfo),
  };
}

export function artifactFromRow(a: ArtifactsTable): ArtifactRecord {
  return {
    runId: Number(a.run_id),
    taskId: Number(a.task_id),
    attempt: a.attempt,
    name: a.name,
    sha: a.sha,
    codec: a.codec,
    size: Number(a.size),
    createdAt: Number(a.created_at),
  };
}

export function artifactRow(a: ArtifactRecord): ArtifactsTable {
  return {
    run_id: a.runId,
    task_id: a.taskId,
    attempt: a.attempt,
    name: a.name,
    sha: a.sha,
    codec: a.codec,
    size: a.size,
    created_at: a.createdAt,
  };
}

export function logLineFromRow(l: LogLinesTable): LogLine {
  return {
    runId: Number(l.run_id),
    taskId: Number(l.task_id),
    attempt: l.attempt,
    seq: l.seq,
    stream: l.stream as LogStream,
    ts: Number(l.ts),
    line: l.line,
  };
}

export function logLineRow(l: LogLine): LogLinesTable {
  return {
    run_id: l.runId,
    task_id: l.taskId,
    attempt: l.attempt,
    seq: l.seq,
    stream: l.stream,
    ts: l.ts,
    line: l.line,
  };
}
