/**
 * The typed API client: openapi-fetch over the types generated from the server's OpenAPI document
 * (`schema.gen.ts`, written by scripts/build-web.mjs), so a changed route breaks this build, not
 * the UI's users. Every request carries the tab's key as a bearer header; a 401 asks for one.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import { apiKey, markKeyNeeded } from './api-key.ts';
import type { components, paths } from './schema.gen.ts';

const auth: Middleware = {
  onRequest({ request }) {
    const key = apiKey();
    if (key) request.headers.set('authorization', `Bearer ${key}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) markKeyNeeded();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

/** Headers for requests made outside openapi-fetch (the event stream, downloads). */
export function authHeaders(): Record<string, string> {
  const key = apiKey();
  return key ? { authorization: `Bearer ${key}` } : {};
}

export type Schemas = components['schemas'];
export type RunRecord = Schemas['Run'];
export type TaskRecord = Schemas['Task'];
export type FlowtrailEventRecord = Schemas['Event'];
