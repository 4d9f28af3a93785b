/**
 * The one error hierarchy of Flowtrail. Every error carries a stable `code` from {@link ErrorCodes};
 * messages name the object at fault and say what to do.
 */

/** Stable error codes, one table for the whole project (the HTTP layer maps them to statuses). */
export const ErrorCodes = {
  INVALID_GRAPH: 'Flow graph is invalid; fix the step declarations.',
  INVALID_TRIGGER: 'A @trigger, @triggerOnFinish or @schedule declaration is invalid; fix the decorator.',
  INVALID_FOREACH: 'A foreach step produced an unusable collection.',
  INVALID_PARAMETER: 'A flow parameter is missing or has the wrong type.',
  INVALID_PATHSPEC: 'A pathspec is malformed.',
  NOT_FOUND: 'The named object does not exist.',
  NAMESPACE_MISMATCH: 'The object exists but outside the current namespace.',
  VALIDATION: 'Input failed validation.',
  ARTIFACT_ENCODE: 'An artifact value cannot be stored.',
  ARTIFACT_MISSING: 'An artifact blob is missing from the artifact store.',
  MERGE_CONFLICT: 'mergeArtifacts found conflicting or missing values.',
  FLOW_LOAD: 'A flow file could not be loaded.',
  STEP_TIMEOUT: 'A step attempt exceeded its timeout.',
  WORKER_DIED: 'The worker process running a task died.',
  TASK_FAILED: 'A task failed.',
  RUN_FAILED: 'A run failed.',
  CONFLICT: 'The operation conflicts with the current state.',
  STORE: 'The store could not complete the operation.',
  USAGE: 'A command was called incorrectly.',
  MALFORMED_REQUEST: 'An HTTP request body or parameter could not be read (e.g. invalid JSON).',
  UNAUTHENTICATED: 'The request carries no API key, or one the service does not know.',
  FORBIDDEN: "The API key's scope does not allow this operation.",
  PAYLOAD_TOO_LARGE: 'The request body is larger than the service accepts.',
  UNAVAILABLE: 'The service or its store cannot be reached right now; retry later.',
  INTERNAL: 'An unexpected error inside the service; its log has the details.',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface FlowtrailErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** Base class of every error Flowtrail throws on purpose. */
export class FlowtrailError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: FlowtrailErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    this.name = new.target.name;
  }

  /** Plain JSON form, used by the CLI's `--json` and by the HTTP layer. */
  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** The static graph of a flow is wrong; `step` names the step at fault. */
export class InvalidGraphError extends FlowtrailError {
  readonly step: string | undefined;
  constructor(message: string, step?: string, details: Record<string, unknown> = {}) {
    super('INVALID_GRAPH', message, { details: { ...details, step } });
    this.step = step;
  }
}

/** Which decorator a {@link TriggerDeclarationError} is about. */
export type TriggerDecorator = '@trigger' | '@triggerOnFinish' | '@schedule';

/**
 * A flow's `@trigger`, `@triggerOnFinish` or `@schedule` declaration is wrong; `decorator` names the
 * decorator, the message the flow and the value at fault.
 *
 * @example
 * try { await import('./flows/nightly.ts'); }
 * catch (e) { if (e instanceof TriggerDeclarationError) console.error(e.decorator, e.message); }
 */
export class TriggerDeclarationError extends FlowtrailError {
  readonly decorator: TriggerDecorator;
  constructor(
    decorator: TriggerDecorator,
    message: string,
    details: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super('INVALID_TRIGGER', message, { cause, details: { ...details, decorator } });
    this.decorator = decorator;
  }
}

/** A foreach step's collection is missing, not iterable, empty, or too large. */
export class InvalidForeachError extends FlowtrailError {
  readonly step: string;
  constructor(message: string, step: string, details: Record<string, unknown> = {}) {
    super('INVALID_FOREACH', message, { details: { ...details, step } });
    this.step = step;
  }
}

/** Input failed validation; `field` is the path of the offending field. */
export class ValidationError extends FlowtrailError {
  readonly field: string;
  constructor(field: string, message: string, details: Record<string, unknown> = {}) {
    super('VALIDATION', message, { details: { ...details, field } });
    this.field = field;
  }
}

/** A flow parameter is missing, unknown, or of the wrong type. */
export class ParameterError extends FlowtrailError {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super('INVALID_PARAMETER', message, { details: { parameter } });
    this.parameter = parameter;
  }
}

export class InvalidPathspecError extends FlowtrailError {
  constructor(pathspec: string, message: string) {
    super('INVALID_PATHSPEC', message, { details: { pathspec } });
  }
}

export class NotFoundError extends FlowtrailError {
  constructor(what: string, message: string) {
    super('NOT_FOUND', message, { details: { what } });
  }
}

export class NamespaceMismatchError extends FlowtrailError {
  /** `objectNamespace`: the namespace the object is in (a run's `production:` or `user:` tag). */
  constructor(pathspec: string, namespace: string, objectNamespace?: string) {
    super(
      'NAMESPACE_MISMATCH',
      `Object ${pathspec} is not in the current namespace '${namespace}'${objectNamespace ? `; it is in namespace '${objectNamespace}' (namespace('${objectNamespace}') shows it)` : ''}. Call namespace(null) to see every namespace.`,
      { details: { pathspec, namespace, ...(objectNamespace ? { objectNamespace } : {}) } },
    );
  }
}

export class ConflictError extends FlowtrailError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('CONFLICT', message, { details });
  }
}

/** A value assigned to `this` in a step cannot be encoded; names the artifact. */
export class ArtifactEncodeError extends FlowtrailError {
  readonly artifact: string;
  constructor(artifact: string, reason: string, cause?: unknown) {
    super(
      'ARTIFACT_ENCODE',
      `Artifact '${artifact}' cannot be stored: ${reason}. Store plain data (objects, arrays, Map, Set, Date, BigInt, typed arrays, Buffers) or remove it from 'this' before the step ends.`,
      { cause, details: { artifact } },
    );
    this.artifact = artifact;
  }
}

export class ArtifactMissingError extends FlowtrailError {
  constructor(sha: string, where: string) {
    super(
      'ARTIFACT_MISSING',
      `Artifact blob ${sha} is missing from ${where}. The artifact store may have been cleaned.`,
      {
        details: { sha },
      },
    );
  }
}

/** `mergeArtifacts` found branches that disagree, or an `include` name no branch has. */
export class MergeConflictError extends FlowtrailError {
  constructor(message: string, details: Record<string, unknown>) {
    super('MERGE_CONFLICT', message, { details });
  }
}

export class FlowLoadError extends FlowtrailError {
  constructor(file: string, message: string, cause?: unknown) {
    super('FLOW_LOAD', message, { cause, details: { file } });
  }
}

export class UsageError extends FlowtrailError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A request to the service could not be authenticated (no key, unknown key, revoked key). */
export class UnauthenticatedError extends FlowtrailError {
  constructor(message: string) {
    super('UNAUTHENTICATED', message);
  }
}

/** The API key is valid but its scope does not cover the operation. */
export class ForbiddenError extends FlowtrailError {
  constructor(message: string, details: { required: string; scope: string }) {
    super('FORBIDDEN', message, { details });
  }
}

/** The service (or the store behind it) did not answer; the caller may retry. */
export class UnavailableError extends FlowtrailError {
  constructor(message: string, cause?: unknown) {
    super('UNAVAILABLE', message, { cause });
  }
}

export class StoreError extends FlowtrailError {
  constructor(message: string, cause?: unknown) {
    super('STORE', message, { cause });
  }
}

/**
 * Thrown from a step to fail the task at once, skipping any remaining retries
 * (the step's `catchError` still applies).
 */
export class NonRetriableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetriableError';
  }
}

/** The plain record of an exception as stored on a task attempt. */
export interface ExceptionRecord {
  type: string;
  message: string;
  stack: string;
  code?: string;
}

/** Turns anything thrown into a storable {@link ExceptionRecord}. */
export function toExceptionRecord(error: unknown): ExceptionRecord {
  if (error instanceof Error) {
    const record: ExceptionRecord = {
      type: error.name || error.constructor.name,
      message: error.message,
      stack: error.stack ?? '',
    };
    if (error instanceof FlowtrailError) record.code = error.code;
    return record;
  }
  return { type: typeof error, message: String(error), stack: '' };
}

const ERROR_CLASSES: Partial<Record<ErrorCode, { prototype: FlowtrailError }>> = {
  INVALID_GRAPH: InvalidGraphError,
  INVALID_TRIGGER: TriggerDeclarationError,
  INVALID_FOREACH: InvalidForeachError,
  VALIDATION: ValidationError,
  INVALID_PARAMETER: ParameterError,
  INVALID_PATHSPEC: InvalidPathspecError,
  NOT_FOUND: NotFoundError,
  NAMESPACE_MISMATCH: NamespaceMismatchError,
  CONFLICT: ConflictError,
  ARTIFACT_ENCODE: ArtifactEncodeError,
  ARTIFACT_MISSING: ArtifactMissingError,
  MERGE_CONFLICT: MergeConflictError,
  FLOW_LOAD: FlowLoadError,
  USAGE: UsageError,
  UNAUTHENTICATED: UnauthenticatedError,
  FORBIDDEN: ForbiddenError,
  UNAVAILABLE: UnavailableError,
  STORE: StoreError,
};

/**
 * Rebuilds an error from its JSON form ({@link FlowtrailError.toJSON}), as the service sends it:
 * the same class (so `instanceof NotFoundError` holds across the wire), code, message and details.
 * An unknown code becomes a plain `FlowtrailError` with code `INTERNAL`.
 */
export function errorFromJSON(json: {
  code?: unknown;
  message?: unknown;
  details?: unknown;
}): FlowtrailError {
  const code = (
    typeof json.code === 'string' && json.code in ErrorCodes ? json.code : 'INTERNAL'
  ) as ErrorCode;
  const message = typeof json.message === 'string' ? json.message : ErrorCodes[code];
  const details =
    json.details !== null && typeof json.details === 'object'
      ? (json.details as Record<string, unknown>)
      : {};
  const error = new FlowtrailError(code, message, { details });
  const cls = ERROR_CLASSES[code];
  if (cls) {
    Object.setPrototypeOf(error, cls.prototype);
    error.name = (cls as unknown as { name: string }).name;
    // Subclasses expose some details as fields too.
    for (const field of ['field', 'parameter', 'step', 'artifact', 'decorator'] as const)
      if (field in details) (error as unknown as Record<string, unknown>)[field] = details[field];
  }
  return error;
}
