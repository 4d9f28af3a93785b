/**
 * When a webhook is tried again: only after a failure that another try may not repeat — a network
 * error, a timeout, 429 or a 5xx — after an exponential delay with jitter (so many automations
 * failing against one endpoint do not retry in step), honouring a `Retry-After` up to the cap.
 */

/** The longest wait between two tries. */
export const MAX_RETRY_DELAY_MS = 30_000;

/** Whether an HTTP status is worth another try. */
export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

/**
 * The wait before retry number `retry` (1 for the first): `baseMs · 2^(retry−1)`, capped, drawn
 * uniformly from its upper half; at least `retryAfterMs` when the server asked for it (capped too).
 *
 * @example
 * retryDelayMs(1, 500); // 250…500
 * retryDelayMs(3, 500); // 1000…2000
 */
export function retryDelayMs(
  retry: number,
  baseMs: number,
  retryAfterMs: number | null = null,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(baseMs * 2 ** (retry - 1), MAX_RETRY_DELAY_MS);
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.min(Math.max(jittered, retryAfterMs ?? 0), MAX_RETRY_DELAY_MS));
}

/** A `Retry-After` header (seconds, or an HTTP date) in ms from `now`, or null. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
