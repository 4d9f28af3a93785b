/**
 * The `call-webhook` action: one HTTP request per execution to the literal URL, with the headers of
 * a stored secret and the rendered body, to an address checked before connecting
 * (`webhook-address.ts`); tried again (bounded by `retries`) only on network errors, timeouts,
 * 429 and 5xx. Messages name the URL without its query or credentials, and never hold a secret
 * value: a body excerpt that echoes one has it blanked out.
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallWebhookAction } from '../../automations/model.ts';
import { FLOWTRAIL_VERSION } from '../../core/version.ts';
import { ActionFailure } from './action-failure.ts';
import type { ActionContext, ActionDone, ActionServices } from './action-services.ts';
import { actionField, rendered, templateContext } from './action-templates.ts';
import { checkWebhookHost } from './webhook-address.ts';
import { sendWebhookRequest, WebhookTransportError } from './webhook-request.ts';
import { isRetryableStatus, parseRetryAfter, retryDelayMs } from './webhook-retry.ts';

const DEFAULT_RETRY_BASE_MS = 500;
/** Characters of an answer's body quoted in a failure. */
const EXCERPT_CHARS = 200;
/** Secret values shorter than this are not blanked out of excerpts (they would blank common words). */
const MIN_REDACTED_LENGTH = 4;
/** Words of a secret value this long are blanked out on their own too. */
const MIN_REDACTED_WORD = 8;

/** The headers of the stored secret, checked as headers (a bad one is named, its value never shown). */
async function secretHeaders(
  action: CallWebhookAction,
  services: ActionServices,
  field: string,
): Promise<Record<string, string>> {
  if (action.headersSecret === null) return {};
  const secret = await services.secrets.get(action.headersSecret);
  if (secret === undefined)
    throw new ActionFailure(
      `The secret '${action.headersSecret}' (the headers of ${field}) is not stored; store it under that name, or set 'headersSecret' to null.`,
    );
  for (const [name, value] of Object.entries(secret)) {
    try {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, value);
    } catch {
      throw new ActionFailure(
        `The secret '${action.headersSecret}' holds an invalid HTTP header '${name}' (a bad name, or a value with control characters).`,
      );
    }
  }
  return secret;
}

function requestHeaders(
  context: ActionContext,
  body: string | null,
  secret: Record<string, string>,
): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': `flowtrail/${FLOWTRAIL_VERSION}`,
    'flowtrail-automation-id': context.automation.id,
    // The same for every execution of this action of this firing: receivers can deduplicate on it.
    'flowtrail-action-id': context.record.id,
  };
  if (body !== null)
    headers['content-type'] = isJson(body) ? 'application/json' : 'text/plain; charset=utf-8';
  const given = new Set(Object.keys(secret).map((k) => k.toLowerCase()));
  for (const key of Object.keys(headers)) if (given.has(key)) delete headers[key];
  return { ...headers, ...secret };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * What to blank out of excerpts: each secret value, and its long words on their own (an endpoint
 * may echo the token of `Bearer <token>` without the scheme). Longest first, so a value goes whole.
 */
function redactable(secret: Record<string, string>): string[] {
  const parts = new Set<string>();
  for (const value of Object.values(secret)) {
    if (value.length >= MIN_REDACTED_LENGTH) parts.add(value);
    for (const word of value.split(/\s+/)) if (word.length >= MIN_REDACTED_WORD) parts.add(word);
  }
  return [...parts].sort((a, b) => b.length - a.length);
}

/** The start of an answer's body on one line, with every secret value blanked out. */
function excerpt(body: string, secrets: readonly string[]): string {
  let text = body;
  for (const value of secrets) text = text.split(value).join('[secret]');
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function callWebhook(
  action: CallWebhookAction,
  context: ActionContext,
  services: ActionServices,
): Promise<ActionDone> {
  const field = actionField(context);
  const url = new URL(action.url);
  const shown = `${url.origin}${url.pathname}`;
  const secret = await secretHeaders(action, services, field);
  const secretValues = redactable(secret);
  const body =
    action.body === null
      ? null
      : rendered(() =>
          services.templates.renderText(action.body!, templateContext(context), `${field}.body`),
        );
  const headers = requestHeaders(context, body, secret);
  const tries = action.retries + 1;
  const settings = services.webhooks;
  let failure = '';
  for (let attempt = 1; attempt <= tries; attempt++) {
    let retryAfter: number | null = null;
    let retryable = true;
    try {
      const address = await checkWebhookHost(url, { ...settings, shown }).catch((error: unknown) => {
        if (error instanceof ActionFailure) throw new ActionFailure(error.message, { attempts: attempt });
        throw new WebhookTransportError(
          'network',
          `cannot resolve '${url.hostname}': ${(error as Error).message}`,
        );
      });
      const answer = await sendWebhookRequest({
        url,
        method: action.method,
        headers,
        body,
        timeoutMs: action.timeoutMs,
        address,
      });
      if (answer.status >= 200 && answer.status < 300)
        return { message: `HTTP ${answer.status} from ${shown}`, target: null, attempts: attempt };
      const quoted = excerpt(answer.body, secretValues);
      failure = `HTTP ${answer.status} from ${shown}${quoted ? `: ${quoted}` : ''}`;
      retryable = isRetryableStatus(answer.status);
      retryAfter = parseRetryAfter(answer.retryAfter, Date.now());
    } catch (error) {
      if (!(error instanceof WebhookTransportError)) throw error;
      retryable = error.kind !== 'certificate';
      failure =
        error.kind === 'timeout'
          ? `No answer from ${shown} within ${action.timeoutMs} ms`
          : `Calling ${shown} failed: ${excerpt(error.message, secretValues)}`;
    }
    if (!retryable || attempt === tries)
      throw new ActionFailure(`${failure} (after ${plural(attempt, 'attempt')})`, { attempts: attempt });
    await sleep(retryDelayMs(attempt, settings.retryBaseMs ?? DEFAULT_RETRY_BASE_MS, retryAfter));
  }
  throw new ActionFailure(failure, { attempts: tries });
}
