/**
 * The CLI's exit codes, in one table: 0 success, 1 a failed run or an operation that could not be
 * done, 2 invalid input (a bad flag, pathspec, parameter, flow file or declaration), 3 a run that
 * was cancelled (`flowtrail run` / `resume`). Every command ends through {@link exitCodeOf}; the
 * table names every error code, so a new code must pick one.
 */
import { CommanderError } from 'commander';
import { type ErrorCode, FlowtrailError } from '../core/errors.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INVALID_INPUT = 2;
/** `flowtrail run` / `resume` of a run that was cancelled (`flowtrail cancel`) before it ended. */
export const EXIT_CANCELLED = 3;

const EXIT_CODES: Record<ErrorCode, typeof EXIT_FAILED | typeof EXIT_INVALID_INPUT> = {
  USAGE: EXIT_INVALID_INPUT,
  VALIDATION: EXIT_INVALID_INPUT,
  INVALID_PARAMETER: EXIT_INVALID_INPUT,
  INVALID_PATHSPEC: EXIT_INVALID_INPUT,
  INVALID_GRAPH: EXIT_INVALID_INPUT,
  INVALID_TRIGGER: EXIT_INVALID_INPUT,
  FLOW_LOAD: EXIT_INVALID_INPUT,
  MALFORMED_REQUEST: EXIT_INVALID_INPUT,
  INVALID_FOREACH: EXIT_FAILED,
  NOT_FOUND: EXIT_FAILED,
  NAMESPACE_MISMATCH: EXIT_FAILED,
  ARTIFACT_ENCODE: EXIT_FAILED,
  ARTIFACT_MISSING: EXIT_FAILED,
  MERGE_CONFLICT: EXIT_FAILED,
  STEP_TIMEOUT: EXIT_FAILED,
  WORKER_DIED: EXIT_FAILED,
  TASK_FAILED: EXIT_FAILED,
  RUN_FAILED: EXIT_FAILED,
  CONFLICT: EXIT_FAILED,
  STORE: EXIT_FAILED,
  UNAUTHENTICATED: EXIT_FAILED,
  FORBIDDEN: EXIT_FAILED,
  PAYLOAD_TOO_LARGE: EXIT_FAILED,
  UNAVAILABLE: EXIT_FAILED,
  INTERNAL: EXIT_FAILED,
};

/** The exit code for an error that ended a command (commander's own usage errors included). */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_INVALID_INPUT;
  if (error instanceof FlowtrailError) return EXIT_CODES[error.code] ?? EXIT_FAILED;
  return EXIT_FAILED;
}
