/**
 * Routes of the web UI's run page (issue 11): a run's step summary (the graph's nodes and edges with
 * counts and histograms, aggregated in SQL) and its trigger chain both ways, each in one request.
 */
import { z } from 'zod';
import { DURATION_BUCKETS } from '../../store/metadata-store.ts';
import { type ChainNode, chainDown, chainUp } from '../../store/trigger-chain.ts';
import { route } from '../route.ts';
import { intParam, runStatus, taskStatus } from '../schemas.ts';
import { notFound, runIdParams } from './route-inputs.ts';

const int = () => z.number().int();

const stepOverview = z
  .object({
    step: z.string(),
    counts: z.record(taskStatus, int()),
    total: int(),
    caught: int(),
    firstTaskId: int().nullable(),
    parents: z.array(z.string()),
    foreachCount: int().nullable(),
    inForeach: z.boolean(),
    firstStartedAt: int().nullable(),
    lastFinishedAt: int().nullable(),
    minDurationMs: int().nullable(),
    maxDurationMs: int().nullable(),
    histogram: z.array(int()).meta({ description: `${DURATION_BUCKETS} equal-width buckets of [min, max].` }),
  })
  .meta({ id: 'StepOverview' });

const chainNode: z.ZodType<ChainNode> = z
  .object({
    kind: z.enum(['run', 'event']),
    name: z.string().optional().meta({ description: 'Events: the event name.' }),
    id: z.string().optional().meta({ description: 'Events: the event id.' }),
    at: int().optional(),
    pathspec: z.string().optional().meta({ description: 'Runs: `ETLFlow/3`.' }),
    flow: z.string().optional(),
    runNumber: int().optional(),
    status: runStatus.optional(),
    createdAt: int().optional(),
    get next() {
      return z.array(chainNode);
    },
  })
  .meta({ id: 'ChainNode' }) as unknown as z.ZodType<ChainNode>;

/** Deepest walk one request may ask for. */
const MAX_HOPS = 10;

export const runPageRoutes = [
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/summary',
    operationId: 'summarizeRun',
    summary:
      "A run's steps with task counts by status, duration histogram, first start, last finish and parent steps.",
    tag: 'metadata',
    scope: 'read',
    params: runIdParams,
    response: z.object({ steps: z.array(stepOverview) }),
    handle: async ({ params, ctx }) => ({ steps: await ctx.stores.metadata.summarizeRun(params.runId) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/trail',
    operationId: 'runTrail',
    summary:
      'The trigger chain of a run: `up` hops of what started it, `down` hops of the runs and events it started.',
    tag: 'metadata',
    scope: 'read',
    params: runIdParams,
    query: z.object({
      up: intParam().max(MAX_HOPS).optional(),
      down: intParam().max(MAX_HOPS).optional(),
    }),
    response: z.object({ up: z.array(chainNode), down: z.array(chainNode) }),
    handle: async ({ params, query, ctx }) => {
      const run =
        (await ctx.stores.metadata.getRunById(params.runId)) ??
        notFound('run', `Run #${params.runId} does not exist.`);
      return {
        up: await chainUp(ctx.stores.metadata, run, query.up ?? 3),
        down: await chainDown(ctx.stores.metadata, ctx.stores.events, run, query.down ?? 3),
      };
    },
  }),
];
