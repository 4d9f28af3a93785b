/**
 * Controlling a run from outside: `POST /api/v1/runs/{runId}/cancel`, what users, the web UI and
 * scripts call (`store/cancel-run.ts` does the work). The runtime's own port routes for it
 * (`cancel-request`, `mark-cancelled`) sit with the other port mirrors in `metadata-routes.ts`.
 */
import { z } from 'zod';
import { cancelRun } from '../../store/cancel-run.ts';
import { route } from '../route.ts';
import { runRecord } from '../schemas.ts';
import { runIdParams } from './route-inputs.ts';

export const runControlRoutes = [
  route({
    method: 'post',
    path: '/api/v1/runs/{runId}/cancel',
    operationId: 'cancelRun',
    summary:
      'Cancels a running run: its orchestrator stops the running tasks and starts no more, and the run ends `cancelled` (marked so at once when no orchestrator is alive). A finished run is a 409; an already-cancelled one answers `already-cancelled`. With `wait`, answers once the run has ended (at most 90 s).',
    tag: 'metadata',
    scope: 'write',
    params: runIdParams,
    body: z
      .object({
        reason: z.string().max(2_000).optional(),
        wait: z.boolean().optional(),
        requestedBy: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .meta({ description: 'Who asks, as recorded on the run (default `key:<API key id>`).' }),
      })
      .strict(),
    response: z.object({ outcome: z.enum(['requested', 'applied', 'already-cancelled']), run: runRecord }),
    handle: async ({ params, body, ctx }) =>
      cancelRun(ctx.stores, params.runId, {
        by: body.requestedBy ?? `key:${ctx.principal.keyId}`,
        ...(body.reason !== undefined ? { reason: body.reason } : {}),
        ...(body.wait !== undefined ? { wait: body.wait } : {}),
      }),
  }),
];
