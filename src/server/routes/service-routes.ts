/**
 * Routes about the service itself: health, version and the OpenAPI document. `app.ts` answers
 * `openApiRoute` with the document it builds from every route table.
 */
import { z } from 'zod';
import { FLOWTRAIL_VERSION } from '../../core/version.ts';
import { type Route, route } from '../route.ts';

export const serviceRoutes: readonly Route[] = [
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
];

/** The OpenAPI document itself (public); `app.ts` answers it with the document built at start. */
export const openApiRoute: Route = {
  method: 'get',
  path: '/api/v1/openapi.json',
  operationId: 'openapi',
  summary: 'This OpenAPI 3.1 document.',
  tag: 'system',
  scope: 'public',
  response: 'none',
  status: 200,
  handle: async () => undefined,
};
