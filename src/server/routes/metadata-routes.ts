/**
 * Metadata routes, mirroring the `MetadataStore` port: flows, runs, steps, tasks, attempts, artifact
 * records, logs and the batched write ops. Over 400 lines because it is one route table, one entry
 * per method of the port it mirrors.
 */
import { z } from 'zod';
import { runPathspec } from '../../core/pathspec.ts';
import type { MetadataWrite, RunQuery } from '../../store/metadata-store.ts';
import { type Route, route } from '../route.ts';
import {
  artifactRecord,
  attemptRecord,
  cancelRequest,
  eventInput,
  exceptionRecord,
  flowRecord,
  intParam,
  listParam,
  logLine,
  logStream,
  metadataWrite,
  newRun,
  runRecord,
  runStatus,
  stepRecord,
  stepSummary,
  taskRecord,
  taskStatus,
  timeParam,
} from '../schemas.ts';
import { eventsFromRequest } from './events-from-request.ts';
import { flowParams, IDEMPOTENCY_HEADER, notFound, runIdParams, taskParams } from './route-inputs.ts';

/** The filters and cursors of a flow's runs list (`listRuns`), as query parameters. */
const runQueryParams = z.object({
  limit: intParam().max(100_000).optional(),
  before: intParam().optional().meta({ description: 'Runs numbered below this (the next page).' }),
  after: intParam()
    .optional()
    .meta({ description: 'Runs numbered above this (the previous page); ignored with `before`.' }),
  status: runStatus.optional(),
  tag: listParam(),
  user: z.string().optional(),
  since: timeParam().meta({ description: 'Created at or after this ISO 8601 date-time.' }),
  until: timeParam().meta({ description: 'Created at or before this ISO 8601 date-time.' }),
});

function runQueryOf(query: z.output<typeof runQueryParams>): RunQuery {
  return {
    ...(query.limit !== undefined ? { limit: query.limit } : {}),
    ...(query.before !== undefined ? { beforeRunNumber: query.before } : {}),
    ...(query.after !== undefined ? { afterRunNumber: query.after } : {}),
    ...(query.status !== undefined ? { status: query.status } : {}),
    ...(query.tag ? { tags: query.tag } : {}),
    ...(query.user !== undefined ? { user: query.user } : {}),
    ...(query.since !== undefined ? { since: query.since } : {}),
    ...(query.until !== undefined ? { until: query.until } : {}),
  };
}

/** Most runs whose steps one history request summarizes. */
const MAX_HISTORY_RUNS = 400;

export const metadataRoutes: readonly Route[] = [
  route({
    method: 'get',
    path: '/api/v1/flows',
    operationId: 'listFlows',
    summary: 'Flows by name; with tags, only flows having a run that carries all of them.',
    tag: 'metadata',
    scope: 'read',
    query: z.object({ tag: listParam() }),
    response: z.object({ flows: z.array(flowRecord) }),
    handle: async ({ query, ctx }) => ({
      flows: await ctx.stores.metadata.listFlows(query.tag ? { tags: query.tag } : {}),
    }),
  }),
  route({
    method: 'get',
    path: '/api/v1/flows/{flow}',
    operationId: 'getFlow',
    summary: 'One flow (404 when it never ran).',
    tag: 'metadata',
    scope: 'read',
    params: z.object({ flow: z.string() }),
    response: flowRecord,
    handle: async ({ params, ctx }) => {
      return (
        (await ctx.stores.metadata.getFlow(params.flow)) ??
        notFound('flow', `Flow '${params.flow}' does not exist.`)
      );
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/flows/{flow}/runs',
    operationId: 'listRuns',
    summary: 'Runs of a flow, newest first, one page at a time (`before` = the last run number seen).',
    tag: 'metadata',
    scope: 'read',
    params: z.object({ flow: z.string() }),
    query: runQueryParams,
    response: z.object({ runs: z.array(runRecord) }),
    handle: async ({ params, query, ctx }) => ({
      runs: await ctx.stores.metadata.listRuns(params.flow, runQueryOf(query)),
    }),
  }),
  route({
    method: 'get',
    path: '/api/v1/flows/{flow}/runs/{runNumber}',
    operationId: 'getRun',
    summary: 'A run by pathspec (`HelloFlow/2`).',
    tag: 'metadata',
    scope: 'read',
    params: z.object({ flow: z.string(), runNumber: intParam() }),
    response: runRecord,
    handle: async ({ params, ctx }) =>
      (await ctx.stores.metadata.getRun(params.flow, params.runNumber)) ??
      notFound('run', `Run ${runPathspec(params.flow, params.runNumber)} does not exist.`),
  }),
  route({
    method: 'post',
    path: '/api/v1/runs',
    operationId: 'createRun',
    summary: 'Creates a run with the next run number of its flow (used by `flowtrail run` in remote mode).',
    tag: 'metadata',
    scope: 'write',
    headers: [IDEMPOTENCY_HEADER],
    body: z
      .object({
        run: newRun,
        startedEvent: z.object({ payload: z.record(z.string(), z.unknown()).optional() }).optional(),
      })
      .strict(),
    response: runRecord,
    status: 201,
    handle: async ({ body, ctx }) =>
      ctx.stores.metadata.createRun(body.run, {
        ...(body.startedEvent ? { startedEvent: body.startedEvent } : {}),
        ...(ctx.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {}),
      }),
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/running',
    operationId: 'listRunningRuns',
    summary: 'Runs still marked running (of one flow, or all).',
    tag: 'metadata',
    scope: 'read',
    query: z.object({ flow: z.string().optional() }),
    response: z.object({ runs: z.array(runRecord) }),
    handle: async ({ query, ctx }) => ({ runs: await ctx.stores.metadata.listRunningRuns(query.flow) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/latest',
    operationId: 'latestRun',
    summary: 'The most recently created run matching every given field (404 when none).',
    tag: 'metadata',
    scope: 'read',
    query: z.object({
      flow: z.string().optional(),
      user: z.string().optional(),
      status: runStatus.optional(),
      tag: listParam(),
    }),
    response: runRecord,
    handle: async ({ query, ctx }) =>
      (await ctx.stores.metadata.latestRun({
        ...(query.flow !== undefined ? { flow: query.flow } : {}),
        ...(query.user !== undefined ? { user: query.user } : {}),
        ...(query.status !== undefined ? { status: query.status } : {}),
        ...(query.tag ? { tags: query.tag } : {}),
      })) ?? notFound('run', 'No run matches.'),
  }),
  // The flows page (web UI `/`).
  route({
    method: 'get',
    path: '/api/v1/runs/latest-per-flow',
    operationId: 'listLatestRuns',
    summary: 'The newest run of every flow, by flow name (the flows page in one request).',
    tag: 'metadata',
    scope: 'read',
    response: z.object({ runs: z.array(runRecord) }),
    handle: async ({ ctx }) => ({ runs: await ctx.stores.metadata.listLatestRuns() }),
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/triggered-by',
    operationId: 'listRunsTriggeredBy',
    summary:
      'Runs whose trigger names an event id or an upstream run pathspec (the forward walk), oldest first.',
    tag: 'metadata',
    scope: 'read',
    query: z.object({ ref: z.string().min(1) }),
    response: z.object({ runs: z.array(runRecord) }),
    handle: async ({ query, ctx }) => ({ runs: await ctx.stores.metadata.listRunsTriggeredBy(query.ref) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}',
    operationId: 'getRunById',
    summary: 'A run by its store id.',
    tag: 'metadata',
    scope: 'read',
    params: runIdParams,
    response: runRecord,
    handle: async ({ params, ctx }) =>
      (await ctx.stores.metadata.getRunById(params.runId)) ??
      notFound('run', `Run #${params.runId} does not exist.`),
  }),
  route({
    method: 'post',
    path: '/api/v1/runs/{runId}/crash',
    operationId: 'markRunCrashed',
    summary: 'Marks a still-running run crashed, failing its unfinished tasks.',
    tag: 'metadata',
    scope: 'write',
    params: runIdParams,
    body: z
      .object({ at: z.number().int(), reason: exceptionRecord, events: z.array(eventInput).optional() })
      .strict(),
    response: z.object({ changed: z.boolean() }),
    handle: async ({ params, body, ctx }) => ({
      changed: await ctx.stores.metadata.markRunCrashed(
        params.runId,
        body.at,
        body.reason,
        eventsFromRequest(body.events ?? [], 'events'),
      ),
    }),
  }),
  route({
    method: 'post',
    path: '/api/v1/runs/{runId}/cancel-request',
    operationId: 'requestRunCancel',
    summary:
      'Records a request to cancel a running run (the first one is kept); answers the run afterwards. The runtime port: users call `/cancel`.',
    tag: 'metadata',
    scope: 'write',
    params: runIdParams,
    body: cancelRequest,
    response: runRecord,
    handle: async ({ params, body, ctx }) =>
      (await ctx.stores.metadata.requestRunCancel(params.runId, body)) ??
      notFound('run', `Run #${params.runId} does not exist.`),
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/cancel-request',
    operationId: 'getCancelRequest',
    summary: "A run's cancel request, or null: what its orchestrator polls.",
    tag: 'metadata',
    scope: 'read',
    params: runIdParams,
    response: z.object({ request: cancelRequest.nullable() }),
    handle: async ({ params, ctx }) => ({
      request: await ctx.stores.metadata.getCancelRequest(params.runId),
    }),
  }),
  route({
    method: 'post',
    path: '/api/v1/runs/{runId}/mark-cancelled',
    operationId: 'markRunCancelled',
    summary:
      'Marks a still-running run whose orchestrator is gone cancelled, with its unfinished tasks and attempts.',
    tag: 'metadata',
    scope: 'write',
    params: runIdParams,
    body: z
      .object({ at: z.number().int(), reason: exceptionRecord, events: z.array(eventInput).optional() })
      .strict(),
    response: z.object({ changed: z.boolean() }),
    handle: async ({ params, body, ctx }) => ({
      changed: await ctx.stores.metadata.markRunCancelled(
        params.runId,
        body.at,
        body.reason,
        eventsFromRequest(body.events ?? [], 'events'),
      ),
    }),
  }),
  route({
    method: 'post',
    path: '/api/v1/runs/{runId}/tags',
    operationId: 'mutateRunTags',
    summary: 'Adds and removes user tags of a run atomically (removals first).',
    tag: 'metadata',
    scope: 'write',
    params: runIdParams,
    body: z.object({ add: z.array(z.string()).optional(), remove: z.array(z.string()).optional() }).strict(),
    response: z.object({ tags: z.array(z.string()), systemTags: z.array(z.string()) }),
    handle: async ({ params, body, ctx }) => ctx.stores.metadata.mutateRunTags(params.runId, body),
  }),
  route({
    method: 'post',
    path: '/api/v1/metadata/writes',
    operationId: 'writeMetadata',
    summary:
      'Applies a batch of runtime writes (tasks, attempts, artifacts, logs, events) in one transaction.',
    tag: 'metadata',
    scope: 'write',
    headers: [IDEMPOTENCY_HEADER],
    body: z.object({ ops: z.array(metadataWrite) }).strict(),
    response: 'none',
    handle: async ({ body, ctx }) => {
      const ops = body.ops.map(
        (op, i): MetadataWrite =>
          op.op === 'events.append'
            ? { op: 'events.append', events: eventsFromRequest(op.events, `ops[${i}].events`) }
            : (op as MetadataWrite),
      );
      await ctx.stores.metadata.write(ops, ctx.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {});
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/metadata/request-keys/prune',
    operationId: 'pruneRequestKeys',
    summary: 'Forgets idempotency keys created before a time (ms since the epoch).',
    tag: 'metadata',
    scope: 'admin',
    body: z.object({ before: z.number().int() }).strict(),
    response: z.object({ deleted: z.number().int() }),
    handle: async ({ body, ctx }) => ({ deleted: await ctx.stores.metadata.pruneRequestKeys(body.before) }),
  }),

  // -------------------------------------------------------------------------------------------
  // Steps, tasks, attempts, artifacts, logs
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/steps',
    operationId: 'listSteps',
    summary: 'Steps of a run.',
    tag: 'metadata',
    scope: 'read',
    params: runIdParams,
    response: z.object({ steps: z.array(stepRecord) }),
    handle: async ({ params, ctx }) => ({ steps: await ctx.stores.metadata.listSteps(params.runId) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/steps/{step}',
    operationId: 'getStep',
    summary: 'One step of a run.',
    tag: 'metadata',
    scope: 'read',
    params: z.object({ runId: intParam(), step: z.string() }),
    response: stepRecord,
    handle: async ({ params, ctx }) =>
      (await ctx.stores.metadata.getStep(params.runId, params.step)) ??
      notFound('step', `Step '${params.step}' of run #${params.runId} does not exist.`),
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/tasks',
    operationId: 'listTasks',
    summary: 'Tasks of a run (or one step) in task-id order, optionally one page at a time.',
    tag: 'metadata',
    scope: 'read',
    params: runIdParams,
    query: z.object({
      step: z.string().optional(),
      limit: intParam().optional(),
      after: intParam().optional(),
      before: intParam().optional(),
      order: z.enum(['asc', 'desc']).optional(),
      status: taskStatus.optional(),
      offset: intParam().optional(),
    }),
    response: z.object({ tasks: z.array(taskRecord) }),
    handle: async ({ params, query, ctx }) => ({
      tasks: await ctx.stores.metadata.listTasks(params.runId, {
        ...(query.step !== undefined ? { step: query.step } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
        ...(query.after !== undefined ? { afterTaskId: query.after } : {}),
        ...(query.before !== undefined ? { beforeTaskId: query.before } : {}),
        ...(query.order !== undefined ? { order: query.order } : {}),
        ...(query.status !== undefined ? { status: query.status } : {}),
        ...(query.offset !== undefined ? { offset: query.offset } : {}),
      }),
    }),
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/tasks/{taskId}',
    operationId: 'getTask',
    summary: 'One task.',
    tag: 'metadata',
    scope: 'read',
    params: taskParams,
    response: taskRecord,
    handle: async ({ params, ctx }) =>
      (await ctx.stores.metadata.getTask(params.runId, params.taskId)) ??
      notFound('task', `Task ${params.taskId} of run #${params.runId} does not exist.`),
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/tasks/{taskId}/attempts',
    operationId: 'listAttempts',
    summary: 'Attempts of a task, oldest first.',
    tag: 'metadata',
    scope: 'read',
    params: taskParams,
    response: z.object({ attempts: z.array(attemptRecord) }),
    handle: async ({ params, ctx }) => ({
      attempts: await ctx.stores.metadata.listAttempts(params.runId, params.taskId),
    }),
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/tasks/{taskId}/artifacts',
    operationId: 'listArtifacts',
    summary:
      "Artifact records of one attempt (default: the task's final attempt); values via /artifacts/{sha}.",
    tag: 'metadata',
    scope: 'read',
    params: taskParams,
    query: z.object({ attempt: intParam().optional() }),
    response: z.object({ artifacts: z.array(artifactRecord) }),
    handle: async ({ params, query, ctx }) => ({
      artifacts: await ctx.stores.metadata.listArtifacts(
        params.runId,
        params.taskId,
        query.attempt !== undefined ? { attempt: query.attempt } : {},
      ),
    }),
  }),
  route({
    method: 'post',
    path: '/api/v1/runs/{runId}/artifacts/of-tasks',
    operationId: 'listArtifactsOfTasks',
    summary: "Artifact records of many tasks' final attempts at once.",
    tag: 'metadata',
    scope: 'read',
    params: runIdParams,
    body: z.object({ taskIds: z.array(z.number().int()) }).strict(),
    response: z.object({ artifacts: z.array(artifactRecord) }),
    handle: async ({ params, body, ctx }) => ({
      artifacts: await ctx.stores.metadata.listArtifactsOfTasks(params.runId, body.taskIds),
    }),
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/tasks/{taskId}/logs',
    operationId: 'readLogs',
    summary: 'Log lines of a task (final attempt by default); `afterSeq` follows a live log.',
    tag: 'metadata',
    scope: 'read',
    params: taskParams,
    query: z.object({
      attempt: intParam().optional(),
      stream: logStream.optional(),
      afterSeq: z.coerce.number().int().optional(),
      limit: intParam().optional(),
    }),
    response: z.object({ lines: z.array(logLine) }),
    handle: async ({ params, query, ctx }) => ({
      lines: await ctx.stores.metadata.readLogs(params.runId, params.taskId, {
        ...(query.attempt !== undefined ? { attempt: query.attempt } : {}),
        ...(query.stream !== undefined ? { stream: query.stream } : {}),
        ...(query.afterSeq !== undefined ? { afterSeq: query.afterSeq } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      }),
    }),
  }),
  // -------------------------------------------------------------------------------------------
  // The runs × steps history of a flow (web UI `/flows/$flow/history`)
  route({
    method: 'get',
    path: '/api/v1/flows/{flow}/steps',
    operationId: 'listFlowStepNames',
    summary: "Names of the steps the flow's runs went through, in the order they start within a run.",
    tag: 'metadata',
    scope: 'read',
    params: flowParams,
    response: z.object({ steps: z.array(z.string()) }),
    handle: async ({ params, ctx }) => ({ steps: await ctx.stores.metadata.listFlowStepNames(params.flow) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/flows/{flow}/history',
    operationId: 'flowHistory',
    summary:
      "One page of the flow's runs (the filters and cursors of listRuns) with each run's steps summarized: task counts by status and time span.",
    tag: 'metadata',
    scope: 'read',
    params: flowParams,
    query: runQueryParams.extend({ limit: intParam().max(MAX_HISTORY_RUNS).optional() }),
    response: z.object({ runs: z.array(runRecord), steps: z.array(stepSummary) }),
    handle: async ({ params, query, ctx }) => {
      const runs = await ctx.stores.metadata.listRuns(params.flow, runQueryOf(query));
      return { runs, steps: await ctx.stores.metadata.summarizeSteps(runs.map((r) => r.id)) };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/runs/step-summaries',
    operationId: 'summarizeSteps',
    summary: "Per run and step, its tasks' counts by status and time span.",
    tag: 'metadata',
    scope: 'read',
    body: z.object({ runIds: z.array(z.number().int()).max(MAX_HISTORY_RUNS) }).strict(),
    response: z.object({ steps: z.array(stepSummary) }),
    handle: async ({ body, ctx }) => ({ steps: await ctx.stores.metadata.summarizeSteps(body.runIds) }),
  }),
];
