/**
 * The one place that talks HTTP to a Flowtrail service: bearer auth, JSON in and out, errors
 * rebuilt into their Flowtrail classes, and retries with backoff for what may succeed later
 * (connection refused or reset, 429, 502, 503, 504). Every request the adapters send is safe to
 * repeat: reads are, events carry their ids, artifacts are content-addressed, and metadata writes
 * carry an idempotency key that the store records in the write's own transaction.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as wait } from 'node:timers/promises';
import { errorFromJSON, FlowtrailError, UnavailableError } from '../../core/errors.ts';

export interface RetryPolicy {
  /** First backoff in ms (doubles each try, with jitter). Default 100. */
  baseMs?: number;
  /** Longest single backoff in ms. Default 2,000. */
  maxMs?: number;
  /** Give up after this long in ms since the first try. Default 60,000. */
  deadlineMs?: number;
}

export interface ServiceClientOptions {
  /** Base URL of the service, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** A key from `flowtrail server keys create`; sent as a bearer token. */
  apiKey?: string;
  retry?: RetryPolicy;
}

type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** A JSON body. */
  json?: unknown;
  /** A raw body (artifact bytes). */
  bytes?: Uint8Array;
  /** Send an idempotency key (the same one on every retry of this call). */
  idempotent?: boolean;
  /** The idempotency key to send (default: a new random one per call). */
  idempotencyKey?: string;
  /** Answer `undefined` for a 404 about the object (not about the route). */
  notFoundAsUndefined?: boolean;
  /** Read the answer as bytes rather than JSON. */
  expectBytes?: boolean;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);

interface RawResponse {
  status: number;
  body: Buffer;
}

/**
 * One HTTP exchange over a keep-alive agent. `node:http` rather than `fetch`: per request it costs
 * a fraction of the CPU (a metadata read under load spent more in undici than in the server).
 */
function send(
  agent: http.Agent,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
): Promise<RawResponse> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    if (body !== undefined) request.setHeader('content-length', Buffer.byteLength(body));
    request.end(body);
  });
}

/** Whether a fetch failure is a connection problem worth retrying (rather than a bug). */
function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  return (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|ENETUNREACH)$/.test(code)
  );
}

export class ServiceClient {
  readonly url: string;
  /** Requests sent (retries included), for tests that bound the work of a call. */
  requestCount = 0;
  /** Logical calls made (one per adapter method call, whatever the retries). */
  callCount = 0;
  private readonly auth: string | undefined;
  private readonly retry: Required<RetryPolicy>;
  private readonly agent: http.Agent;

  constructor(options: ServiceClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new FlowtrailError(
        'USAGE',
        `The service URL '${options.url}' is not a URL; give one like http://127.0.0.1:8787.`,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new FlowtrailError(
        'USAGE',
        `The service URL '${options.url}' must start with http:// or https://.`,
      );
    this.url = parsed.toString().replace(/\/+$/, '');
    this.auth = options.apiKey ? `Bearer ${options.apiKey}` : undefined;
    this.retry = { baseMs: 100, maxMs: 2000, deadlineMs: 60_000, ...options.retry };
    const Agent = parsed.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 64 });
  }

  /** Sends one logical request, retrying transient failures; throws the service's error otherwise. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    this.callCount++;
    const url = new URL(this.url + path + queryString(options.query));
    const headers: Record<string, string> = {
      accept: options.expectBytes ? 'application/octet-stream' : 'application/json',
    };
    if (this.auth) headers.authorization = this.auth;
    let body: string | Uint8Array | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.bytes !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      body = options.bytes;
    }
    if (options.idempotent) headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
    const started = Date.now();
    let delay = this.retry.baseMs;
    for (let attempt = 1; ; attempt++) {
      let response: RawResponse | undefined;
      let failure: unknown;
      try {
        this.requestCount++;
        response = await send(this.agent, url, method, headers, body);
      } catch (e) {
        if (!isConnectionFailure(e)) throw e;
        failure = e;
      }
      if (response && !RETRY_STATUSES.has(response.status))
        return this.answer<T>(response, method, path, options);
      const reason = response
        ? `HTTP ${response.status}${errorMessageOf(response)}`
        : `${(failure as Error).message}`;
      if (Date.now() - started + delay > this.retry.deadlineMs)
        throw new UnavailableError(
          `The Flowtrail service at ${this.url} did not complete ${method} ${path} after ${attempt} tries over ${Math.round((Date.now() - started) / 1000)} s (last: ${reason}). Check that the server is running and reachable, then retry.`,
          failure,
        );
      await wait(delay / 2 + Math.random() * (delay / 2));
      delay = Math.min(delay * 2, this.retry.maxMs);
    }
  }

  private answer<T>(response: RawResponse, method: string, path: string, options: RequestOptions): T {
    if (response.status >= 200 && response.status < 300) {
      if (response.status === 204) return undefined as T;
      if (options.expectBytes)
        return new Uint8Array(response.body.buffer, response.body.byteOffset, response.body.byteLength) as T;
      return JSON.parse(response.body.toString('utf8')) as T;
    }
    const text = response.body.toString('utf8');
    let parsed: { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    if (!parsed?.error)
      throw new FlowtrailError(
        'INTERNAL',
        `The Flowtrail service at ${this.url} answered ${method} ${path} with HTTP ${response.status} and no error document: ${text.slice(0, 200)}`,
      );
    const error = errorFromJSON(parsed.error);
    if (options.notFoundAsUndefined && error.code === 'NOT_FOUND' && error.details.route === undefined)
      return undefined as T;
    throw error;
  }

  /** Closes idle keep-alive connections (they would otherwise keep the process alive briefly). */
  close(): void {
    this.agent.destroy();
  }
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function errorMessageOf(response: RawResponse): string {
  try {
    const body = JSON.parse(response.body.toString('utf8')) as { error?: { message?: string } };
    return body.error?.message ? `: ${body.error.message}` : '';
  } catch {
    return '';
  }
}
