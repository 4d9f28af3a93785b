import { MergeConflictError, ParameterError, UsageError } from '../core/errors.ts';
import type { MergeOptions } from '../flow/flow-spec.ts';
import type { ArtifactStore } from '../store/artifact-store.ts';
import { type CodecId, decodeArtifact, encodeArtifact } from '../store/codec.ts';
import type { ArtifactRef, ArtifactRefs, TaskInput } from './protocol.ts';

interface Slot {
  ref: ArtifactRef;
  loaded: boolean;
  value: unknown;
  /** Read or written by step code: must be encoded again at the end (it may have been mutated). */
  touched: boolean;
}

const INPUT_REFS = Symbol('flowtrail.inputRefs');

/** Small decoded-bytes cache shared by the tasks a worker runs (e.g. a foreach collection read by every split). */
const blobCache = new Map<string, Uint8Array>();
let blobCacheBytes = 0;
const BLOB_CACHE_LIMIT = 64 * 1024 * 1024;
const BLOB_CACHE_ENTRY_LIMIT = 4 * 1024 * 1024;

/** The worker's cached bytes of `sha`, if any (a prefetch can skip it). */
export function cachedBlob(sha: string): Uint8Array | undefined {
  return blobCache.get(sha);
}

/** Keeps small blobs for the next tasks of this worker; the cache starts over when full. */
export function rememberBlob(sha: string, bytes: Uint8Array): void {
  if (bytes.byteLength > BLOB_CACHE_ENTRY_LIMIT || blobCache.has(sha)) return;
  if (blobCacheBytes + bytes.byteLength > BLOB_CACHE_LIMIT) {
    blobCache.clear();
    blobCacheBytes = 0;
  }
  blobCache.set(sha, bytes);
  blobCacheBytes += bytes.byteLength;
}

function readBlob(store: ArtifactStore, sha: string): Uint8Array {
  const hit = blobCache.get(sha);
  if (hit) return hit;
  if (!store.getSync)
    throw new UsageError(
      `The artifact store ${store.location} cannot read synchronously; the task runner prefetches for it (artifact-prefetch.ts).`,
    );
  const bytes = store.getSync(sha);
  rememberBlob(sha, bytes);
  return bytes;
}

/** Decodes an artifact from the store (through the worker's blob cache). */
export function loadArtifact(store: ArtifactStore, ref: ArtifactRef): unknown {
  const bytes = readBlob(store, ref.sha);
  // A bytes artifact decodes to its bytes themselves: step code may change them in place, so the
  // cache's copy (read by this worker's later tasks) is never handed out.
  const raw = ref.codec === 'raw' || ref.codec === 'raw-uint8array';
  return decodeArtifact(
    ref.codec as CodecId,
    raw && blobCache.get(ref.sha) === bytes ? new Uint8Array(bytes) : bytes,
  );
}

/** Encodes and stores one value, returning its reference. */
export async function storeArtifact(
  store: ArtifactStore,
  name: string,
  value: unknown,
): Promise<ArtifactRef> {
  const { codec, bytes } = encodeArtifact(name, value);
  const blob = await store.put(bytes);
  return { sha: blob.sha, codec, size: blob.size };
}

/**
 * The artifacts of one task inside a worker: inherited values load lazily on first read, values
 * assigned to `this` are encoded at the end, and untouched inherited values keep their stored bytes.
 */
export class ArtifactScope {
  private readonly slots = new Map<string, Slot>();
  private readonly params = new Map<string, ArtifactRef>();
  /** Declared fields (`x!: T`) still undefined and never assigned: not artifacts (yet). */
  private readonly unassigned = new Set<string>();

  constructor(
    private readonly store: ArtifactStore,
    private readonly target: object,
  ) {
    // A declared field is an own property holding undefined from construction on; watch it so an
    // explicit `this.x = undefined` in the step is told apart from a field never assigned.
    const fields = target as Record<string, unknown>;
    for (const name of Object.keys(fields)) {
      if (fields[name] !== undefined) continue;
      let value: unknown;
      this.unassigned.add(name);
      Object.defineProperty(target, name, {
        enumerable: true,
        configurable: true,
        get: () => value,
        set: (v: unknown) => {
          value = v;
          this.unassigned.delete(name);
        },
      });
    }
  }

  /** Parameters: read-only, lazily decoded. */
  installParams(refs: ArtifactRefs): void {
    for (const [name, ref] of Object.entries(refs)) {
      this.params.set(name, ref);
      let loaded = false;
      let value: unknown;
      Object.defineProperty(this.target, name, {
        enumerable: false,
        configurable: true,
        get: () => {
          if (!loaded) {
            value = loadArtifact(this.store, ref);
            loaded = true;
          }
          return value;
        },
        set: () => {
          throw new ParameterError(
            name,
            `Parameter '${name}' is read-only inside steps; store a derived value under another name.`,
          );
        },
      });
    }
  }

  /** Inherited (or merged) artifacts become lazy accessors on the flow instance. */
  installInherited(refs: ArtifactRefs): void {
    for (const [name, ref] of Object.entries(refs)) {
      if (this.params.has(name)) continue;
      this.installSlot(name, ref);
    }
  }

  private installSlot(name: string, ref: ArtifactRef): void {
    const slot: Slot = { ref, loaded: false, value: undefined, touched: false };
    this.slots.set(name, slot);
    Object.defineProperty(this.target, name, {
      enumerable: true,
      configurable: true,
      get: () => {
        if (!slot.loaded) {
          slot.value = loadArtifact(this.store, slot.ref);
          slot.loaded = true;
        }
        slot.touched = true;
        return slot.value;
      },
      set: (v: unknown) => {
        slot.value = v;
        slot.loaded = true;
        slot.touched = true;
      },
    });
  }

  /** True when the step set `name` itself (not inherited untouched). */
  private isSetHere(name: string): boolean {
    const slot = this.slots.get(name);
    if (slot) return slot.touched;
    return Object.hasOwn(this.target, name) && !this.unassigned.has(name);
  }

  /** Implements `mergeArtifacts` for a join. */
  merge(inputs: readonly object[], options: MergeOptions): void {
    if (options.include && options.exclude) {
      throw new UsageError('mergeArtifacts: give either include or exclude, not both.');
    }
    const refsOf = (input: object): ArtifactRefs | undefined =>
      (input as Record<symbol, ArtifactRefs | undefined>)[INPUT_REFS];
    const all = inputs.map((input) => {
      const refs = refsOf(input);
      if (!refs)
        throw new UsageError(
          'mergeArtifacts can only be called in a join step, with the inputs the join received.',
        );
      return refs;
    });
    const names = new Set<string>();
    for (const refs of all) for (const n of Object.keys(refs)) if (!this.params.has(n)) names.add(n);
    const exclude = new Set(options.exclude ?? []);
    const include = options.include ? new Set(options.include) : undefined;
    if (include) {
      const missing = [...include].filter((n) => !names.has(n));
      if (missing.length > 0) {
        throw new MergeConflictError(
          `mergeArtifacts: ${missing.map((n) => `'${n}'`).join(', ')} listed in include but found in no input.`,
          {
            missing,
          },
        );
      }
    }
    const conflicts: string[] = [];
    const merged: ArtifactRefs = {};
    for (const name of names) {
      if (exclude.has(name) || (include && !include.has(name)) || this.isSetHere(name)) continue;
      const present = all.map((refs) => refs[name]).filter((r): r is ArtifactRef => r !== undefined);
      const shas = new Set(present.map((r) => r.sha));
      if (shas.size > 1) conflicts.push(name);
      else merged[name] = present[0]!;
    }
    if (conflicts.length > 0) {
      throw new MergeConflictError(
        `mergeArtifacts: inputs disagree on ${conflicts.map((n) => `'${n}'`).join(', ')}. Set them in the join before merging, or exclude them.`,
        { conflicts },
      );
    }
    for (const [name, ref] of Object.entries(merged)) this.installSlot(name, ref);
  }

  /** Builds the read-only views a join receives as `inputs`. */
  makeInputs(inputs: readonly TaskInput[]): object[] & { get(step: string): object } {
    const views = inputs.map((input) => {
      const view: Record<string | symbol, unknown> = {};
      for (const [name, ref] of Object.entries(input.artifacts)) {
        let loaded = false;
        let value: unknown;
        Object.defineProperty(view, name, {
          enumerable: true,
          get: () => {
            if (!loaded) {
              value = loadArtifact(this.store, ref);
              loaded = true;
            }
            return value;
          },
        });
      }
      Object.defineProperty(view, 'index', { value: input.index, enumerable: false });
      Object.defineProperty(view, INPUT_REFS, { value: input.artifacts, enumerable: false });
      return Object.freeze(view);
    });
    const steps = inputs.map((i) => i.step);
    return Object.assign(views, {
      get(step: string): object {
        const at = steps.indexOf(step);
        if (at < 0)
          throw new UsageError(
            `inputs.get('${step}'): no input came from step '${step}'; inputs are from ${[...new Set(steps)].join(', ')}.`,
          );
        return views[at]!;
      },
    });
  }

  /**
   * Encodes and stores what the task ends with: every own enumerable property of the flow
   * instance (untouched inherited values keep their reference) plus the parameters.
   */
  async collect(): Promise<Record<string, ArtifactRef>> {
    const out: Record<string, ArtifactRef> = {};
    for (const [name, ref] of this.params) out[name] = ref;
    const target = this.target as Record<string, unknown>;
    for (const name of Object.keys(target)) {
      const slot = this.slots.get(name);
      if (slot && !slot.touched) {
        out[name] = slot.ref;
        continue;
      }
      const value = slot ? slot.value : target[name];
      if (!slot && this.unassigned.has(name)) continue; // a declared field that was never assigned
      out[name] = await storeArtifact(this.store, name, value);
    }
    return out;
  }
}
