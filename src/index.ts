/**
 * Flowtrail's public entry point: authoring flows, running them, and the error types.
 */
export { current, type CurrentTask } from './flow/current.ts';
export { catchError, param, retry, step, timeout, type StepOptions } from './flow/decorators.ts';
export type { CatchOptions, RetryOptions, TimeoutOptions } from './flow/declarations.ts';
export { FlowSpec, type ArtifactsOf, type ForeachFrame, type InputOf, type Inputs, type MergeOptions } from './flow/flow-spec.ts';
export { buildGraph, type FlowGraph, type GraphNode, type StepKind } from './flow/graph.ts';
export {
  ArtifactEncodeError,
  ConflictError,
  ErrorCodes,
  type ErrorCode,
  type ExceptionRecord,
  FlowLoadError,
  FlowtrailError,
  InvalidForeachError,
  InvalidGraphError,
  InvalidPathspecError,
  MergeConflictError,
  NamespaceMismatchError,
  NonRetriableError,
  NotFoundError,
  ParameterError,
  ValidationError,
} from './core/errors.ts';
