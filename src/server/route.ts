/**
 * A route of the HTTP API as data: method, path, scope, zod schemas of its inputs and answer, and
 * a handler. `app.ts` registers them on Hono (validating inputs with the schemas) and `openapi.ts`
 * describes them — the schemas are the single source of both.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import type { ApiKeyScope } from '../store/api-key-store.ts';
import type { Principal } from './auth.ts';
import type { ServerStores } from './stores.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteContext {
  stores: ServerStores;
  /** Where the server writes deployed flows' modules to load them (the trigger engine's too). */
  buildDir: string;
  principal: Principal;
  /** The request's `Idempotency-Key` header, when sent. */
  idempotencyKey: string | undefined;
  /** Hono's context, for answers that are not JSON (bytes, event streams). */
  hono: Context;
}

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<
  P extends Schema | undefined,
  Q extends Schema | undefined,
  B extends Schema | 'bytes' | undefined,
> {
  method: HttpMethod;
  /** OpenAPI style: `/api/v1/runs/{runId}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: 'system' | 'metadata' | 'artifacts' | 'events' | 'deployments' | 'automations';
  /** The least scope a key needs; `public` routes need no key. */
  scope: ApiKeyScope | 'public';
  params?: P;
  query?: Q;
  /** A JSON body schema, or `bytes` for a raw body. */
  body?: B;
  /**
   * Document `body` but hand the handler the parsed JSON unchecked, because it validates the
   * input itself with a stricter checker that names fields better (events: `events/validate-event.ts`).
   */
  bodyCheckedByHandler?: boolean;
  /** The answer: a JSON schema, `bytes`, an event stream (`sse`) or nothing (204). */
  response: Schema | 'bytes' | 'sse' | 'none';
  /** Status of a successful answer (default 200, or 204 for `none`). */
  status?: number;
  /** Headers the route reads, for the OpenAPI document. */
  headers?: readonly { name: string; description: string }[];
  handle(input: {
    params: Out<P>;
    query: Out<Q>;
    body: B extends 'bytes' ? Uint8Array : Out<B>;
    ctx: RouteContext;
  }): Promise<unknown>;
}

/** The erased form `app.ts` and `openapi.ts` iterate over. */
export interface Route {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  scope: ApiKeyScope | 'public';
  params?: Schema | undefined;
  query?: Schema | undefined;
  body?: Schema | 'bytes' | undefined;
  bodyCheckedByHandler?: boolean | undefined;
  response: Schema | 'bytes' | 'sse' | 'none';
  status?: number | undefined;
  headers?: readonly { name: string; description: string }[] | undefined;
  handle(input: { params: unknown; query: unknown; body: unknown; ctx: RouteContext }): Promise<unknown>;
}

/** Declares a route; the handler's inputs are typed from the schemas. */
export function route<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | 'bytes' | undefined = undefined,
>(spec: RouteSpec<P, Q, B>): Route {
  return spec as unknown as Route;
}
