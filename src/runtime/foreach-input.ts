import type { ArtifactStore } from '../store/artifact-store.ts';
import { loadArtifact } from './artifact-scope.ts';
import type { ArtifactRef } from './protocol.ts';

/** The last foreach collection this worker decoded: every split of a fan-out reads the same one. */
let lastCollection: { sha: string; value: unknown } | undefined;

function elementAt(collection: unknown, index: number): unknown {
  if (Array.isArray(collection)) return collection[index];
  return Array.from(collection as Iterable<unknown>)[index];
}

const isImmutable = (v: unknown): boolean => v === null || (typeof v !== 'object' && typeof v !== 'function');

/**
 * A foreach split's `input`: element `index` of the collection. An immutable element (number,
 * string, …) comes from the collection decoded once per worker; an object is decoded afresh, so a
 * step that mutates its input cannot change what a later split on this worker sees.
 */
export function foreachInput(store: ArtifactStore, collection: ArtifactRef, index: number): unknown {
  if (lastCollection?.sha === collection.sha) {
    const element = elementAt(lastCollection.value, index);
    if (isImmutable(element)) return element;
  }
  const value = loadArtifact(store, collection);
  const element = elementAt(value, index);
  // Kept only when what step code gets from it cannot be mutated.
  if (isImmutable(element)) lastCollection = { sha: collection.sha, value };
  return element;
}
