/** Messages between the orchestrator and its worker processes (over Node IPC). */
import type { ExceptionRecord } from '../core/errors.ts';
import type { EnvironmentInfo, LogStream, TriggerCause } from '../store/metadata-store.ts';

/** Where an artifact's bytes are and how to decode them. */
export interface ArtifactRef {
  sha: string;
  codec: string;
  size: number;
}

export type ArtifactRefs = Record<string, ArtifactRef>;

/** One incoming task of the task to run. */
export interface TaskInput {
  step: string;
  taskId: number;
  /** Foreach index of that task, if inside a foreach. */
  index: number | undefined;
  artifacts: ArtifactRefs;
}

/** A foreach level enclosing the task, with the collection to pick `input` from. */
export interface ForeachFrameRef {
  step: string;
  artifact: string;
  index: number;
  numSplits: number;
  collection: ArtifactRef;
}

/** What every task of a run shares: sent to a worker once, with the flow to load. */
export interface RunContext {
  runId: number;
  flowName: string;
  runNumber: number;
  user: string;
  namespace: string;
  tags: string[];
  originRunNumber: number | null;
  /** What started the run (for `current.trigger`). */
  trigger: TriggerCause[];
  params: ArtifactRefs;
  maxNumSplits: number;
}

/** What one task adds to its run's context (the per-task IPC message stays small). */
export interface TaskWork {
  step: string;
  taskId: number;
  attempt: number;
  /** Parents' artifacts. A join gets one entry per input, in order; other steps inherit from the single parent. */
  inputs: TaskInput[];
  foreachStack: ForeachFrameRef[];
}

/** A task as step code sees it: its run's context and its own part. */
export type TaskAssignment = RunContext & TaskWork;

/** The flow a worker loads, and the run it works for. */
export interface WorkerLoad {
  flowBundle: string;
  flowName: string;
  /** The artifact store: a directory or `s3://bucket/prefix`. */
  artifactRoot: string;
  context: RunContext;
}

export type ToWorker =
  /** The first message: a worker can start before the flow is compiled. */
  | ({ type: 'load' } & WorkerLoad)
  /** Sent before `load` once the flow is compiled: import the bundle while the run is created. */
  | { type: 'preload'; flowBundle: string }
  | { type: 'run'; task: TaskWork }
  | { type: 'exit' }
  /** The orchestrator committed (or failed to commit) an event the worker emitted. */
  | { type: 'emit-ack'; requestId: number; error?: string };

/** An event crossing IPC: dates as ISO strings. */
export interface WireEvent {
  id: string;
  occurred: string;
  event: string;
  resource: Record<string, string>;
  related: Record<string, string>[];
  payload: Record<string, unknown>;
  follows: string | null;
  received: string;
}

export interface TaskOutcome {
  taskId: number;
  attempt: number;
  ok: boolean;
  /** Artifacts the attempt stored (also on failure: what it had set). */
  artifacts: Record<string, ArtifactRef>;
  /** For a foreach step that succeeded: the number of splits. */
  foreachCount?: number;
  exception?: ExceptionRecord;
  /** The failure must not be retried (NonRetriableError, graph errors, unstorable artifacts). */
  nonRetriable?: boolean;
}

export type FromWorker =
  | { type: 'ready'; envInfo: EnvironmentInfo }
  /** Text written by JavaScript in the worker (console.log, process.stdout.write), stamped when written. */
  | { type: 'output'; stream: LogStream; text: string; ts: number }
  | { type: 'load-failed'; exception: ExceptionRecord }
  /** `emitEvent` inside a step: store this event (with the state writes) and acknowledge. */
  | { type: 'emit'; requestId: number; event: WireEvent }
  | ({ type: 'done' } & TaskOutcome);

/** Written by a worker to stdout and stderr after each task, so the orchestrator knows a task's output is complete. */
export const END_OF_TASK_MARK = '\u001eFLOWTRAIL-END\u001e';
