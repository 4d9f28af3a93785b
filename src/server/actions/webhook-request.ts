/**
 * One webhook request with `node:http`/`node:https` (no `fetch`: it takes no `lookup`, so it could
 * not be held to the checked address). A fresh connection every time (`agent: false`): a pooled
 * socket could have been opened to another address. Redirects are not followed — a 3xx is the
 * answer — so a redirect cannot lead to an address that was never checked. The timeout covers the
 * whole exchange, from connecting to the end of the answer.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { bareHost, pinnedLookup, type ResolvedAddress } from './webhook-address.ts';

/** How much of an answer's body is kept (for the failure's excerpt); the rest is not read. */
const BODY_LIMIT_BYTES = 8 * 1024;

export interface WebhookAnswer {
  status: number;
  /** The start of the body, as text. */
  body: string;
  /** The `Retry-After` header, as sent. */
  retryAfter: string | undefined;
}

/**
 * The request got no answer: a timeout or a network error — worth another try, except a TLS
 * certificate the client refuses (it will be refused again).
 */
export class WebhookTransportError extends Error {
  readonly kind: 'timeout' | 'network' | 'certificate';
  constructor(kind: 'timeout' | 'network' | 'certificate', message: string) {
    super(message);
    this.name = 'WebhookTransportError';
    this.kind = kind;
  }
}

/** Node's codes for a certificate TLS verification refused (`DEPTH_ZERO_SELF_SIGNED_CERT`, `CERT_HAS_EXPIRED`…). */
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|ERR_TLS_CERT/;

function transportError(error: NodeJS.ErrnoException): WebhookTransportError {
  const kind = error.code && CERTIFICATE_ERROR.test(error.code) ? 'certificate' : 'network';
  return new WebhookTransportError(kind, error.message);
}

export interface WebhookRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  timeoutMs: number;
  /** The checked address to connect to. */
  address: ResolvedAddress;
}

/**
 * Sends one request to the checked address and reads the start of the answer.
 *
 * @throws WebhookTransportError when no answer comes in time or the connection fails.
 */
export function sendWebhookRequest(request: WebhookRequest): Promise<WebhookAnswer> {
  const { url } = request;
  const host = bareHost(url);
  const secure = url.protocol === 'https:';
  return new Promise<WebhookAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const options: https.RequestOptions = {
      host,
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: request.headers,
      agent: false,
      lookup: pinnedLookup(request.address),
      auth: url.username
        ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
        : undefined,
      // TLS checks the certificate against the name in the URL, not the address connected to.
      ...(secure && net.isIP(host) === 0 ? { servername: host } : {}),
    };
    const req = (secure ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const answer = () => ({
        status: res.statusCode ?? 0,
        body: Buffer.concat(chunks).toString('utf8'),
        retryAfter: res.headers['retry-after'],
      });
      res.on('data', (chunk: Buffer) => {
        if (size < BODY_LIMIT_BYTES) chunks.push(chunk.subarray(0, BODY_LIMIT_BYTES - size));
        size += chunk.length;
        if (size >= BODY_LIMIT_BYTES) {
          finish(() => resolve(answer()));
          res.destroy();
        }
      });
      res.on('end', () => finish(() => resolve(answer())));
      res.on('error', (error) => finish(() => reject(transportError(error))));
    });
    const timer = setTimeout(() => {
      finish(() =>
        reject(new WebhookTransportError('timeout', `no complete answer within ${request.timeoutMs} ms`)),
      );
      req.destroy();
    }, request.timeoutMs);
    req.on('error', (error) => finish(() => reject(transportError(error))));
    req.end(request.body ?? undefined);
  });
}
