/**
 * Step code reads artifacts synchronously (`this.x`, `inputs[i].x`, `this.input`), which a remote
 * store cannot serve: an S3 store has no `getSync`. Before such a step runs, the task runner
 * fetches every blob the step *can* read — its parameters, the artifacts of its inputs, its foreach
 * collections — concurrently, and the step's reads are served from them. The cost is that blobs
 * the step never reads are downloaded too. Small blobs (≤ 4 MiB) go into the worker's blob cache,
 * so the next splits of a fan-out on this worker fetch their shared inputs (the collection, what
 * the split step inherited) only once; bigger ones are dropped when the task ends.
 */
import { StoreError } from '../core/errors.ts';
import type { ArtifactStore } from '../store/artifact-store.ts';
import { cachedBlob, rememberBlob } from './artifact-scope.ts';
import type { ArtifactRef, TaskAssignment } from './protocol.ts';

/** Parallel GETs per task (S3 serves many; more buys nothing on one link). */
const PREFETCH_CONCURRENCY = 8;

/** Every artifact a task's step may read. */
function readableRefs(task: TaskAssignment): ArtifactRef[] {
  const refs: ArtifactRef[] = [...Object.values(task.params)];
  for (const input of task.inputs) refs.push(...Object.values(input.artifacts));
  for (const frame of task.foreachStack) refs.push(frame.collection);
  return refs;
}

/**
 * The store a task's step reads through: `store` itself when it reads synchronously, else a view
 * of it whose `getSync` answers from the blobs fetched here.
 */
export async function prefetchForTask(store: ArtifactStore, task: TaskAssignment): Promise<ArtifactStore> {
  if (store.getSync) return store;
  const blobs = new Map<string, Uint8Array>();
  const wanted: string[] = [];
  for (const sha of new Set(readableRefs(task).map((r) => r.sha))) {
    const cached = cachedBlob(sha);
    if (cached) blobs.set(sha, cached);
    else wanted.push(sha);
  }
  let next = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const sha = wanted[next++]!;
      const bytes = await store.get(sha);
      blobs.set(sha, bytes);
      rememberBlob(sha, bytes);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PREFETCH_CONCURRENCY, wanted.length) }, worker));
  return {
    location: store.location,
    put: (bytes) => store.put(bytes),
    get: (sha) => store.get(sha),
    has: (sha) => store.has(sha),
    size: (sha) => store.size(sha),
    getSync(sha) {
      const bytes = blobs.get(sha);
      if (bytes) return bytes;
      // Unreachable unless a read path exists that `readableRefs` does not know of.
      throw new StoreError(
        `Artifact blob ${sha} was not prefetched from ${store.location}; a step can only read the artifacts of its inputs, parameters and foreach collections.`,
      );
    },
  };
}
