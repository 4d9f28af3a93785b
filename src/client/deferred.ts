/**
 * Deferred client objects: `Run.get('HelloFlow/2')` returns at once, without I/O; reading a property
 * of it returns a promise, and properties that lead to other objects (`.endTask`, `.data`,
 * `.latestRun`) return further deferred objects, so a whole chain resolves with one `await`:
 * `await Step.get('DebugFlow/2/a').task.data.x`.
 */

/** How one member of a loaded object looks on its deferred form. */
export type Defer<V> = [V] extends [PromiseLike<unknown> | AsyncIterable<unknown>]
  ? V
  : [V] extends [(...args: infer A) => infer R]
    ? (...args: A) => [R] extends [PromiseLike<unknown> | AsyncIterable<unknown>] ? R : Promise<R>
    : Promise<V>;

/** The members of a deferred object: each one a promise, or a further deferred object. */
export type DeferredMembers<T> = {
  readonly [K in keyof T as K extends 'then' ? never : K]: Defer<T[K]>;
};

/** A client object not loaded yet: await it for the object, or read members as promises. */
export type Deferred<T> = PromiseLike<T> &
  DeferredMembers<T> &
  (T extends AsyncIterable<infer U> ? AsyncIterable<U> : unknown);

/**
 * An object that may not exist (a run's trigger): awaiting gives it or null, while reading a
 * member of a missing one rejects with a `NotFoundError` saying so.
 */
export type DeferredOrNull<T> = PromiseLike<T | null> & DeferredMembers<T>;

/** Which members of a class can be reached without loading the object first. */
export interface DeferredShape<T> {
  /** Members that lead to other deferred objects, built from the loader alone. */
  relations?: { readonly [K in keyof T]?: (load: () => Promise<T>) => T[K] };
  /** Methods that return async iterables: they load first, then iterate. */
  iterables?: readonly (keyof T)[];
  /** Whether the object itself is async-iterable (its children). */
  iterable?: boolean;
  /** For objects that may load as null: the error a member read then rejects with. */
  absent?: () => Error;
}

function lazyIterable<U>(source: () => Promise<AsyncIterable<U>>): AsyncIterable<U> {
  return {
    async *[Symbol.asyncIterator]() {
      yield* await source();
    },
  };
}

/** Builds the deferred form of an object from its loader (called at most once). */
export function deferred<T extends object>(loader: () => Promise<T>, shape: DeferredShape<T>): Deferred<T> {
  let loading: Promise<T> | undefined;
  const load = (): Promise<T> => {
    loading ??= loader();
    return loading;
  };
  const iterables = new Set<PropertyKey>(shape.iterables ?? []);
  const relations = (shape.relations ?? {}) as Record<
    PropertyKey,
    ((l: () => Promise<T>) => unknown) | undefined
  >;
  return new Proxy(Object.create(null) as object, {
    get(_target, prop) {
      if (prop === 'then') {
        return (onFulfilled?: (v: T) => unknown, onRejected?: (e: unknown) => unknown) =>
          load().then(onFulfilled, onRejected);
      }
      if (prop === Symbol.asyncIterator) {
        if (!shape.iterable) return undefined;
        return () =>
          lazyIterable(async () => (await load()) as unknown as AsyncIterable<unknown>)[
            Symbol.asyncIterator
          ]();
      }
      if (typeof prop === 'symbol') return undefined;
      const relation = relations[prop];
      if (relation) return relation(load);
      if (iterables.has(prop)) {
        return (...args: unknown[]) =>
          lazyIterable(async () => {
            const obj = (await load()) as Record<string, (...a: unknown[]) => AsyncIterable<unknown>>;
            return obj[prop]!(...args);
          });
      }
      // A method call or a plain member: decided once the object is loaded.
      // Created only when awaited, so an unused member never leaves an unhandled rejection.
      const loaded = (): Promise<T> =>
        load().then((obj) => {
          if (obj === null && shape.absent) throw shape.absent();
          return obj;
        });
      const member = () => loaded().then((obj) => (obj as Record<string, unknown>)[prop]);
      const call = (...args: unknown[]) =>
        loaded().then((obj) => {
          const fn = (obj as Record<string, unknown>)[prop];
          if (typeof fn !== 'function') throw new TypeError(`${String(prop)} is not a method`);
          return (fn as (...a: unknown[]) => unknown).apply(obj, args);
        });
      return Object.assign(call, {
        // biome-ignore lint/suspicious/noThenProperty: deferred members are thenables on purpose (loaded only when awaited)
        then: (a?: (v: unknown) => unknown, b?: (e: unknown) => unknown) => member().then(a, b),
        catch: (b?: (e: unknown) => unknown) => member().catch(b),
        finally: (f?: () => void) => member().finally(f),
      });
    },
  }) as Deferred<T>;
}
