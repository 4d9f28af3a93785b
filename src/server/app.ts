/**
 * The HTTP API as a Hono app: routes from the tables in `routes/`, each input validated with its zod schema,
 * bearer auth with scopes, a body size limit, and one error shape for everything that goes wrong:
 * `{ error: { code, message, details } }` with a status from the error's code.
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type ErrorCode, FlowtrailError } from '../core/errors.ts';
import { type Authenticator, requireScope } from './auth.ts';
import { buildOpenApi } from './openapi.ts';
import { parseInput } from './parse-input.ts';
import type { Route, RouteContext } from './route.ts';
import { routes } from './routes/index.ts';
import { openApiRoute } from './routes/service-routes.ts';
import type { ServerStores } from './stores.ts';
import { defaultWebRoot, serveWebAssets } from './web-assets.ts';

export interface AppOptions {
  stores: ServerStores;
  /** Where deployed flows' modules are written to be loaded (see `RouteContext.buildDir`). */
  buildDir: string;
  auth: Authenticator;
  /** Largest request body in bytes (default 32 MiB). */
  maxBodyBytes?: number;
  /** Where request lines and unexpected errors go (never headers, so never a key). */
  log?: (line: string) => void;
  /** The web UI's build folder (default: the package's `dist/web`); `false` serves the API only. */
  webRoot?: string | false;
}

const STATUS: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  VALIDATION: 422,
  INVALID_PARAMETER: 422,
  INVALID_TRIGGER: 422,
  INVALID_PATHSPEC: 400,
  MALFORMED_REQUEST: 400,
  USAGE: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NAMESPACE_MISMATCH: 404,
  ARTIFACT_MISSING: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  STORE: 503,
  UNAVAILABLE: 503,
};

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Whether an error means the store cannot be reached (so the client should retry): connection
 * failures of `pg`, PostgreSQL's shutdown and connection-class codes, SQLite busy or I/O errors.
 */
function isStoreUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string') {
    if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(code))
      return true;
    if (/^(08|57P|53)/.test(code)) return true; // connection exception, operator intervention, resources
    if (/^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL)/.test(code)) return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
    message,
  );
}

function errorResponse(error: FlowtrailError, status: ContentfulStatusCode): Response {
  return new Response(JSON.stringify({ error: error.toJSON() }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/** Path template `/a/{b}` → Hono's `/a/:b`. */
const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** Query parameters as an object; a repeated name becomes a list. */
function queryObject(all: Record<string, string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(all)) out[key] = values.length === 1 ? values[0]! : values;
  return out;
}

async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '')
    throw new FlowtrailError('MALFORMED_REQUEST', 'The request has no body; send a JSON document.');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FlowtrailError(
      'MALFORMED_REQUEST',
      `The request body is not valid JSON: ${(e as Error).message}.`,
      {
        details: { body: 'json' },
      },
    );
  }
}

export function createApp(options: AppOptions): Hono {
  const { stores, auth } = options;
  const log = options.log ?? (() => {});
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = new Hono();
  const openapi = buildOpenApi([...routes, openApiRoute]);

  const handle =
    (r: Route) =>
    async (c: Context): Promise<Response> => {
      const principal =
        r.scope === 'public'
          ? { keyId: 'public', scope: 'read' as const }
          : await auth.authenticate(c.req.header('authorization'));
      if (r.scope !== 'public') requireScope(principal, r.scope);
      const params = r.params ? parseInput(r.params, c.req.param(), 'path') : undefined;
      const query = r.query ? parseInput(r.query, queryObject(c.req.queries()), 'query') : undefined;
      let body: unknown;
      if (r.body === 'bytes') body = new Uint8Array(await c.req.arrayBuffer());
      else if (r.body && r.bodyCheckedByHandler) body = await readJsonBody(c.req.raw);
      else if (r.body) body = parseInput(r.body, await readJsonBody(c.req.raw), 'body');
      const ctx: RouteContext = {
        stores,
        buildDir: options.buildDir,
        principal,
        idempotencyKey: c.req.header('idempotency-key'),
        hono: c,
      };
      const result = await r.handle({ params, query, body, ctx });
      if (result instanceof Response) return result;
      if (r.response === 'none' || result === undefined) return c.body(null, 204);
      return c.json(result as object, (r.status ?? 200) as ContentfulStatusCode);
    };

  if (options.log)
    app.use('*', async (c, next) => {
      const started = performance.now();
      await next();
      log(`${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`);
    });
  // Only routes that take a body pay for the limit.
  const limitBody = bodyLimit({
    maxSize: maxBodyBytes,
    onError: () =>
      errorResponse(
        new FlowtrailError(
          'PAYLOAD_TOO_LARGE',
          `The request body is larger than ${maxBodyBytes} bytes; send smaller batches (or start the server with a larger --max-body).`,
          { details: { maxBytes: maxBodyBytes } },
        ),
        413,
      ),
  });
  for (const r of [...routes, openApiRoute]) {
    const handler = r === openApiRoute ? () => Promise.resolve(Response.json(openapi)) : handle(r);
    if (r.body) app[r.method](honoPath(r.path), limitBody, handler);
    else app[r.method](honoPath(r.path), handler);
  }
  if (options.webRoot !== false) serveWebAssets(app, options.webRoot ?? defaultWebRoot());
  app.notFound((c) =>
    errorResponse(
      new FlowtrailError(
        'NOT_FOUND',
        `There is no route ${c.req.method} ${new URL(c.req.url).pathname}; see /api/v1/openapi.json.`,
        {
          details: { route: `${c.req.method} ${new URL(c.req.url).pathname}` },
        },
      ),
      404,
    ),
  );
  app.onError((error) => {
    if (error instanceof FlowtrailError) {
      const status = STATUS[error.code] ?? 500;
      if (status >= 500) log(`error ${error.code}: ${error.message}`);
      return errorResponse(error, status);
    }
    if (isStoreUnavailable(error)) {
      log(`store unavailable: ${(error as Error).message}`);
      return errorResponse(
        new FlowtrailError(
          'UNAVAILABLE',
          `The store (${stores.location}) cannot be reached: ${(error as Error).message}. Retry later.`,
        ),
        503,
      );
    }
    log(`unexpected error: ${(error as Error).stack ?? String(error)}`);
    return errorResponse(
      new FlowtrailError('INTERNAL', 'An unexpected error occurred in the server; its log has the details.'),
      500,
    );
  });
  return app;
}
