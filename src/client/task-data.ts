import { NotFoundError } from '../core/errors.ts';
import { childPathspec } from '../core/pathspec.ts';
import { type CodecId, decodeArtifact } from '../store/codec.ts';
import type { ArtifactRecord } from '../store/metadata-store.ts';
import type { ClientStores } from './provider.ts';

/**
 * A task's artifact values by name: `await task.data.x` loads one artifact; `await task.data`
 * loads them all into a plain object.
 */
export type TaskData<A> = PromiseLike<A> & { readonly [K in keyof A]-?: Promise<A[K]> };

/** Reads and decodes one stored artifact. */
export async function readArtifactValue(stores: ClientStores, record: ArtifactRecord): Promise<unknown> {
  // A local store reads small blobs faster synchronously than through the thread pool.
  const bytes = stores.artifacts.getSync
    ? stores.artifacts.getSync(record.sha)
    : await stores.artifacts.get(record.sha);
  return decodeArtifact(record.codec as CodecId, bytes);
}

/** A task's artifact index: what `data` reads from, and the task it belongs to (for messages). */
export interface TaskArtifacts {
  stores: ClientStores;
  /** The task's pathspec. */
  task: string;
  records: Map<string, ArtifactRecord>;
}

/** What a task does have, for a missing-artifact message: `has a, b` or `stored no artifacts`. */
export function storedArtifacts(records: Map<string, ArtifactRecord>): string {
  const names = [...records.keys()].sort();
  return names.length > 0 ? `has ${names.join(', ')}` : 'stored no artifacts';
}

/**
 * Builds `data` over a loader of a task's artifact index. Nothing is read until a value is
 * awaited, and then only that value.
 */
export function taskData<A>(load: () => Promise<TaskArtifacts>): TaskData<A> {
  let loading: Promise<TaskArtifacts> | undefined;
  const artifacts = () => {
    loading ??= load();
    return loading;
  };
  const value = async (name: string): Promise<unknown> => {
    const index = await artifacts();
    const record = index.records.get(name);
    if (!record)
      throw new NotFoundError(
        childPathspec(index.task, name),
        `Task('${index.task}') has no artifact '${name}'; it ${storedArtifacts(index.records)}.`,
      );
    return readArtifactValue(index.stores, record);
  };
  const everything = async (): Promise<A> => {
    const { stores, records } = await artifacts();
    const out: Record<string, unknown> = {};
    await Promise.all(
      [...records.values()].map(async (r) => (out[r.name] = await readArtifactValue(stores, r))),
    );
    return out as A;
  };
  return new Proxy(Object.create(null) as object, {
    get(_t, prop) {
      if (prop === 'then')
        return (a?: (v: A) => unknown, b?: (e: unknown) => unknown) => everything().then(a, b);
      if (typeof prop === 'symbol') return undefined;
      return {
        // biome-ignore lint/suspicious/noThenProperty: a lazy thenable, so an unawaited read never rejects unhandled
        then: (a?: (v: unknown) => unknown, b?: (e: unknown) => unknown) => value(prop).then(a, b),
        catch: (b?: (e: unknown) => unknown) => value(prop).catch(b),
        finally: (f?: () => void) => value(prop).finally(f),
      };
    },
  }) as TaskData<A>;
}
