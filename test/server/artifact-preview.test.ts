import { describe, expect, it } from 'vitest';
import { artifactJson } from '../../src/server/artifact-json.ts';
import { imageType, type PreviewNode, previewValue } from '../../src/server/artifact-preview.ts';
import { decodeArtifact, encodeArtifact } from '../../src/store/codec.ts';

const roundTrip = (value: unknown) => {
  const { codec, bytes } = encodeArtifact('v', value);
  return decodeArtifact(codec, bytes);
};
const count = (node: PreviewNode): number => {
  switch (node.kind) {
    case 'array':
    case 'set':
      return 1 + node.items.reduce((n, c) => n + count(c), 0);
    case 'object':
      return 1 + node.entries.reduce((n, e) => n + count(e.value), 0);
    case 'map':
      return 1 + node.entries.reduce((n, e) => n + count(e.key) + count(e.value), 0);
    case 'table':
      return 1 + node.rows.reduce((n, r) => n + r.reduce((m, c) => m + count(c), 0), 0);
    case 'error':
      return 1 + node.props.reduce((n, e) => n + count(e.value), 0);
    default:
      return 1;
  }
};

describe('artifact preview', () => {
  it('says what each scalar is, keeping NaN, -0, Infinity and BigInt apart', () => {
    expect(
      previewValue(roundTrip([NaN, -0, Number.POSITIVE_INFINITY, 10n ** 30n, null, undefined, true])),
    ).toEqual({
      kind: 'array',
      type: 'Array',
      length: 7,
      truncated: false,
      items: [
        { kind: 'number', text: 'NaN' },
        { kind: 'number', text: '-0' },
        { kind: 'number', text: 'Infinity' },
        { kind: 'bigint', text: `${10n ** 30n}n` },
        { kind: 'null' },
        { kind: 'undefined' },
        { kind: 'boolean', value: true },
      ],
    });
    expect(previewValue(new Date('2026-02-03T04:05:06Z'))).toEqual({
      kind: 'date',
      iso: '2026-02-03T04:05:06.000Z',
    });
    expect(previewValue(new Date(Number.NaN))).toEqual({ kind: 'date', iso: null });
    expect(previewValue(/a+b/gi)).toEqual({ kind: 'regexp', text: '/a+b/gi' });
  });

  it('shows Maps with their keys as values, Sets, errors and typed arrays', () => {
    const map = previewValue(
      roundTrip(
        new Map<unknown, unknown>([
          [{ id: 1 }, 'one'],
          [2, new Set(['x'])],
        ]),
      ),
    );
    expect(map).toMatchObject({ kind: 'map', size: 2, truncated: false });
    expect(map.kind === 'map' && map.entries[0]!.key).toMatchObject({ kind: 'object', size: 1 });
    expect(map.kind === 'map' && map.entries[1]!.value).toMatchObject({ kind: 'set', size: 1 });
    const error = Object.assign(new TypeError('bad input'), { code: 'E_BAD' });
    expect(previewValue(roundTrip(error))).toMatchObject({
      kind: 'error',
      name: 'TypeError',
      message: 'bad input',
      props: [{ key: 'code', value: { kind: 'string', value: 'E_BAD' } }],
    });
    expect(previewValue(new Float64Array([1.5, 2]))).toMatchObject({
      kind: 'array',
      type: 'Float64Array',
      length: 2,
    });
  });

  it('shows an array of flat rows as a table, and anything else as a tree', () => {
    const rows = [
      { id: 1, at: new Date(0) },
      { id: 2, name: 'b' },
    ];
    expect(previewValue(rows)).toMatchObject({
      kind: 'table',
      length: 2,
      columns: ['id', 'at', 'name'],
      rows: [
        [{ kind: 'number', text: '1' }, { kind: 'date' }, { kind: 'undefined' }],
        [{ kind: 'number', text: '2' }, { kind: 'undefined' }, { kind: 'string', value: 'b' }],
      ],
    });
    expect(previewValue([{ id: 1, nested: { x: 1 } }]).kind).toBe('array');
    expect(previewValue([{ id: 1 }, 5]).kind).toBe('array');
    expect(previewValue([]).kind).toBe('array');
  });

  it('stays bounded on big, deep and cyclic values, and says what it cut', () => {
    const big = Array.from({ length: 1_000_000 }, (_, i) => i);
    const node = previewValue(big);
    expect(node).toMatchObject({ kind: 'array', length: 1_000_000, truncated: true });
    expect(node.kind === 'array' && node.items).toHaveLength(100);

    const rows = Array.from({ length: 50_000 }, (_, i) => ({ id: i, name: `row ${i}` }));
    const table = previewValue(rows);
    expect(table).toMatchObject({ kind: 'table', length: 50_000, truncated: true });
    expect(table.kind === 'table' && table.rows).toHaveLength(200);

    // Wide and deep: the node budget holds.
    const wide = Array.from({ length: 500 }, () =>
      Object.fromEntries(Array.from({ length: 100 }, (_, k) => [`k${k}`, { v: [k] }])),
    );
    const bounded = previewValue(wide);
    expect(count(bounded)).toBeLessThanOrEqual(4_000 + 100);
    expect(JSON.stringify(bounded).length).toBeLessThan(1_000_000);

    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 50; i++) deep = { down: deep };
    let cursor = previewValue(deep);
    let depth = 0;
    while (cursor.kind === 'object') {
      cursor = cursor.entries[0]!.value;
      depth++;
    }
    expect(depth).toBe(8);
    expect(cursor).toEqual({ kind: 'more', summary: 'Object (1 key)' });

    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const c = previewValue(roundTrip(cyclic));
    expect(c.kind === 'object' && c.entries[1]).toEqual({ key: 'self', value: { kind: 'circular' } });

    const long = previewValue('x'.repeat(10_000));
    expect(long).toMatchObject({ kind: 'string', length: 10_000, truncated: true });
    expect(long.kind === 'string' && long.value).toHaveLength(4_000);
  });

  it('tells PNG, JPEG and SVG bytes by their first bytes, and nothing else', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect(imageType(png)).toBe('image/png');
    expect(imageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(imageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBe('image/svg+xml');
    expect(imageType(Buffer.from('\uFEFF<?xml version="1.0"?>\n<!-- drawn -->\n<svg width="1">'))).toBe(
      'image/svg+xml',
    );
    expect(imageType(Buffer.from('<html><svg></svg></html>'))).toBeNull();
    expect(imageType(Buffer.from('<svgfoo>'))).toBeNull();
    expect(imageType(Buffer.from([1, 2, 3]))).toBeNull();
    expect(previewValue(png)).toMatchObject({ kind: 'bytes', type: 'Buffer', size: 16, image: 'image/png' });
    expect(previewValue(new Uint8Array(5))).toMatchObject({
      kind: 'bytes',
      type: 'Uint8Array',
      head: '0000000000',
      image: null,
    });
  });
});

describe('artifact JSON download', () => {
  it('writes what JSON has no type for in shapes that say what it was', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.me = cyclic;
    expect(
      JSON.parse(
        artifactJson({
          map: new Map([['k', 1]]),
          set: new Set([1]),
          at: new Date(0),
          big: 5n,
          bytes: Buffer.from('hi'),
          nums: [NaN, -0, 1.5],
          gone: undefined,
          cyclic,
        }),
      ),
    ).toEqual({
      map: { $map: [['k', 1]] },
      set: { $set: [1] },
      at: '1970-01-01T00:00:00.000Z',
      big: '5n',
      bytes: { $bytes: 'aGk=' },
      nums: ['NaN', '-0', 1.5],
      gone: null,
      cyclic: { a: 1, me: '[Circular]' },
    });
  });
});
