/**
 * How the CLI prints artifact values: `util.inspect` for people, and a JSON encoding that keeps the
 * types the artifact codec stores recognisable (a `Map` is not an empty object, a `BigInt` is not a
 * crash, a `Buffer` is not a list of numbers):
 *
 * | value                 | JSON                                                              |
 * |-----------------------|-------------------------------------------------------------------|
 * | `Map`                 | `{ "$map": [[key, value], …] }`                                    |
 * | `Set`                 | `{ "$set": [value, …] }`                                           |
 * | `Date`                | `{ "$date": "2025-01-31T12:00:00.000Z" }`                           |
 * | `BigInt`              | `{ "$bigint": "1180591620717411303424" }`                           |
 * | `Buffer`              | `{ "$bytes": 9, "base64": "cmF3IGJ5dGVz" }`                         |
 * | `ArrayBuffer`         | `{ "$arrayBuffer": 9, "base64": "…" }`                              |
 * | typed array, DataView | `{ "$typedArray": "Float64Array", "length": 2, "values": [1.5, 2.5] }` |
 * | `undefined`           | `{ "$undefined": true }`                                           |
 * | NaN, ±Infinity        | `{ "$number": "NaN" }`                                             |
 * | `RegExp`              | `{ "$regexp": "a+", "flags": "g" }`                                 |
 * | `Error`               | `{ "$error": "TypeError", "message": "…", "cause"?: … }`             |
 * | a cycle               | `{ "$circular": true }`                                            |
 *
 * Strings, base64 text and typed-array values longer than `maxLength` are cut, and the object says
 * so with `"truncated": true` (a long string becomes `{ "$string": "…", "length": n, "truncated": true }`).
 * `maxLength` 0 means no limit.
 */
import util from 'node:util';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function cut(text: string, maxLength: number): { text: string; truncated: boolean } {
  if (maxLength === 0 || text.length <= maxLength) return { text, truncated: false };
  return { text: text.slice(0, maxLength), truncated: true };
}

function bytesJson(kind: '$bytes' | '$arrayBuffer', bytes: Uint8Array, maxLength: number): Json {
  const { text, truncated } = cut(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    maxLength,
  );
  return { [kind]: bytes.byteLength, base64: text, ...(truncated ? { truncated: true } : {}) };
}

/** The JSON form of an artifact value (see the module comment for the markers). */
export function toJsonValue(value: unknown, maxLength: number): Json {
  const ancestors = new Set<object>();
  const enc = (v: unknown): Json => {
    switch (typeof v) {
      case 'undefined':
        return { $undefined: true };
      case 'boolean':
        return v;
      case 'number':
        return Number.isFinite(v) ? v : { $number: String(v) };
      case 'bigint':
        return { $bigint: v.toString() };
      case 'string': {
        const { text, truncated } = cut(v, maxLength);
        return truncated ? { $string: text, length: v.length, truncated: true } : v;
      }
      case 'symbol':
        return { $symbol: v.description ?? '' };
      case 'function':
        return { $function: v.name };
    }
    if (v === null) return null;
    const obj = v as object;
    if (ancestors.has(obj)) return { $circular: true };
    if (Buffer.isBuffer(obj)) return bytesJson('$bytes', obj, maxLength);
    if (obj instanceof ArrayBuffer) return bytesJson('$arrayBuffer', new Uint8Array(obj), maxLength);
    if (obj instanceof Date)
      return { $date: Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString() };
    if (obj instanceof RegExp) return { $regexp: obj.source, flags: obj.flags };
    if (ArrayBuffer.isView(obj)) {
      const kind = obj.constructor.name;
      const all =
        obj instanceof DataView
          ? Array.from(new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength))
          : Array.from(obj as unknown as ArrayLike<number | bigint>);
      const shown = maxLength === 0 ? all : all.slice(0, maxLength);
      return {
        $typedArray: kind,
        length: all.length,
        values: shown.map((x) => (typeof x === 'bigint' ? x.toString() : Number.isFinite(x) ? x : String(x))),
        ...(shown.length < all.length ? { truncated: true } : {}),
      };
    }
    ancestors.add(obj);
    try {
      if (obj instanceof Map) return { $map: [...obj].map(([k, x]) => [enc(k), enc(x)]) };
      if (obj instanceof Set) return { $set: [...obj].map(enc) };
      if (obj instanceof Error) {
        const out: Record<string, Json> = { $error: obj.name, message: obj.message };
        if ('cause' in obj && obj.cause !== undefined) out.cause = enc(obj.cause);
        return out;
      }
      if (Array.isArray(obj)) {
        const out: Json[] = [];
        for (let i = 0; i < obj.length; i++) out.push(enc(obj[i]));
        return out;
      }
      const out: Record<string, Json> = {};
      for (const [k, x] of Object.entries(obj)) out[k] = enc(x);
      return out;
    } finally {
      ancestors.delete(obj);
    }
  };
  return enc(value);
}

/**
 * A value for people: `util.inspect` (depth 8), cut at `maxLength` characters (0 = no limit). Strings
 * inside the value are shortened to `maxLength` by `inspect` itself first (`… n more characters`).
 */
export function inspectValue(value: unknown, maxLength: number): string {
  const text = util.inspect(value, {
    depth: 8,
    colors: false,
    breakLength: 100,
    maxArrayLength: 200,
    ...(maxLength > 0 ? { maxStringLength: maxLength } : {}),
    sorted: false,
  });
  if (maxLength === 0 || text.length <= maxLength) return text;
  return `${text.slice(0, maxLength)}… (truncated at ${maxLength} characters; --max-length 0 shows everything)`;
}
