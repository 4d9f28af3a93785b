/**
 * Declares a test file's S3 tests over one loopback s3rver (`s3rver.ts`), started when the file
 * loads and stopped after its tests. When s3rver cannot start, the file fails under `CI=true` and
 * skips loudly otherwise (like the PostgreSQL tests).
 */
import { afterAll } from 'vitest';
import { declareMissingService } from './missing-service.ts';
import { type LoopbackS3, startS3rver } from './s3rver.ts';

const started = await startS3rver().then(
  (s3) => ({ s3, problem: undefined }),
  (error: unknown) => ({ s3: undefined, problem: error instanceof Error ? error.message : String(error) }),
);

let prefixes = 0;

/** What an S3 test gets: the server, and prefixes no other test of the file uses. */
export interface TestS3 {
  s3: LoopbackS3;
  /** `s3://<bucket>/<fresh prefix>` */
  freshUrl(): string;
}

/**
 * @example
 * s3Tests('S3 artifact store', (t) => {
 *   runArtifactStoreSuite('s3', async () => ({ store: new S3ArtifactStore(t.freshUrl(), t.s3.env), cleanup: async () => {} }));
 * });
 */
export function s3Tests(what: string, body: (t: TestS3) => void): void {
  const { s3, problem } = started;
  if (!s3) {
    declareMissingService(what, {
      service: 's3rver',
      message: `s3rver could not start on 127.0.0.1 (${problem}).`,
      hint: 'the npm package s3rver, a dev dependency, run by the tests on loopback',
    });
    return;
  }
  afterAll(() => s3.stop());
  body({
    s3,
    freshUrl: () => `s3://${s3.bucket}/t${process.pid}-${(prefixes++).toString(36)}`,
  });
}
