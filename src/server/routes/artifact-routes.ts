/** Artifact blob routes, mirroring the `ArtifactStore` port (content-addressed by sha256). */
import { z } from 'zod';
import { type Route, route } from '../route.ts';
import { storedBlob } from '../schemas.ts';

const shaParams = z.object({ sha: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lowercase hex') });
export const artifactRoutes: readonly Route[] = [
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
];
