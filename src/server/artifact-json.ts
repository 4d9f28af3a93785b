/**
 * An artifact value as JSON, for the download of a structured (msgpackr) artifact: what JSON has
 * no type for is written in a shape that says what it was — a Map as `{ "$map": [[key, value], …] }`,
 * a Set as `{ "$set": […] }`, a Date as its ISO string, a BigInt as `"123n"`, bytes as
 * `{ "$bytes": "<base64>" }`, NaN/±Infinity/-0 as strings, a circular reference as `"[Circular]"`.
 */
export function artifactJson(value: unknown): string {
  return JSON.stringify(plain(value, new Set()), null, 2);
}

function plain(value: unknown, open: Set<object>): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0)
        ? value
        : Object.is(value, -0)
          ? '-0'
          : String(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return null;
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (value instanceof ArrayBuffer) return { $bytes: Buffer.from(value).toString('base64') };
  if (ArrayBuffer.isView(value) && (value instanceof Uint8Array || value instanceof DataView))
    return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (open.has(value)) return '[Circular]';
  open.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => plain(v, open));
    if (ArrayBuffer.isView(value))
      return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => plain(v, open));
    if (value instanceof Map) return { $map: [...value].map(([k, v]) => [plain(k, open), plain(v, open)]) };
    if (value instanceof Set) return { $set: [...value].map((v) => plain(v, open)) };
    if (value instanceof Error) {
      const out: Record<string, unknown> = { $error: value.name, message: value.message, stack: value.stack };
      for (const key of Object.keys(value))
        out[key] = plain((value as unknown as Record<string, unknown>)[key], open);
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v, open);
    return out;
  } finally {
    open.delete(value);
  }
}
