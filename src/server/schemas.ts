/**
 * zod schemas of the HTTP API: they validate requests and, through `openapi.ts`, describe every
 * route in the OpenAPI document. Records mirror the store ports' types (`store/*.ts`).
 * Over 400 lines because it is one concept: the wire shapes of the ports' records, side by side so
 * one record's schema is written once and reused by every route group.
 */
import { z } from 'zod';
import { parseIsoDateTime } from '../core/date-time.ts';

// ---------------------------------------------------------------------------------------------
// Building blocks

const int = () => z.number().int();
const nonNegativeInt = () => z.number().int().nonnegative();
/** A non-negative integer given in a path or query string. */
export const intParam = () => z.coerce.number().int().nonnegative();
/** A query parameter that may repeat (`?tag=a&tag=b`): always a list. */
export const listParam = () =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]));
const json = z.record(z.string(), z.unknown());

export const exceptionRecord = z
  .object({ type: z.string(), message: z.string(), stack: z.string(), code: z.string().optional() })
  .meta({ id: 'ExceptionRecord' });

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable error code; see docs/errors.md.' }),
      message: z.string(),
      details: json,
    }),
  })
  .meta({ id: 'Error' });

// ---------------------------------------------------------------------------------------------
// Metadata records

export const runStatus = z.enum(['running', 'completed', 'failed', 'crashed', 'cancelled']);
export const taskStatus = z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']);
const attemptStatus = z.enum([
  'running',
  'completed',
  'failed',
  'timeout',
  'killed',
  'lost',
  'cloned',
  'cancelled',
]);
export const logStream = z.enum(['stdout', 'stderr']);

export const flowRecord = z
  .object({ name: z.string(), createdAt: int(), lastRunNumber: int() })
  .meta({ id: 'Flow' });

export const triggerCause = z
  .object({
    type: z.enum(['event', 'run', 'automation']),
    name: z.string(),
    id: z.string(),
    timestamp: int(),
    pathspec: z.string().nullable(),
    firing: z.string().optional(),
  })
  .strict()
  .meta({ id: 'TriggerCause' });

export const newRun = z
  .object({
    flow: z.string().min(1),
    user: z.string(),
    tags: z.array(z.string()),
    systemTags: z.array(z.string()),
    params: json,
    flowFile: z.string().nullable(),
    codeSha: z.string().nullable(),
    originRunNumber: int().nullable(),
    createdAt: int(),
    orchestratorPid: int().nullable(),
    orchestratorHost: z.string().nullable(),
    trigger: z.array(triggerCause).optional(),
  })
  .strict()
  .meta({ id: 'NewRun' });

export const cancelRequest = z
  .object({
    at: int().meta({ description: 'When it was requested (ms since the epoch).' }),
    by: z.string().meta({ description: 'Who asked: a user name, or `key:<id>` for an API key.' }),
    reason: z.string().nullable(),
  })
  .strict()
  .meta({ id: 'CancelRequest' });

export const runRecord = newRun
  .omit({})
  .extend({
    id: int(),
    runNumber: int(),
    status: runStatus,
    finishedAt: int().nullable(),
    heartbeatAt: int().nullable(),
    error: exceptionRecord.nullable(),
    trigger: z.array(triggerCause),
    cancelRequest: cancelRequest
      .nullable()
      .meta({ description: 'The request to cancel the run, once made (kept after it ended).' }),
  })
  .meta({ id: 'Run' });

export const stepRecord = z
  .object({ runId: int(), name: z.string(), createdAt: int(), finishedAt: int().nullable() })
  .strict()
  .meta({ id: 'Step' });

export const taskRecord = z
  .object({
    runId: int(),
    taskId: int(),
    step: z.string(),
    status: taskStatus,
    successful: z.boolean().nullable(),
    foreachPath: z.array(nonNegativeInt()),
    foreachCount: int().nullable(),
    parentIds: z.array(int()),
    attempts: nonNegativeInt(),
    finalAttempt: int().nullable(),
    createdAt: int(),
    startedAt: int().nullable(),
    finishedAt: int().nullable(),
    originPathspec: z.string().nullable(),
  })
  .strict()
  .meta({ id: 'Task' });

export const attemptRecord = z
  .object({
    runId: int(),
    taskId: int(),
    attempt: nonNegativeInt(),
    status: attemptStatus,
    startedAt: int(),
    finishedAt: int().nullable(),
    exception: exceptionRecord.nullable(),
    envInfo: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
  })
  .strict()
  .meta({ id: 'Attempt' });

export const artifactRecord = z
  .object({
    runId: int(),
    taskId: int(),
    attempt: nonNegativeInt(),
    name: z.string(),
    sha: z.string(),
    codec: z.string(),
    size: nonNegativeInt(),
    createdAt: int(),
  })
  .strict()
  .meta({ id: 'Artifact' });

export const logLine = z
  .object({
    runId: int(),
    taskId: int(),
    attempt: nonNegativeInt(),
    seq: nonNegativeInt(),
    stream: logStream,
    ts: int(),
    line: z.string(),
  })
  .strict()
  .meta({ id: 'LogLine' });

export const storedBlob = z
  .object({ sha: z.string(), size: nonNegativeInt(), existed: z.boolean() })
  .meta({ id: 'StoredBlob' });

// ---------------------------------------------------------------------------------------------
// Events

/** An event as a client sends it; `events/validate-event.ts` checks it fully (limits, ids, names). */
export const eventInput = z
  .object({
    event: z.string(),
    resource: z.record(z.string(), z.string()),
    related: z.array(z.record(z.string(), z.string())).optional(),
    payload: json.optional(),
    occurred: z.string().optional().meta({ description: 'ISO 8601 time; default: now.' }),
    id: z.string().optional().meta({ description: 'UUID; the dedupe key. Default: a new UUIDv7.' }),
    follows: z.string().nullable().optional(),
    received: z.string().optional().meta({ description: 'Ignored: the server stamps it.' }),
  })
  .meta({ id: 'EventInput' });

export const storedEvent = z
  .object({
    id: z.string(),
    occurred: z.string(),
    event: z.string(),
    resource: z.record(z.string(), z.string()),
    related: z.array(z.record(z.string(), z.string())),
    payload: json,
    follows: z.string().nullable(),
    received: z.string(),
  })
  .meta({ id: 'Event' });

const labelSpec = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
const resourceFilter = z
  .object({
    id: z.array(z.string()).optional(),
    idPrefix: z.array(z.string()).optional(),
    labels: labelSpec.optional(),
  })
  .strict();
const relatedFilter = z
  .object({
    id: z.array(z.string()).optional(),
    role: z.array(z.string()).optional(),
    resourcesInRoles: z.array(z.tuple([z.string(), z.string()])).optional(),
    labels: labelSpec.optional(),
  })
  .strict();

/** The shape of an `EventFilter` (see `events/filter.ts`); `validateFilter` checks the rest. */
export const eventFilter = z
  .object({
    since: z.string().optional(),
    until: z.string().optional(),
    event: z
      .object({
        name: z.array(z.string()).optional(),
        prefix: z.array(z.string()).optional(),
        excludeName: z.array(z.string()).optional(),
        excludePrefix: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    resource: resourceFilter.optional(),
    related: z.union([relatedFilter, z.array(relatedFilter)]).optional(),
    anyResource: z.union([resourceFilter, z.array(resourceFilter)]).optional(),
    id: z.array(z.string()).optional(),
    follows: z
      .array(z.string())
      .optional()
      .meta({ description: 'Events whose `follows` is one of these ids.' }),
    text: z.string().optional(),
    order: z.enum(['asc', 'desc']).optional(),
  })
  .strict()
  .meta({ id: 'EventFilter' });

export const eventPage = z
  .object({ events: z.array(storedEvent), nextCursor: z.string().nullable() })
  .meta({ id: 'EventPage' });

export const eventCount = z
  .object({
    value: z.string(),
    label: z.string(),
    count: nonNegativeInt(),
    startTime: z.string(),
    endTime: z.string(),
  })
  .meta({ id: 'EventCount' });

// ---------------------------------------------------------------------------------------------
// Metadata writes (the runtime's batches)

const runPatch = runRecord
  .pick({ status: true, finishedAt: true, heartbeatAt: true, error: true, codeSha: true })
  .partial();
const taskPatch = taskRecord
  .pick({
    status: true,
    successful: true,
    foreachCount: true,
    attempts: true,
    finalAttempt: true,
    startedAt: true,
    finishedAt: true,
  })
  .partial();

export const metadataWrite = z.discriminatedUnion('op', [
  z.object({ op: z.literal('run.update'), runId: int(), patch: runPatch }),
  z.object({ op: z.literal('step.upsert'), step: stepRecord }),
  z.object({ op: z.literal('task.create'), task: taskRecord }),
  z.object({ op: z.literal('task.update'), runId: int(), taskId: int(), patch: taskPatch }),
  z.object({ op: z.literal('attempt.start'), attempt: attemptRecord }),
  z.object({
    op: z.literal('attempt.finish'),
    runId: int(),
    taskId: int(),
    attempt: nonNegativeInt(),
    status: attemptStatus,
    finishedAt: int(),
    exception: exceptionRecord.nullable(),
  }),
  z.object({ op: z.literal('artifacts.add'), artifacts: z.array(artifactRecord) }),
  z.object({ op: z.literal('logs.append'), lines: z.array(logLine) }),
  z.object({ op: z.literal('events.append'), events: z.array(eventInput) }),
]);

// ---------------------------------------------------------------------------------------------
// Deployments

export const triggerSpec = z
  .object({
    events: z.array(
      z.object({ name: z.string().min(1), parameters: z.record(z.string(), z.string()) }).strict(),
    ),
    flows: z.array(z.string().min(1)),
    resetWindowMs: z.number().int().positive(),
    schedule: z.object({ cron: z.string(), timezone: z.string() }).strict().nullable(),
  })
  .strict()
  .meta({ id: 'TriggerSpec' });

export const deploymentRecord = z
  .object({
    flow: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a flow class name'),
    file: z.string(),
    bundleSha: z.string().regex(/^[0-9a-f]{64}$/),
    codeSha: z.string().regex(/^[0-9a-f]{64}$/),
    params: z.record(z.string(), z.unknown()),
    triggers: triggerSpec,
    productionToken: z.string().min(1),
    status: z.enum(['active', 'paused']),
    createdAt: int(),
    updatedAt: int(),
    lastProblem: z.object({ at: int(), message: z.string(), eventId: z.string().nullable() }).nullable(),
    nextScheduledAt: int().nullable(),
  })
  .strict()
  .meta({ id: 'Deployment' });

export const deploymentParameter = z
  .object({
    name: z.string().meta({ description: 'The property name on the flow class.' }),
    cliName: z.string(),
    type: z.enum(['string', 'number', 'boolean', 'json']),
    required: z.boolean(),
    help: z.string().nullable(),
    default: z.unknown().optional().meta({ description: 'Absent when the flow declares none.' }),
    value: z
      .unknown()
      .optional()
      .meta({ description: 'The deploy-time value (overrides the default); absent when none was given.' }),
  })
  .meta({ id: 'DeploymentParameter' });

export const arrivedDependency = z
  .object({ flow: z.string(), dependency: z.string(), eventId: z.string(), occurred: int() })
  .meta({ id: 'ArrivedDependency' });

export const firingRecord = z
  .object({
    id: z.string(),
    flow: z.string(),
    causes: z.array(triggerCause),
    status: z.enum(['pending', 'started', 'failed']),
    runId: int().nullable(),
    createdAt: int(),
    message: z.string().nullable(),
  })
  .meta({ id: 'Firing' });

// ---------------------------------------------------------------------------------------------
// The runs list and the runs × steps history of a flow (web UI `/flows/$flow`, `/flows/$flow/history`)

/** An ISO 8601 date-time in a query string (no offset means UTC), as ms since the epoch. */
export const timeParam = () =>
  z
    .string()
    .transform((text, ctx) => {
      const instant = parseIsoDateTime(text);
      if (instant) return instant.getTime();
      ctx.issues.push({
        code: 'custom',
        input: text,
        message: `${JSON.stringify(text.slice(0, 60))} is not an ISO 8601 date-time; use e.g. 2024-05-01T12:00:00Z (no offset means UTC).`,
      });
      return z.NEVER;
    })
    .optional();

export const stepSummary = z
  .object({
    runId: int(),
    step: z.string(),
    tasks: nonNegativeInt(),
    counts: z.partialRecord(taskStatus, nonNegativeInt()),
    caught: nonNegativeInt(),
    startedAt: int().nullable(),
    finishedAt: int().nullable(),
  })
  .strict()
  .meta({ id: 'StepSummary' });
