/**
 * Deployment routes (`flowtrail deploy` / `deployments` in remote mode); the trigger engine's own
 * state stays inside the server.
 */
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import { checkNoTriggerLoop } from '../../runtime/deploy.ts';
import { setDeploymentStatus } from '../../store/deployment-status.ts';
import { deploymentParameters } from '../deployment-parameters.ts';
import { type Route, route } from '../route.ts';
import {
  arrivedDependency,
  deploymentParameter,
  deploymentRecord,
  firingRecord,
  intParam,
} from '../schemas.ts';
import { flowParams, notFound } from './route-inputs.ts';

export const deploymentRoutes: readonly Route[] = [
  route({
    method: 'get',
    path: '/api/v1/deployments',
    operationId: 'listDeployments',
    summary: 'Every deployment, by flow name, and the newest firing of each that has one.',
    tag: 'deployments',
    scope: 'read',
    response: z.object({
      deployments: z.array(deploymentRecord),
      latestFirings: z
        .array(firingRecord)
        .meta({ description: 'The newest firing of each deployment that has fired, by flow name.' }),
    }),
    handle: async ({ ctx }) => {
      const [deployments, latestFirings] = await Promise.all([
        ctx.stores.deployments.list(),
        ctx.stores.deployments.latestFirings(),
      ]);
      return { deployments, latestFirings };
    },
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
    summary:
      'Pauses or resumes a deployment (its triggers with it) and emits `flowtrail.deployment.paused` / `resumed`.',
    tag: 'deployments',
    scope: 'write',
    params: flowParams,
    body: z.object({ status: z.enum(['active', 'paused']), at: z.number().int() }).strict(),
    response: z.object({ changed: z.boolean() }),
    handle: async ({ params, body, ctx }) => {
      const changed = await setDeploymentStatus(
        ctx.stores.deployments,
        ctx.stores.events,
        params.flow,
        body.status,
        body.at,
      );
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
    path: '/api/v1/deployments/{flow}/parameters',
    operationId: 'deploymentParameters',
    summary:
      'The parameters of the deployed flow: type, required, default and help, with the deploy-time value that overrides the default.',
    tag: 'deployments',
    scope: 'read',
    params: flowParams,
    response: z.object({ parameters: z.array(deploymentParameter) }),
    handle: async ({ params, ctx }) => {
      const deployment =
        (await ctx.stores.deployments.get(params.flow)) ??
        notFound('deployment', `There is no deployment of '${params.flow}'.`);
      return { parameters: await deploymentParameters(deployment, ctx.stores.artifacts, ctx.buildDir) };
    },
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
];
