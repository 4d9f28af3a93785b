/**
 * A bounded, typed preview of an artifact value for the task page of the web UI: the stored value
 * decoded with the artifact codec and walked into JSON nodes that say what each part is (a Map is
 * not an object, a Date not a string, bytes not an array of numbers). Bounded on every axis — depth,
 * items per container, total nodes, string length — so the answer stays small whatever the value's
 * size; what is cut is marked `truncated` and counted, never silently dropped.
 */
import { z } from 'zod';

/** Limits of one preview; the defaults keep an answer well under a megabyte. */
export interface PreviewLimits {
  /** Containers deeper than this become a `more` node (the root is depth 0). */
  maxDepth: number;
  /** Items (entries) shown per container. */
  maxItems: number;
  /** Rows shown when an array of flat objects is shown as a table. */
  maxRows: number;
  /** Columns of such a table. */
  maxColumns: number;
  /** Nodes in the whole preview; past it containers become `more` nodes. */
  maxNodes: number;
  /** Characters of a string. */
  maxString: number;
}

export const DEFAULT_PREVIEW_LIMITS: PreviewLimits = {
  maxDepth: 8,
  maxItems: 100,
  maxRows: 200,
  maxColumns: 40,
  maxNodes: 4_000,
  maxString: 4_000,
};

/** What bytes look like, from their first bytes: the image types a browser shows safely in `<img>`. */
export type ImageType = 'image/png' | 'image/jpeg' | 'image/svg+xml';

const scalar = z.union([
  z.object({ kind: z.literal('null') }),
  z.object({ kind: z.literal('undefined') }),
  z.object({ kind: z.literal('boolean'), value: z.boolean() }),
  z.object({
    kind: z.literal('number'),
    /** As text, so NaN, ±Infinity and -0 survive JSON. */
    text: z.string(),
  }),
  z.object({ kind: z.literal('bigint'), text: z.string() }),
  z.object({
    kind: z.literal('string'),
    value: z.string(),
    length: z.number().int(),
    truncated: z.boolean(),
  }),
  z.object({ kind: z.literal('date'), iso: z.string().nullable() }),
  z.object({ kind: z.literal('regexp'), text: z.string() }),
  z.object({
    kind: z.literal('bytes'),
    type: z.string(),
    size: z.number().int(),
    /** The first bytes in hex. */
    head: z.string(),
    image: z.enum(['image/png', 'image/jpeg', 'image/svg+xml']).nullable(),
  }),
  z.object({ kind: z.literal('circular') }),
  z.object({
    kind: z.literal('more'),
    /** What was not expanded, e.g. `Object (12 keys)`. */
    summary: z.string(),
  }),
]);

export interface PreviewEntry {
  key: string;
  value: PreviewNode;
}
export interface PreviewMapEntry {
  key: PreviewNode;
  value: PreviewNode;
}
export type PreviewNode =
  | z.infer<typeof scalar>
  | { kind: 'error'; name: string; message: string; stack: string | null; props: PreviewEntry[] }
  | { kind: 'array'; type: string; length: number; items: PreviewNode[]; truncated: boolean }
  | { kind: 'object'; size: number; entries: PreviewEntry[]; truncated: boolean }
  | { kind: 'map'; size: number; entries: PreviewMapEntry[]; truncated: boolean }
  | { kind: 'set'; size: number; items: PreviewNode[]; truncated: boolean }
  | { kind: 'table'; length: number; columns: string[]; rows: PreviewNode[][]; truncated: boolean };

export const previewNode: z.ZodType<PreviewNode> = z
  .union([
    scalar,
    z.object({
      kind: z.literal('error'),
      name: z.string(),
      message: z.string(),
      stack: z.string().nullable(),
      get props() {
        return z.array(previewEntry);
      },
    }),
    z.object({
      kind: z.literal('array'),
      type: z.string(),
      length: z.number().int(),
      get items() {
        return z.array(previewNode);
      },
      truncated: z.boolean(),
    }),
    z.object({
      kind: z.literal('object'),
      size: z.number().int(),
      get entries() {
        return z.array(previewEntry);
      },
      truncated: z.boolean(),
    }),
    z.object({
      kind: z.literal('map'),
      size: z.number().int(),
      get entries() {
        return z.array(previewMapEntry);
      },
      truncated: z.boolean(),
    }),
    z.object({
      kind: z.literal('set'),
      size: z.number().int(),
      get items() {
        return z.array(previewNode);
      },
      truncated: z.boolean(),
    }),
    z.object({
      kind: z.literal('table'),
      length: z.number().int(),
      columns: z.array(z.string()),
      get rows() {
        return z.array(z.array(previewNode));
      },
      truncated: z.boolean(),
    }),
  ])
  .meta({ id: 'PreviewNode' }) as z.ZodType<PreviewNode>;

const previewEntry: z.ZodType<PreviewEntry> = z
  .object({
    key: z.string(),
    get value() {
      return previewNode;
    },
  })
  .meta({ id: 'PreviewEntry' }) as z.ZodType<PreviewEntry>;

const previewMapEntry: z.ZodType<PreviewMapEntry> = z
  .object({
    get key() {
      return previewNode;
    },
    get value() {
      return previewNode;
    },
  })
  .meta({ id: 'PreviewMapEntry' }) as z.ZodType<PreviewMapEntry>;

/** The type an image's bytes declare by their first bytes, or null. */
export function imageType(bytes: Uint8Array): ImageType | null {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  // SVG is text: an `<svg` element near the start (after a BOM, an XML declaration, comments).
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, 1024)).toString('utf8');
  if (/^\uFEFF?\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(head))
    return 'image/svg+xml';
  return null;
}

const HEAD_BYTES = 32;
const hex = (b: Uint8Array) =>
  Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, HEAD_BYTES)).toString('hex');

const OBJECT_PROTO = Object.prototype;

function isPlain(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === OBJECT_PROTO || proto === null;
}

function isLeaf(value: unknown): boolean {
  return value === null || typeof value !== 'object' || value instanceof Date;
}

interface Walk {
  limits: PreviewLimits;
  nodes: number;
  /** Containers on the path from the root (cycles show as `circular`). */
  open: Set<object>;
}

/** The preview of a decoded artifact value. */
export function previewValue(value: unknown, limits: PreviewLimits = DEFAULT_PREVIEW_LIMITS): PreviewNode {
  return node(value, { limits, nodes: 0, open: new Set() }, 0);
}

function summary(value: object): string {
  if (Array.isArray(value)) return `Array (${value.length} items)`;
  if (value instanceof Map) return `Map (${value.size} entries)`;
  if (value instanceof Set) return `Set (${value.size} items)`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  let keys = 0;
  for (const _ in value) keys++;
  return `Object (${keys} key${keys === 1 ? '' : 's'})`;
}

function node(value: unknown, walk: Walk, depth: number): PreviewNode {
  walk.nodes++;
  switch (typeof value) {
    case 'undefined':
      return { kind: 'undefined' };
    case 'boolean':
      return { kind: 'boolean', value };
    case 'number':
      return { kind: 'number', text: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      return { kind: 'bigint', text: `${value}n` };
    case 'string':
      return {
        kind: 'string',
        value: value.length > walk.limits.maxString ? value.slice(0, walk.limits.maxString) : value,
        length: value.length,
        truncated: value.length > walk.limits.maxString,
      };
    case 'object':
      break;
    default:
      return { kind: 'more', summary: typeof value };
  }
  if (value === null) return { kind: 'null' };
  if (value instanceof Date) {
    const t = value.getTime();
    return { kind: 'date', iso: Number.isNaN(t) ? null : value.toISOString() };
  }
  if (value instanceof RegExp) return { kind: 'regexp', text: String(value) };
  if (value instanceof ArrayBuffer) return bytesNode(new Uint8Array(value), 'ArrayBuffer');
  if (value instanceof DataView)
    return bytesNode(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), 'DataView');
  if (value instanceof Uint8Array) return bytesNode(value, Buffer.isBuffer(value) ? 'Buffer' : 'Uint8Array');
  if (walk.open.has(value)) return { kind: 'circular' };
  if (depth >= walk.limits.maxDepth || walk.nodes >= walk.limits.maxNodes)
    return { kind: 'more', summary: ArrayBuffer.isView(value) ? value.constructor.name : summary(value) };
  walk.open.add(value);
  try {
    return container(value, walk, depth);
  } finally {
    walk.open.delete(value);
  }
}

function bytesNode(bytes: Uint8Array, type: string): PreviewNode {
  return { kind: 'bytes', type, size: bytes.byteLength, head: hex(bytes), image: imageType(bytes) };
}

/** Takes up to `max` items while the node budget lasts. */
function take<T>(items: Iterable<T>, walk: Walk, max: number, each: (item: T) => void): boolean {
  let n = 0;
  for (const item of items) {
    if (n >= max || walk.nodes >= walk.limits.maxNodes) return true;
    each(item);
    n++;
  }
  return false;
}

function container(value: object, walk: Walk, depth: number): PreviewNode {
  const { limits } = walk;
  if (Array.isArray(value)) {
    const table = rowTable(value, walk, depth);
    if (table) return table;
    const items: PreviewNode[] = [];
    const cut = take(value, walk, limits.maxItems, (item) => items.push(node(item, walk, depth + 1)));
    return { kind: 'array', type: 'Array', length: value.length, items, truncated: cut };
  }
  if (ArrayBuffer.isView(value)) {
    // Typed arrays other than bytes: numbers (or bigints), shown as an array of them.
    const typed = value as unknown as ArrayLike<number | bigint> & Iterable<number | bigint>;
    const items: PreviewNode[] = [];
    const cut = take(typed, walk, limits.maxItems, (item) => items.push(node(item, walk, depth + 1)));
    return { kind: 'array', type: value.constructor.name, length: typed.length, items, truncated: cut };
  }
  if (value instanceof Map) {
    const entries: PreviewMapEntry[] = [];
    const cut = take(value, walk, limits.maxItems, ([k, v]) =>
      entries.push({ key: node(k, walk, depth + 1), value: node(v, walk, depth + 1) }),
    );
    return { kind: 'map', size: value.size, entries, truncated: cut };
  }
  if (value instanceof Set) {
    const items: PreviewNode[] = [];
    const cut = take(value, walk, limits.maxItems, (item) => items.push(node(item, walk, depth + 1)));
    return { kind: 'set', size: value.size, items, truncated: cut };
  }
  if (value instanceof Error) {
    const props: PreviewEntry[] = [];
    take(Object.keys(value), walk, limits.maxItems, (key) =>
      props.push({ key, value: node((value as unknown as Record<string, unknown>)[key], walk, depth + 1) }),
    );
    return {
      kind: 'error',
      name: value.name,
      message: value.message,
      stack: typeof value.stack === 'string' ? value.stack.slice(0, limits.maxString * 4) : null,
      props,
    };
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const entries: PreviewEntry[] = [];
  const cut = take(keys, walk, limits.maxItems, (key) =>
    entries.push({ key, value: node(record[key], walk, depth + 1) }),
  );
  return { kind: 'object', size: keys.length, entries, truncated: cut };
}

/**
 * An array of flat plain objects (every value a scalar or a Date) as a table: the columns are the
 * keys of the rows shown, in first-seen order. Only the rows shown are checked, so a huge array
 * costs no more than its first page.
 */
function rowTable(array: unknown[], walk: Walk, depth: number): PreviewNode | null {
  const { limits } = walk;
  if (array.length === 0) return null;
  const shown = array.slice(0, limits.maxRows);
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of shown) {
    if (!isPlain(row)) return null;
    for (const key in row) {
      if (!isLeaf(row[key])) return null;
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  if (columns.length === 0 || columns.length > limits.maxColumns) return null;
  const rows: PreviewNode[][] = [];
  let cut = array.length > shown.length;
  for (const row of shown as Record<string, unknown>[]) {
    if (walk.nodes >= limits.maxNodes) {
      cut = true;
      break;
    }
    // A row without a column's key shows `undefined` in that cell.
    rows.push(columns.map((c) => node(row[c], walk, depth + 1)));
  }
  return { kind: 'table', length: array.length, columns, rows, truncated: cut };
}
