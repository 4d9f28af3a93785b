/**
 * The client API's public data types: the flow type that picks artifact types, and the plain
 * records client objects hand out (a run's code, a task's attempts and log lines).
 */
import type { ExceptionRecord } from '../core/errors.ts';
import type { ArtifactsOf, FlowSpec } from '../flow/flow-spec.ts';
import type { AttemptStatus, EnvironmentInfo, LogStream } from '../store/metadata-store.ts';

/** A flow class or its instance type; picks the artifact types for `data`. */
export type FlowType = FlowSpec | (abstract new (...args: never[]) => FlowSpec) | Record<string, unknown>;
type InstanceOf<F> = F extends abstract new (...args: never[]) => infer I ? I : F;
/** The artifacts of a flow type, or any names when no flow type is given. */
export type DataOf<F> = InstanceOf<F> extends FlowSpec ? ArtifactsOf<InstanceOf<F>> : Record<string, unknown>;

/** The code a run executed: the flow file and its local imports. */
export interface RunCode {
  /** The flow file's path, relative to the package root. */
  entry: string;
  /** Source text by relative path. */
  files: Record<string, string>;
  /** The flow file's source. */
  flowSource: string;
}

/** One attempt of a task. */
export interface TaskAttempt {
  attempt: number;
  status: AttemptStatus;
  startedAt: Date;
  finishedAt: Date | null;
  exception: ExceptionRecord | null;
  environmentInfo: EnvironmentInfo | null;
}

/** A timestamped log line. */
export interface LogLineView {
  timestamp: Date;
  stream: LogStream;
  line: string;
  /** Position within the attempt, across both streams (for following a live log). */
  seq: number;
}
