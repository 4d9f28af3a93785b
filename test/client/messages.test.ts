/**
 * What the client says when something is not there: each message names the object asked for and
 * what there is instead (the task's artifacts, the run's steps, the object's namespace), and a bad
 * page size names the `limit` option and its range.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DataArtifact,
  Flow,
  listEvents,
  metadata,
  NamespaceMismatchError,
  namespace,
  Run,
  Step,
  ValidationError,
} from '../../src/index.ts';
import { runFlow, type TempHome, tempHome } from '../../src/testing/index.ts';
import { example } from '../helpers.ts';

let home: TempHome;
let user: string;
let endTask: string;

beforeAll(async () => {
  home = await tempHome();
  const result = await runFlow({ file: example('hello.ts'), home: home.path });
  user = result.run.user;
  metadata(home.path);
  endTask = (await Run.get(result.pathspec).endTask).pathspec;
});

afterAll(async () => {
  await home[Symbol.asyncDispose]();
});

describe('client messages', () => {
  it("a missing artifact names the task's pathspec and lists what it has", async () => {
    // Through the run (its end task) and through the task: both name the task.
    await expect(Run.get('HelloFlow/1').data.nope).rejects.toThrow(
      `Task('${endTask}') has no artifact 'nope'; it has message.`,
    );
    await expect(Step.get('HelloFlow/1/end').task.data.nope).rejects.toThrow(`Task('${endTask}')`);
    await expect(DataArtifact.get(`${endTask}/nope`)).rejects.toThrow(
      `DataArtifact('${endTask}/nope') does not exist; Task('${endTask}') has message.`,
    );
  });

  it("a missing step lists the run's steps", async () => {
    await expect(Run.get('HelloFlow/1').get('nope')).rejects.toThrow(
      "Step('HelloFlow/1/nope') does not exist; Run('HelloFlow/1') has steps start, hello, end.",
    );
    await expect(Step.get('HelloFlow/1/nope')).rejects.toThrow('has steps start, hello, end');
  });

  it('a namespace mismatch says which namespace the object is in', async () => {
    namespace('user:somebody-else');
    try {
      const error = await Run.get('HelloFlow/1').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(NamespaceMismatchError);
      expect((error as Error).message).toContain(`it is in namespace 'user:${user}'`);
      await expect(Flow.get('HelloFlow')).rejects.toThrow(`it is in namespace 'user:${user}'`);
    } finally {
      namespace(`user:${user}`);
    }
  });

  it('listEvents names the limit option and its range', async () => {
    for (const limit of [0, 501, 1.5]) {
      const error = await listEvents({}, { limit }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('limit');
      expect((error as Error).message).toContain('`limit`');
      expect((error as Error).message).toContain('from 1 to 500');
      expect((error as Error).message).not.toContain('page size');
    }
    expect((await listEvents({}, { limit: 500 })).events.length).toBeGreaterThan(0);
  });
});
