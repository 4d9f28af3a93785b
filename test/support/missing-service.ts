/**
 * What a test file does when a service its tests need is absent (PostgreSQL, Redis, s3rver,
 * Chromium): under `CI=true` one failing test saying what CI must provide; otherwise a loud
 * warning and the file's tests reported as skipped. The one place that rule lives.
 */
import { describe, it } from 'vitest';

export interface MissingService {
  /** The service, as the messages name it: `Redis`, `s3rver`, … */
  service: string;
  /** What is wrong, e.g. `Redis at redis://127.0.0.1:6379 is unreachable (ECONNREFUSED).` */
  message: string;
  /** How to provide it, for both messages. */
  hint: string;
}

export function declareMissingService(what: string, missing: MissingService): void {
  const { service, message, hint } = missing;
  if (process.env.CI === 'true') {
    describe(what, () => {
      it(`needs ${service} in CI`, () => {
        throw new Error(`${message} CI must provide it (${hint}).`);
      });
    });
    return;
  }
  console.warn(
    `\n${'!'.repeat(78)}\n!! SKIPPING the ${what} tests: ${message}\n!! ${hint}\n${'!'.repeat(78)}\n`,
  );
  describe.skip(`${what} (${service} missing)`, () => {
    it(`runs against ${service}`, () => {});
  });
}
