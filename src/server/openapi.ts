/** Builds the OpenAPI 3.1 document of the API from the route table (`routes.ts`). */
import { z } from 'zod';
import { FLOWTRAIL_VERSION } from '../core/version.ts';
import type { Route } from './route.ts';
import { errorBody } from './schemas.ts';

type Json = Record<string, unknown>;

/** JSON Schema of a zod schema, with shared records moved to `components.schemas`. */
function toSchema(schema: z.ZodType, components: Json): Json {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  const defs = (out.$defs ?? {}) as Json;
  delete out.$defs;
  delete out.$schema;
  for (const [id, def] of Object.entries(defs)) components[id] = rewriteRefs(def);
  return rewriteRefs(out) as Json;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value as Json))
    out[k] =
      k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : rewriteRefs(v);
  return out;
}

/** Path and query parameters of a route, one entry per property of its object schema. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query', components: Json): Json[] {
  if (!schema) return [];
  const object = toSchema(schema, components);
  const props = (object.properties ?? {}) as Record<string, Json>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}

/** The error answers a route can give, each with the one error body. */
function errorResponses(r: Route, components: Json): Json {
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: toSchema(errorBody, components) } },
  });
  const out: Json = {};
  if (r.body) out['400'] = error('The body is missing or not JSON.');
  if (r.scope !== 'public') {
    out['401'] = error('No key, or a key that is unknown or revoked (when authentication is on).');
    out['403'] = error(`The key's scope is below \`${r.scope}\`.`);
  }
  out['404'] = error('The object (or the route) does not exist.');
  if (r.body) out['413'] = error('The body is larger than the server accepts.');
  if (r.params || r.query || r.body || r.headers)
    out['422'] = error('An input is invalid; `details` names it.');
  out['503'] = error('The store cannot be reached; retry later.');
  out.default = error('An unexpected error.');
  return out;
}

export function buildOpenApi(routes: readonly Route[]): Json {
  const components: Json = {};
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const op: Json = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      parameters: [
        ...parameters(r.params, 'path', components),
        ...parameters(r.query, 'query', components),
        ...(r.headers ?? []).map((h) => ({
          name: h.name,
          in: 'header',
          required: false,
          description: h.description,
          schema: { type: 'string' },
        })),
      ],
    };
    if (r.scope === 'public') op.security = [];
    else op['x-flowtrail-scope'] = r.scope;
    if (r.body === 'bytes')
      op.requestBody = {
        required: true,
        content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
      };
    else if (r.body)
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: toSchema(r.body, components) } },
      };
    const status = String(r.status ?? (r.response === 'none' ? 204 : 200));
    const ok =
      r.response === 'none'
        ? { description: 'Done.' }
        : r.response === 'bytes'
          ? {
              description: 'The bytes.',
              content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
            }
          : r.response === 'sse'
            ? {
                description: 'A stream of server-sent events.',
                content: { 'text/event-stream': { schema: { type: 'string' } } },
              }
            : {
                description: 'OK.',
                content: { 'application/json': { schema: toSchema(r.response, components) } },
              };
    op.responses = { [status]: ok, ...errorResponses(r, components) };
    paths[r.path] ??= {};
    paths[r.path]![r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Flowtrail API',
      version: FLOWTRAIL_VERSION,
      description:
        'Metadata, artifacts and events of Flowtrail. Every route but health and this document needs `Authorization: Bearer <key>` when authentication is on; errors are `{ error: { code, message, details } }`.',
    },
    servers: [{ url: '/', description: 'This server (the API is under /api/v1, the web UI at /).' }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A key from `flowtrail server keys create`.' },
      },
    },
    security: [{ apiKey: [] }],
  };
}
