/** Webhook retry delays: exponential, jittered in the upper half, capped, at least a Retry-After. */
import { describe, expect, it } from 'vitest';
import {
  isRetryableStatus,
  MAX_RETRY_DELAY_MS,
  parseRetryAfter,
  retryDelayMs,
} from '../../../src/server/actions/webhook-retry.ts';

describe('webhook retries', () => {
  it('doubles the delay per retry, drawn from the upper half of it', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, 500, null, () => 0))).toEqual([250, 500, 1000]);
    expect([1, 2, 3].map((n) => retryDelayMs(n, 500, null, () => 1))).toEqual([500, 1000, 2000]);
  });

  it('caps the delay, also a Retry-After', () => {
    expect(retryDelayMs(20, 500, null, () => 1)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(1, 500, 3_600_000, () => 1)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(1, 500, 5_000, () => 0)).toBe(5_000);
  });

  it('reads Retry-After as seconds or as a date', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(new Date(now + 3_000).toUTCString(), now)).toBe(3_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it('retries 429 and 5xx only', () => {
    expect([200, 301, 400, 404, 429, 500, 503].filter(isRetryableStatus)).toEqual([429, 500, 503]);
  });
});
