/**
 * The artifact codec: turns a value assigned to `this` in a step into bytes for the content-addressed
 * `ArtifactStore`, and back. **Every value it accepts comes back exactly** (same types, same
 * numbers, same references); a value it cannot bring back exactly is refused with an
 * {@link ArtifactEncodeError} naming the artifact and the path inside the value.
 *
 * - A top-level `Buffer` is stored as it is (codec `'raw'`, no copy) and decodes as a `Buffer`; a top-level
 *   plain `Uint8Array` likewise (codec `'raw-uint8array'`) and decodes as a plain `Uint8Array`.
 * - Everything else goes through one msgpackr `Packr` with structured cloning (codec `'msgpackr-v1'`): plain
 *   objects, arrays, `Map`, `Set`, `Date`, `RegExp`, `Error`, `BigInt` (any size), every typed array,
 *   `Buffer`, `ArrayBuffer`, `DataView`, `undefined`, `null`, `NaN`, ±`Infinity`, `-0`, shared and cyclic
 *   references. Two extensions of ours make msgpack exact where it is not by itself: `-0` (msgpack writes
 *   it as the integer 0) and `Error` (msgpackr keeps only name, message and cause; ours keeps the stack and
 *   the error's own enumerable properties such as `code` too).
 *
 * **Determinism.** Content addressing only dedupes if the same value always gives the same bytes. The packer
 * is configured without shared structures (`structures` / `getStructures` / `saveStructures`) and without
 * `sequential`, so every `pack` call starts from an empty record table: record definitions are written
 * inline in each blob and record ids restart at the same number. msgpackr keeps a per-instance cache of key
 * sequences between calls, but it only speeds up lookups and never changes the output (the tests check
 * this, including against a fresh process). Same value means same content *and* order: objects in the same
 * key order, `Map`s and `Set`s in the same insertion order (and an `Error`'s stack is part of its value).
 * The bytes are tied to the msgpackr version (pinned exactly in package.json); an upgrade that changed them
 * would only cost deduplication against older blobs, never correctness, since every blob decodes on its own.
 *
 * **What is refused**: functions, symbols, strings with an unpaired UTF-16 surrogate (UTF-8 cannot carry
 * them), an `Error` that contains itself (msgpackr cannot rebuild that cycle), a `-0` in a read-only
 * property, and any object that is not one of the types above — `Promise`, `WeakMap`, `WeakSet`, `WeakRef`,
 * sockets, streams, `SharedArrayBuffer`, and **instances of user classes, including subclasses of `Map`,
 * `Set`, `Date`, `Array`, `Uint8Array`, …**. msgpackr would store those as plain objects and silently lose
 * their prototype (or, for a `Map` subclass, its entries), so the codec asks the user to convert them to
 * plain data instead.
 *
 * **What is not part of a value** (as with `structuredClone`): symbol-keyed and non-enumerable properties,
 * the prototype of a `null`-prototype object (it comes back with `Object.prototype`), sparse array holes
 * (they come back as `undefined`), a `RegExp`'s `lastIndex`, and an `Error`'s class beyond the standard
 * ones (`TypeError`, `RangeError`, … come back as themselves; any other class as an `Error` with the same
 * `name`, stack and own properties). Object *keys* are not checked for unpaired surrogates (only string
 * values are), to keep the walk cheap.
 *
 * **Cost.** The check walks the value once before msgpackr does (see the walk below). On the 50k-row
 * benchmark the walk adds roughly 10–15 ms to a ~45 ms pack, and the whole encode stays about as fast as
 * `JSON.stringify` of the same rows, with an output 2.9× smaller.
 *
 * Over 400 lines because it is one concept: encoding and decoding must stay exact inverses, so
 * both directions and their extensions live together.
 */
import { addExtension, Packr } from 'msgpackr';
import { ArtifactEncodeError, StoreError, ValidationError } from '../core/errors.ts';

/**
 * How an artifact's bytes were produced; stored next to the blob's sha so the value can be decoded.
 *
 * @example
 * const codec: CodecId = Buffer.isBuffer(value) ? 'raw' : 'msgpackr-v1';
 */
export type CodecId = 'msgpackr-v1' | 'raw' | 'raw-uint8array';

/** The one packer configuration. Changing any option that changes the bytes requires a new CodecId. */
const packr = new Packr({
  structuredClone: true, // shared/cyclic references, Map/Set/Error/RegExp/typed arrays keep their type
  useRecords: true, // compact, fast-to-decode rows; record definitions are inline in each blob
  useBigIntExtension: true, // BigInts beyond 64 bits
  useToJSON: false, // durable state: never let a toJSON() decide what is stored
  useFloat32: 0, // doubles stay doubles
  // The walk below refuses functions before packing; this is a safety net so one is never dropped silently.
  writeFunction: () => {
    throw new TypeError('a function cannot be encoded');
  },
});

/** Stands for `-0` while packing (msgpack itself writes -0 as the integer 0). */
class NegativeZero {}
const NEGATIVE_ZERO = new NegativeZero();
const isNegativeZero = (value: unknown): boolean => value === 0 && 1 / (value as number) < 0;

// Extension types of ours, clear of msgpackr's own (0x00–0x11 typed arrays, B, R, b, e, i, p, s, t, x).
const NEGATIVE_ZERO_TYPE = 0x7a; // 'z'
const ERROR_TYPE = 0x45; // 'E': an Error with its stack and own properties (msgpackr's 'e' has neither)

addExtension({ Class: NegativeZero, type: NEGATIVE_ZERO_TYPE, write: () => 0, read: () => -0 });

/** [name, message, stack, own enumerable properties, AggregateError errors, cause?] — cause only if own. */
type ErrorRecord = [
  string,
  string,
  string | undefined,
  Record<string, unknown>,
  unknown[] | undefined,
  unknown?,
];

const STANDARD_ERRORS: Readonly<Record<string, ErrorConstructor>> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

addExtension({
  Class: Error,
  type: ERROR_TYPE,
  write(error: Error): ErrorRecord {
    const props: Record<string, unknown> = {};
    for (const key of Object.keys(error)) {
      const item = (error as unknown as Record<string, unknown>)[key];
      props[key] = isNegativeZero(item) ? NEGATIVE_ZERO : item;
    }
    const errors = error instanceof AggregateError ? error.errors : undefined;
    const record: ErrorRecord = [
      error.name,
      error.message,
      typeof error.stack === 'string' ? error.stack : undefined,
      props,
      errors,
    ];
    if (Object.hasOwn(error, 'cause')) record.push(isNegativeZero(error.cause) ? NEGATIVE_ZERO : error.cause);
    return record;
  },
  read([name, message, stack, props, errors, ...cause]: ErrorRecord): Error {
    const error =
      errors !== undefined
        ? new AggregateError(errors, message)
        : new (STANDARD_ERRORS[name] ?? Error)(message);
    const hidden = (key: string, value: unknown) =>
      Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: false });
    if (error.name !== name && !Object.hasOwn(props, 'name')) hidden('name', name);
    if (stack === undefined) delete error.stack;
    else hidden('stack', stack);
    if (cause.length > 0) hidden('cause', cause[0]);
    return Object.assign(error, props);
  },
});

/**
 * Encodes an artifact value. A `Uint8Array`/`Buffer` passes through untouched with codec `'raw'` (the
 * returned `bytes` is the same object: do not mutate it before it is stored); anything else is packed with
 * msgpackr (`'msgpackr-v1'`). Deterministic: the same value always gives the same bytes.
 *
 * @throws ArtifactEncodeError when the value (or anything inside it) cannot be stored; the message names the
 *   artifact and the path, e.g. `Artifact 'model' cannot be stored: a function at .fit. …`
 * @example
 * const { codec, bytes } = encodeArtifact('rows', [{ id: 1, at: new Date() }]);
 * const blob = await store.put(bytes); // record { sha: blob.sha, codec }
 */
export function encodeArtifact(name: string, value: unknown): { codec: CodecId; bytes: Uint8Array } {
  if (value instanceof Uint8Array) {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Buffer.prototype) return { codec: 'raw', bytes: value };
    if (proto === Uint8Array.prototype) return { codec: 'raw-uint8array', bytes: value };
    // A subclass (or another realm's Uint8Array) is refused by the walk, with a hint.
  }
  const checked = checkEncodable(value);
  if ('reason' in checked) throw new ArtifactEncodeError(name, checked.reason, checked.cause);
  let bytes: Buffer;
  const zeros = checked.negativeZeros;
  try {
    // -0 cannot go through msgpack as a number: stand in a marker for the packing, then put it back.
    for (let i = 0; i < zeros.length; i += 2) setSlot(zeros[i]!, zeros[i + 1], NEGATIVE_ZERO);
    bytes = packr.pack(isNegativeZero(value) ? NEGATIVE_ZERO : value);
  } catch (error) {
    throw new ArtifactEncodeError(name, `the encoder failed (${errorMessage(error)})`, error);
  } finally {
    for (let i = 0; i < zeros.length; i += 2) setSlot(zeros[i]!, zeros[i + 1], -0);
  }
  // msgpackr packs into one module-level buffer, grown to fit the largest value so far and kept for the life
  // of the process; later results are slices of it. After a big value, hand it a small fresh buffer so a
  // long-running worker does not keep (and re-allocate) hundreds of MB. Earlier results are never reused.
  if (bytes.byteLength >= RESET_BUFFER_AFTER) packr.useBuffer(Buffer.allocUnsafeSlow(64 * 1024));
  return { codec: 'msgpackr-v1', bytes };
}

const RESET_BUFFER_AFTER = 1024 * 1024;

/**
 * Decodes bytes produced by {@link encodeArtifact}. For `'raw'` the result is a `Buffer` over the same
 * memory as `bytes` (no copy), for `'raw-uint8array'` a plain `Uint8Array` over it. For `'msgpackr-v1'`,
 * `Buffer`s inside the value are views into `bytes` (no copy either), so do not reuse `bytes` for
 * something else afterwards.
 *
 * @throws ValidationError (field `codec`) for an unknown codec; StoreError when the bytes are not a valid
 *   encoding (a corrupt or truncated blob).
 * @example
 * const value = decodeArtifact(record.codec, await store.get(record.sha));
 */
export function decodeArtifact(codec: CodecId, bytes: Uint8Array): unknown {
  if (codec === 'raw') {
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  if (codec === 'raw-uint8array') {
    return Object.getPrototypeOf(bytes) === Uint8Array.prototype
      ? bytes
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  if (codec === 'msgpackr-v1') {
    try {
      return packr.unpack(bytes);
    } catch (error) {
      throw new StoreError(
        `Artifact bytes (${bytes.byteLength} bytes) are not valid '${codec}' data: ${errorMessage(error)}`,
        error,
      );
    }
  }
  throw new ValidationError(
    'codec',
    `Unknown artifact codec '${String(codec)}'; expected 'msgpackr-v1', 'raw' or 'raw-uint8array'.`,
    {
      codec: String(codec),
    },
  );
}

// ---------------------------------------------------------------------------------------------------------
// The walk that finds values msgpackr would drop or mangle silently.
//
// The hot path — plain objects, arrays and primitives — costs one prototype read per object and a `typeof`
// per value; only objects with another prototype go through the slower classification. Path strings are
// built only once a problem is found, while the recursion unwinds.
//
// Cycles and shared references are legal (structured cloning keeps them), so the walk must not loop or
// re-walk shared subtrees without bound. Remembering every container in a Set costs about as much as the
// rest of the walk (V8 must give each object an identity hash), and real artifacts — arrays of rows, nested
// configs — are trees. So the walk first runs *without* a Set, under a budget of container visits and a
// depth limit; a cycle (endless depth) or heavy sharing (a blown budget) abandons that pass and the walk
// restarts in the exact mode, which skips containers it has already seen. The wasted pass is bounded by
// the budget.

interface Problem {
  what: string;
  /** Said after the path, in parentheses. */
  hint?: string;
  /** Path segments, innermost first (pushed while unwinding). */
  segments: string[];
}

interface Walk {
  /** null in the fast pass; the containers already walked in the exact pass. */
  seen: Set<object> | null;
  /** Container visits left in the fast pass. */
  budget: number;
  /** Where a -0 sits, as flat pairs: container (object, array or Map), key. */
  negativeZeros: unknown[];
  /** The errors being walked, to find one inside itself. */
  openErrors: Set<Error>;
}

const FAST_PASS_BUDGET = 2_000_000;
const FAST_PASS_MAX_DEPTH = 200;
/** Thrown (never escapes) to abandon the fast pass. */
const RESTART_EXACT: unique symbol = Symbol('restart the walk in exact mode');

const LEAF = 1; // stored whole, nothing inside to check
const MAP = 2;
const SET = 3;

/** Prototypes of the built-in types msgpackr stores with their type (exact prototypes only, no subclasses). */
const KINDS = new Map<object, number>([
  [Date.prototype, LEAF],
  [RegExp.prototype, LEAF],
  [ArrayBuffer.prototype, LEAF],
  [DataView.prototype, LEAF],
  [Buffer.prototype, LEAF],
  [Int8Array.prototype, LEAF],
  [Uint8Array.prototype, LEAF],
  [Uint8ClampedArray.prototype, LEAF],
  [Int16Array.prototype, LEAF],
  [Uint16Array.prototype, LEAF],
  [Int32Array.prototype, LEAF],
  [Uint32Array.prototype, LEAF],
  [Float32Array.prototype, LEAF],
  [Float64Array.prototype, LEAF],
  [BigInt64Array.prototype, LEAF],
  [BigUint64Array.prototype, LEAF],
  [Map.prototype, MAP],
  [Set.prototype, SET],
]);

const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

type WellFormed = { isWellFormed(): boolean }; // ES2024, present in Node 20; not in this project's lib

const newWalk = (seen: Set<object> | null, budget: number): Walk => ({
  seen,
  budget,
  negativeZeros: [],
  openErrors: new Set(),
});

/** Why the value cannot be stored, or where its -0s are (see {@link Walk.negativeZeros}). */
function checkEncodable(
  value: unknown,
): { reason: string; cause?: unknown } | { negativeZeros: readonly unknown[] } {
  let problem: Problem | undefined;
  let walk = newWalk(null, FAST_PASS_BUDGET);
  try {
    try {
      problem = checkValue(value, walk, 0);
    } catch (error) {
      if (error !== RESTART_EXACT) throw error;
      walk = newWalk(new Set(), 0);
      problem = checkValue(value, walk, 0);
    }
  } catch (error) {
    if (error instanceof RangeError) return { reason: 'it is nested too deeply to encode', cause: error };
    return { reason: `reading it threw (${errorMessage(error)})`, cause: error };
  }
  if (problem === undefined) return { negativeZeros: walk.negativeZeros };
  const path = problem.segments.reverse().join('');
  const where = path === '' ? `the value is ${problem.what}` : `${problem.what} at ${path}`;
  return { reason: problem.hint === undefined ? where : `${where} (${problem.hint})` };
}

/** False when the container was already walked (exact pass); throws to leave the fast pass. */
function enter(container: object, walk: Walk, depth: number): boolean {
  const seen = walk.seen;
  if (seen === null) {
    if (--walk.budget < 0 || depth > FAST_PASS_MAX_DEPTH) throw RESTART_EXACT;
    return true;
  }
  if (seen.has(container)) return false;
  seen.add(container);
  return true;
}

function checkValue(value: unknown, walk: Walk, depth: number): Problem | undefined {
  switch (typeof value) {
    case 'object':
      return value === null ? undefined : checkObject(value, walk, depth);
    case 'string':
      return (value as unknown as WellFormed).isWellFormed()
        ? undefined
        : { what: 'a string with an unpaired UTF-16 surrogate', hint: 'UTF-8 cannot store it', segments: [] };
    case 'function':
      return { what: 'a function', segments: [] };
    case 'symbol':
      return { what: `a symbol (${String(value)})`, segments: [] };
    default: // number, bigint, boolean, undefined
      return undefined;
  }
}

function checkObject(value: object, walk: Walk, depth: number): Problem | undefined {
  const proto: object | null = Object.getPrototypeOf(value);
  if (proto === OBJECT_PROTO || proto === null)
    return checkPlain(value as Record<string, unknown>, walk, depth);
  if (proto === ARRAY_PROTO) return checkArray(value as unknown[], walk, depth);
  const kind = KINDS.get(proto);
  if (kind === LEAF) return undefined;
  if (kind === MAP) return checkMap(value as Map<unknown, unknown>, walk, depth);
  if (kind === SET) return checkSet(value as Set<unknown>, walk, depth);
  if (value instanceof Error) return checkError(value, walk, depth);
  // Plain objects and arrays from another realm (vm contexts) are fine: msgpackr stores them the same way.
  // (Array.prototype is itself an array; a subclass's prototype is not.)
  if (Array.isArray(proto)) return checkArray(value as unknown[], walk, depth);
  if (Object.getPrototypeOf(proto) === null && constructorName(proto) === 'Object') {
    return checkPlain(value as Record<string, unknown>, walk, depth);
  }
  return describeInstance(value, proto);
}

/** Notes a -0 found at `container[key]`; a problem if it cannot be swapped for the marker there. */
function negativeZeroAt(container: object, key: string | number, walk: Walk): Problem | undefined {
  const slot = Object.getOwnPropertyDescriptor(container, key);
  if (slot === undefined || slot.writable !== true)
    return {
      what: 'a -0 in a read-only property',
      hint: 'msgpack has no -0 of its own and the codec cannot mark this one; store 0, or make it writable',
      segments: [],
    };
  walk.negativeZeros.push(container, key);
  return undefined;
}

function setSlot(container: unknown, key: unknown, value: unknown): void {
  if (container instanceof Map) container.set(key, value);
  else (container as Record<string, unknown>)[key as string] = value;
}

// checkPlain and checkArray repeat their member check on purpose: it is the hot loop, and as a shared
// function V8 does not inline it (the 50k-row encode took 1.4× as long).
function checkPlain(object: Record<string, unknown>, walk: Walk, depth: number): Problem | undefined {
  if (!enter(object, walk, depth)) return undefined;
  for (const key in object) {
    const item = object[key];
    let problem: Problem | undefined;
    if (typeof item === 'number') {
      if (item !== 0 || 1 / item > 0) continue;
      problem = negativeZeroAt(object, key, walk);
    } else if (item === undefined || item === null || typeof item === 'boolean') continue;
    else problem = checkValue(item, walk, depth + 1);
    if (problem !== undefined) {
      problem.segments.push(IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);
      return problem;
    }
  }
  return undefined;
}

function checkArray(array: unknown[], walk: Walk, depth: number): Problem | undefined {
  if (!enter(array, walk, depth)) return undefined;
  for (let i = 0, n = array.length; i < n; i++) {
    const item = array[i];
    let problem: Problem | undefined;
    if (typeof item === 'number') {
      if (item !== 0 || 1 / item > 0) continue;
      problem = negativeZeroAt(array, i, walk);
    } else if (item === undefined || item === null || typeof item === 'boolean') continue;
    else problem = checkValue(item, walk, depth + 1);
    if (problem !== undefined) {
      problem.segments.push(`[${i}]`);
      return problem;
    }
  }
  return undefined;
}

function checkMap(map: Map<unknown, unknown>, walk: Walk, depth: number): Problem | undefined {
  if (!enter(map, walk, depth)) return undefined;
  let i = 0;
  for (const [key, item] of map) {
    let problem = checkValue(key, walk, depth + 1);
    if (problem !== undefined) {
      problem.segments.push(`.keys()[${i}]`);
      return problem;
    }
    if (isNegativeZero(item)) walk.negativeZeros.push(map, key);
    else problem = checkValue(item, walk, depth + 1);
    if (problem !== undefined) {
      problem.segments.push(`.get(${describeKey(key)})`);
      return problem;
    }
    i++;
  }
  return undefined;
}

function checkSet(set: Set<unknown>, walk: Walk, depth: number): Problem | undefined {
  if (!enter(set, walk, depth)) return undefined;
  let i = 0;
  for (const item of set) {
    const problem = checkValue(item, walk, depth + 1);
    if (problem !== undefined) {
      problem.segments.push(`.values()[${i}]`);
      return problem;
    }
    i++;
  }
  return undefined;
}

function checkError(error: Error, walk: Walk, depth: number): Problem | undefined {
  // Stored: name, message, stack, own enumerable properties, an AggregateError's errors, the cause.
  // msgpackr rebuilds an error only after what is inside it, so one inside itself cannot come back.
  if (walk.openErrors.has(error))
    return {
      what: 'an Error that contains itself',
      hint: 'store the inner reference some other way',
      segments: [],
    };
  if (!enter(error, walk, depth)) return undefined;
  walk.openErrors.add(error);
  try {
    // The extension's write() puts the marker for a -0 in its own copy of these, so no slot is noted.
    const parts: [string, unknown][] = Object.keys(error).map((key) => [
      `.${key}`,
      (error as unknown as Record<string, unknown>)[key],
    ]);
    if (Object.hasOwn(error, 'cause')) parts.push(['.cause', error.cause]);
    if (error instanceof AggregateError) parts.push(['.errors', error.errors]);
    for (const [segment, item] of parts) {
      if (isNegativeZero(item)) continue;
      const problem = checkValue(item, walk, depth + 1);
      if (problem !== undefined) {
        problem.segments.push(segment);
        return problem;
      }
    }
    return undefined;
  } finally {
    walk.openErrors.delete(error);
  }
}

const UNSTORABLE_BUILTINS = new Set([
  'Promise',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'FinalizationRegistry',
  'SharedArrayBuffer',
]);

function describeInstance(value: object, proto: object): Problem {
  const name = constructorName(proto) ?? 'anonymous';
  if (UNSTORABLE_BUILTINS.has(name)) return { what: `a ${name}`, segments: [] };
  const what = `an instance of class ${name}`;
  for (const [base, plain] of SUBCLASSABLE) {
    if (value instanceof base)
      return { what, hint: `a subclass of ${base.name}; use a plain ${plain}`, segments: [] };
  }
  if (STORABLE_BUILTIN_NAMES.has(name)) {
    return {
      what,
      hint: `a ${name} from another realm (vm context); copy it into a ${name} of this one`,
      segments: [],
    };
  }
  return { what, hint: 'class instances would lose their prototype; convert it to plain data', segments: [] };
}

const SUBCLASSABLE: ReadonlyArray<readonly [Function, string]> = [
  [Map, 'Map'],
  [Set, 'Set'],
  [Date, 'Date'],
  [Array, 'array'],
  [RegExp, 'RegExp'],
  [Object.getPrototypeOf(Uint8Array), 'typed array'],
  [ArrayBuffer, 'ArrayBuffer'],
  [DataView, 'DataView'],
];

const STORABLE_BUILTIN_NAMES = new Set([
  'Map',
  'Set',
  'Date',
  'RegExp',
  'ArrayBuffer',
  'DataView',
  ...[...KINDS.keys()].map((proto) => constructorName(proto)).filter((n) => n !== undefined),
]);

function constructorName(proto: object | null): string | undefined {
  if (proto === null) return undefined;
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  return typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name !== ''
    ? ctor.name
    : undefined;
}

function describeKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
  if (typeof key === 'number' || typeof key === 'boolean' || key === null || key === undefined)
    return String(key);
  if (typeof key === 'bigint') return `${key}n`;
  return `<${typeof key}>`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
