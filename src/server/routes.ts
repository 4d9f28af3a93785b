/**
 * Every route of the HTTP API (`/api/v1`). Metadata routes mirror the `MetadataStore` port, event
 * routes the `EventStore` port and artifact routes the `ArtifactStore` port, so the `http` adapters
 * (`store/http/`) are thin and pass the ports' conformance suites through the server.
 */
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { FLOWTRAIL_VERSION } from '../core/version.ts';
import type { EventFilter } from '../events/filter.ts';
import type { FlowtrailEvent } from '../events/model.ts';
import { validateEvent } from '../events/validate-event.ts';
import { checkNoTriggerLoop } from '../runtime/deploy.ts';
import { subscribeEvents } from '../store/event-subscription.ts';
import { filterFromWire } from '../store/http/wire.ts';
import type { MetadataWrite } from '../store/metadata-store.ts';
import { parseInput } from './parse-input.ts';
import { type Route, route } from './route.ts';
import {
  arrivedDependency,
  artifactRecord,
  attemptRecord,
  deploymentRecord,
  eventCount,
  eventFilter,
  eventInput,
  eventPage,
  exceptionRecord,
  firingRecord,
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
  storedBlob,
  storedEvent,
  taskRecord,
} from './schemas.ts';

/** Most events in one ingest request. */
export const MAX_EVENTS_PER_REQUEST = 5000;
const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  description: 'Any unique string; a retried request with the same key is applied once.',
};

const notFound = (what: string, message: string): never => {
  throw new NotFoundError(what, message);
};

/**
 * Validates events from a request (field paths prefixed with where they sit) and stamps `received`
 * now — or, with `keepReceived`, keeps a valid `received` the sender stamped at its own intake (the
 * Flowtrail client and runtime do; a received time in the future is never kept).
 */
function eventsFromRequest(
  inputs: readonly unknown[],
  prefix: string | undefined,
  keepReceived = true,
): FlowtrailEvent[] {
  const now = new Date();
  return inputs.map((input, i) => {
    try {
      const event = validateEvent(input as Parameters<typeof validateEvent>[0], { allowReserved: true, now });
      const given = (input as { received?: unknown }).received;
      if (keepReceived && typeof given === 'string') {
        const at = new Date(given);
        if (!Number.isNaN(at.getTime()) && at.getTime() <= now.getTime()) event.received = at;
      }
      return event;
    } catch (e) {
      if (e instanceof ValidationError && prefix !== undefined)
        throw new ValidationError(`${prefix}[${i}].${e.field}`, e.message, e.details);
      throw e;
    }
  });
}

const runIdParams = z.object({ runId: intParam() });
const flowParams = z.object({ flow: z.string() });
const taskParams = z.object({ runId: intParam(), taskId: intParam() });
const shaParams = z.object({ sha: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lowercase hex') });
const filterBody = z.object({ filter: eventFilter.optional() }).strict();
const filterOf = (f: z.output<typeof eventFilter> | undefined): EventFilter => filterFromWire(f ?? {});

export const routes: readonly Route[] = [
  // -------------------------------------------------------------------------------------------
  // System
  route({
    method: 'get',
    path: '/api/v1/health',
    operationId: 'health',
    summary: 'Whether the server and its store answer (503 when the store does not).',
    tag: 'system',
    scope: 'public',
    response: z.object({ status: z.literal('ok'), version: z.string() }),
    handle: async ({ ctx }) => {
      await ctx.stores.metadata.flowExists('flowtrail.health');
      return { status: 'ok', version: FLOWTRAIL_VERSION };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/version',
    operationId: 'version',
    summary: 'Server version and the store it serves.',
    tag: 'system',
    scope: 'read',
    response: z.object({ version: z.string(), store: z.string(), auth: z.boolean() }),
    handle: async ({ ctx }) => ({
      version: FLOWTRAIL_VERSION,
      store: ctx.stores.kind,
      auth: ctx.principal.keyId !== 'anonymous',
    }),
  }),

  // -------------------------------------------------------------------------------------------
  // Flows and runs
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
    query: z.object({
      limit: intParam().max(100_000).optional(),
      before: intParam().optional(),
      status: runStatus.optional(),
      tag: listParam(),
    }),
    response: z.object({ runs: z.array(runRecord) }),
    handle: async ({ params, query, ctx }) => ({
      runs: await ctx.stores.metadata.listRuns(params.flow, {
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
        ...(query.before !== undefined ? { beforeRunNumber: query.before } : {}),
        ...(query.status !== undefined ? { status: query.status } : {}),
        ...(query.tag ? { tags: query.tag } : {}),
      }),
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
      notFound('run', `Run ${params.flow}/${params.runNumber} does not exist.`),
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
    }),
    response: z.object({ tasks: z.array(taskRecord) }),
    handle: async ({ params, query, ctx }) => ({
      tasks: await ctx.stores.metadata.listTasks(params.runId, {
        ...(query.step !== undefined ? { step: query.step } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
        ...(query.after !== undefined ? { afterTaskId: query.after } : {}),
        ...(query.before !== undefined ? { beforeTaskId: query.before } : {}),
        ...(query.order !== undefined ? { order: query.order } : {}),
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
  // Artifact blobs
  route({
    method: 'get',
    path: '/api/v1/artifacts/{sha}',
    operationId: 'getArtifact',
    summary: 'The stored bytes of an artifact (encoded with the codec its record names).',
    tag: 'artifacts',
    scope: 'read',
    params: shaParams,
    response: 'bytes',
    handle: async ({ params, ctx }) => {
      const bytes = await ctx.stores.artifacts.get(params.sha);
      return new Response(bytes, {
        headers: {
          'content-type': 'application/octet-stream',
          etag: `"${params.sha}"`,
          'cache-control': 'private, max-age=31536000, immutable',
        },
      });
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/artifacts/{sha}/size',
    operationId: 'artifactSize',
    summary: 'Size of a stored blob (404 ARTIFACT_MISSING when absent).',
    tag: 'artifacts',
    scope: 'read',
    params: shaParams,
    response: z.object({ size: z.number().int() }),
    handle: async ({ params, ctx }) => ({ size: await ctx.stores.artifacts.size(params.sha) }),
  }),
  route({
    method: 'post',
    path: '/api/v1/artifacts',
    operationId: 'putArtifact',
    summary: 'Stores bytes under their sha256 (content-addressed: storing twice is harmless).',
    tag: 'artifacts',
    scope: 'write',
    body: 'bytes',
    response: storedBlob,
    handle: async ({ body, ctx }) => ctx.stores.artifacts.put(body),
  }),

  // -------------------------------------------------------------------------------------------
  // Deployments (flowtrail deploy / deployments in remote mode; the engine's state stays inside)
  route({
    method: 'get',
    path: '/api/v1/deployments',
    operationId: 'listDeployments',
    summary: 'Every deployment, by flow name.',
    tag: 'deployments',
    scope: 'read',
    response: z.object({ deployments: z.array(deploymentRecord) }),
    handle: async ({ ctx }) => ({ deployments: await ctx.stores.deployments.list() }),
  }),
  route({
    method: 'get',
    path: '/api/v1/deployments/{flow}',
    operationId: 'getDeployment',
    summary: 'One deployment.',
    tag: 'deployments',
    scope: 'read',
    params: flowParams,
    response: deploymentRecord,
    handle: async ({ params, ctx }) =>
      (await ctx.stores.deployments.get(params.flow)) ??
      notFound('deployment', `There is no deployment of '${params.flow}'.`),
  }),
  route({
    method: 'post',
    path: '/api/v1/deployments/{flow}',
    operationId: 'upsertDeployment',
    summary:
      'Creates or replaces a deployment (upload its module and code blobs with POST /artifacts first). Refused when it would trigger itself in a loop.',
    tag: 'deployments',
    scope: 'write',
    params: flowParams,
    body: deploymentRecord,
    response: 'none',
    handle: async ({ params, body, ctx }) => {
      if (body.flow !== params.flow)
        throw new ValidationError(
          'flow',
          `The body deploys '${body.flow}' but the path names '${params.flow}'.`,
        );
      for (const sha of [body.bundleSha, body.codeSha])
        if (!(await ctx.stores.artifacts.has(sha)))
          throw new ValidationError(
            'bundleSha',
            `Blob ${sha} is not in the server's artifact store; upload it first.`,
          );
      checkNoTriggerLoop(body.flow, body.triggers, await ctx.stores.deployments.list());
      await ctx.stores.deployments.upsert(body);
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/deployments/{flow}/status',
    operationId: 'setDeploymentStatus',
    summary: 'Pauses or resumes a deployment.',
    tag: 'deployments',
    scope: 'write',
    params: flowParams,
    body: z.object({ status: z.enum(['active', 'paused']), at: z.number().int() }).strict(),
    response: z.object({ changed: z.boolean() }),
    handle: async ({ params, body, ctx }) => {
      const changed = await ctx.stores.deployments.setStatus(params.flow, body.status, body.at);
      return changed ? { changed } : notFound('deployment', `There is no deployment of '${params.flow}'.`);
    },
  }),
  route({
    method: 'delete',
    path: '/api/v1/deployments/{flow}',
    operationId: 'deleteDeployment',
    summary: 'Removes a deployment (its past runs stay).',
    tag: 'deployments',
    scope: 'write',
    params: flowParams,
    response: z.object({ deleted: z.boolean() }),
    handle: async ({ params, ctx }) =>
      (await ctx.stores.deployments.delete(params.flow))
        ? { deleted: true }
        : notFound('deployment', `There is no deployment of '${params.flow}'.`),
  }),
  route({
    method: 'get',
    path: '/api/v1/deployments/{flow}/arrivals',
    operationId: 'deploymentArrivals',
    summary: 'Dependencies that have arrived and wait for the others.',
    tag: 'deployments',
    scope: 'read',
    params: flowParams,
    response: z.object({ arrivals: z.array(arrivedDependency) }),
    handle: async ({ params, ctx }) => ({ arrivals: await ctx.stores.deployments.arrivals(params.flow) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/deployments/{flow}/firings',
    operationId: 'deploymentFirings',
    summary: "The engine's recent decisions to start runs of the deployment, newest first.",
    tag: 'deployments',
    scope: 'read',
    params: flowParams,
    query: z.object({ limit: intParam().max(1000).optional() }),
    response: z.object({ firings: z.array(firingRecord) }),
    handle: async ({ params, query, ctx }) => ({
      firings: await ctx.stores.deployments.firings(params.flow, query.limit),
    }),
  }),

  // -------------------------------------------------------------------------------------------
  // Events
  route({
    method: 'post',
    path: '/api/v1/events',
    operationId: 'emitEvents',
    summary: `Ingests one event, or a batch as { events: [...] } (at most ${MAX_EVENTS_PER_REQUEST}); ids already stored are skipped.`,
    tag: 'events',
    scope: 'write',
    body: z.union([
      eventInput,
      z
        .object({
          events: z.array(z.unknown()).max(MAX_EVENTS_PER_REQUEST),
          keepReceived: z.boolean().optional().meta({
            description:
              "Keep each event's `received` (stamped at the sender's intake) when valid and not in the future.",
          }),
        })
        .strict(),
    ]),
    bodyCheckedByHandler: true,
    response: z.object({ inserted: z.number().int(), ids: z.array(z.string()) }),
    handle: async ({ body, ctx }) => {
      const raw: unknown = body;
      const isBatch = raw !== null && typeof raw === 'object' && 'events' in raw;
      let events: FlowtrailEvent[];
      if (isBatch) {
        const batch = parseInput(
          z
            .object({
              events: z.array(z.unknown()).max(MAX_EVENTS_PER_REQUEST),
              keepReceived: z.boolean().optional(),
            })
            .strict(),
          raw,
          'body',
        );
        events = eventsFromRequest(batch.events, 'events', batch.keepReceived);
      } else events = eventsFromRequest([raw], undefined, false);
      const { inserted } = await ctx.stores.events.append(events);
      return { inserted, ids: events.map((e) => e.id) };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/events/filter',
    operationId: 'filterEvents',
    summary: 'One page of matching events; follow `nextCursor` for the next.',
    tag: 'events',
    scope: 'read',
    body: z
      .object({
        filter: eventFilter.optional(),
        limit: z.number().int().optional(),
        cursor: z.string().optional(),
      })
      .strict(),
    response: eventPage,
    handle: async ({ body, ctx }) =>
      ctx.stores.events.query(filterOf(body.filter), {
        ...(body.limit !== undefined ? { limit: body.limit } : {}),
        ...(body.cursor !== undefined ? { cursor: body.cursor } : {}),
      }),
  }),
  route({
    method: 'post',
    path: '/api/v1/events/total',
    operationId: 'countEventsTotal',
    summary: 'How many events match.',
    tag: 'events',
    scope: 'read',
    body: filterBody,
    response: z.object({ total: z.number().int() }),
    handle: async ({ body, ctx }) => ({ total: await ctx.stores.events.total(filterOf(body.filter)) }),
  }),
  route({
    method: 'post',
    path: '/api/v1/events/count',
    operationId: 'countEvents',
    summary: 'Counts of matching events by name, by resource, or by time bucket (zero-filled).',
    tag: 'events',
    scope: 'read',
    body: z
      .object({
        filter: eventFilter.optional(),
        by: z.enum(['event', 'resource', 'time']),
        timeUnit: z.enum(['second', 'minute', 'hour', 'day', 'week']).optional(),
        timeInterval: z.number().optional(),
      })
      .strict(),
    response: z.object({ counts: z.array(eventCount) }),
    handle: async ({ body, ctx }) => ({
      counts: await ctx.stores.events.count(filterOf(body.filter), body.by, {
        ...(body.timeUnit !== undefined ? { timeUnit: body.timeUnit } : {}),
        ...(body.timeInterval !== undefined ? { timeInterval: body.timeInterval } : {}),
      }),
    }),
  }),
  route({
    method: 'get',
    path: '/api/v1/events/after',
    operationId: 'readEventsAfter',
    summary: 'Events in arrival order after a position (for tailing); pass back `position`.',
    tag: 'events',
    scope: 'read',
    query: z.object({ position: z.coerce.number().int().nonnegative(), limit: intParam().optional() }),
    response: z.object({ events: z.array(storedEvent), position: z.number().int() }),
    handle: async ({ query, ctx }) => ctx.stores.events.readAfter(query.position, query.limit),
  }),
  route({
    method: 'get',
    path: '/api/v1/events/head',
    operationId: 'eventHead',
    summary: 'The arrival position of the newest event.',
    tag: 'events',
    scope: 'read',
    response: z.object({ position: z.number().int() }),
    handle: async ({ ctx }) => ({ position: await ctx.stores.events.headPosition() }),
  }),
  route({
    method: 'post',
    path: '/api/v1/events/retention',
    operationId: 'applyEventRetention',
    summary: 'Removes events older than the policy allows.',
    tag: 'events',
    scope: 'admin',
    body: z
      .object({
        retentionMs: z.number().positive(),
        overrides: z.record(z.string(), z.number().positive()).optional(),
        now: z.string().optional(),
      })
      .strict(),
    response: z.object({ deleted: z.number().int() }),
    handle: async ({ body, ctx }) =>
      ctx.stores.events.applyRetention(
        { retentionMs: body.retentionMs, ...(body.overrides ? { overrides: body.overrides } : {}) },
        body.now ? new Date(body.now) : new Date(),
      ),
  }),
  route({
    method: 'get',
    path: '/api/v1/events/stream',
    operationId: 'streamEvents',
    summary:
      'Server-sent events: matching stored events first (unless backfill=false), then each new one as it arrives, each once.',
    tag: 'events',
    scope: 'read',
    query: z.object({
      filter: z.string().optional().meta({ description: 'An EventFilter as JSON.' }),
      backfill: z.enum(['true', 'false']).optional(),
    }),
    response: 'sse',
    handle: async ({ query, ctx }) => {
      let filter: EventFilter = {};
      if (query.filter !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(query.filter);
        } catch (e) {
          throw new ValidationError(
            'filter',
            `The 'filter' query parameter is not JSON: ${(e as Error).message}.`,
          );
        }
        filter = filterOf(parseInput(eventFilter, parsed, 'query', 'filter'));
      }
      const events = ctx.stores.events;
      const backfill = query.backfill !== 'false';
      return streamSSE(ctx.hono, async (stream) => {
        const abort = new AbortController();
        stream.onAbort(() => abort.abort());
        const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), 15_000);
        try {
          await stream.writeSSE({ event: 'ready', data: '{}' });
          for await (const e of subscribeEvents(events, filter, { signal: abort.signal, backfill }))
            await stream.writeSSE({ event: 'event', id: e.id, data: JSON.stringify(e) });
        } finally {
          clearInterval(keepAlive);
        }
      });
    },
  }),
];
