import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ArtifactEncodeError, FlowtrailError, StoreError, ValidationError } from '../../src/core/errors.ts';
import { type CodecId, decodeArtifact, encodeArtifact } from '../../src/store/codec.ts';

const CODEC_MODULE = fileURLToPath(new URL('../../src/store/codec.ts', import.meta.url));

function roundTrip<T>(value: T): T {
  const { codec, bytes } = encodeArtifact('value', value);
  expect(codec).toBe('msgpackr-v1');
  return decodeArtifact(codec, bytes) as T;
}

function encodeError(name: string, value: unknown): ArtifactEncodeError {
  try {
    encodeArtifact(name, value);
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactEncodeError);
    expect(error).toBeInstanceOf(FlowtrailError);
    const e = error as ArtifactEncodeError;
    expect(e.code).toBe('ARTIFACT_ENCODE');
    expect(e.artifact).toBe(name);
    expect(e.message).toContain(`'${name}'`);
    return e;
  }
  throw new Error(`encoding ${name} should have failed`);
}

/** A fixed value touching every supported type, used by the determinism tests (here and in a child process). */
const FIXTURE_SOURCE = `
  const rows = Array.from({ length: 200 }, (_, i) => ({ id: i, name: 'row-' + i, score: i / 7, tags: ['a', 'b'], at: new Date(1700000000000 + i) }));
  const shapes = Array.from({ length: 150 }, (_, i) => ({ ['k' + i]: i, ['j' + (i % 9)]: { deep: [i, String(i)] } }));
  const shared = { shared: true };
  const fixture = {
    rows, shapes, a: shared, b: shared,
    map: new Map([['x', 1], [2, { y: [1n, -5n] }]]), set: new Set(['s', 3, null]),
    f64: new Float64Array([1.5, -0, NaN, Infinity]), i32: new Int32Array([-1, 2 ** 31 - 1]),
    u8: new Uint8Array([1, 2, 3]), buf: Buffer.from('buffer'), big: 2n ** 100n, nothing: undefined, nul: null,
    text: 'héllo 世界 🚀', re: /a+b/gi,
    // An error's stack is part of its value: give it one that does not depend on where this runs.
    err: Object.assign(new TypeError('bad', { cause: 'why' }), { stack: 'TypeError: bad (fixture)' }),
  };
`;

function makeFixture(): Record<string, unknown> {
  return new Function(`${FIXTURE_SOURCE}; return fixture;`)() as Record<string, unknown>;
}

describe('encodeArtifact / decodeArtifact round trips', () => {
  it('plain objects, arrays and nested structures', () => {
    const value = {
      n: 1,
      f: 2.71828e-3,
      neg: -42,
      big: Number.MAX_SAFE_INTEGER,
      small: Number.MIN_SAFE_INTEGER,
      large: 2 ** 40 + 0.5,
      t: true,
      fl: false,
      s: 'text',
      empty: '',
      arr: [1, 'two', [3, [4, { five: 5 }]], {}, []],
      nested: { a: { b: { c: { d: [{ e: 'deep' }] } } } },
      'key with spaces': 1,
      '': 'empty key',
      123: 'numeric key',
    };
    expect(roundTrip(value)).toEqual(value);
    expect(roundTrip([1, 2, 3])).toEqual([1, 2, 3]);
    expect(roundTrip('just a string')).toBe('just a string');
    expect(roundTrip(42)).toBe(42);
    expect(roundTrip(true)).toBe(true);
  });

  it('undefined and null, at the top level and inside', () => {
    expect(roundTrip(undefined)).toBeUndefined();
    expect(roundTrip(null)).toBeNull();
    const decoded = roundTrip({ u: undefined, n: null, arr: [undefined, null] });
    expect(decoded).toEqual({ u: undefined, n: null, arr: [undefined, null] });
    expect('u' in decoded).toBe(true);
    expect(decoded.arr).toHaveLength(2);
  });

  it('NaN, infinities, and -0 (in objects and in float arrays)', () => {
    const decoded = roundTrip({ nan: Number.NaN, inf: Infinity, ninf: -Infinity, negZero: -0 });
    expect(decoded.nan).toBeNaN();
    expect(decoded.inf).toBe(Infinity);
    expect(decoded.ninf).toBe(-Infinity);
    expect(Object.is(decoded.negZero, -0)).toBe(true);
    const floats = roundTrip(new Float64Array([-0]));
    expect(Object.is(floats[0], -0)).toBe(true);
  });

  it('unicode strings', () => {
    const strings = [
      'héllo',
      '世界',
      '🚀🧪 emoji',
      'e\u0301 combining',
      'nul\u0000byte',
      'a'.repeat(70_000),
      '\u{10FFFF}',
    ];
    expect(roundTrip(strings)).toEqual(strings);
    expect(roundTrip({ 'clé 🔑': 'valeur' })).toEqual({ 'clé 🔑': 'valeur' });
  });

  it('Map keeps its type, entries, key types and order', () => {
    const objectKey = { id: 1 };
    const map = new Map<unknown, unknown>([
      ['b', 1],
      ['a', { nested: new Map([['x', [1, 2]]]) }],
      [3, 'number key'],
      [objectKey, 'object key'],
    ]);
    const decoded = roundTrip({ map }).map;
    expect(decoded).toBeInstanceOf(Map);
    expect(decoded).toEqual(map);
    expect([...decoded.keys()].slice(0, 3)).toEqual(['b', 'a', 3]);
    expect((decoded.get('a') as { nested: unknown }).nested).toBeInstanceOf(Map);
    expect(roundTrip(new Map())).toBeInstanceOf(Map);
  });

  it('Set keeps its type and order', () => {
    const set = new Set<unknown>(['z', 1, { o: true }, null]);
    const decoded = roundTrip(set);
    expect(decoded).toBeInstanceOf(Set);
    expect(decoded).toEqual(set);
    expect([...decoded][0]).toBe('z');
  });

  it('Date keeps its time, including milliseconds, far dates and invalid dates', () => {
    const dates = [new Date(1700000000123), new Date(0), new Date(-86400000 * 365 * 100), new Date(8.64e15)];
    const decoded = roundTrip({ dates, invalid: new Date(Number.NaN) });
    decoded.dates.forEach((d, i) => {
      expect(d).toBeInstanceOf(Date);
      expect(d.getTime()).toBe(dates[i]!.getTime());
    });
    expect(decoded.invalid).toBeInstanceOf(Date);
    expect(decoded.invalid.getTime()).toBeNaN();
  });

  it('BigInt of any size stays a bigint', () => {
    const values = [
      0n,
      5n,
      -5n,
      2n ** 63n - 1n,
      -(2n ** 63n),
      2n ** 64n - 1n,
      2n ** 100n,
      -(2n ** 200n) + 7n,
    ];
    const decoded = roundTrip(values);
    expect(decoded).toEqual(values);
    for (const v of decoded) expect(typeof v).toBe('bigint');
    expect(typeof roundTrip(12n)).toBe('bigint');
  });

  it('every typed array keeps its class and contents, at the top level and inside objects', () => {
    const arrays = [
      new Int8Array([-128, 0, 127]),
      new Uint8ClampedArray([0, 128, 255]),
      new Int16Array([-32768, 32767]),
      new Uint16Array([0, 65535]),
      new Int32Array([-(2 ** 31), 2 ** 31 - 1]),
      new Uint32Array([0, 2 ** 32 - 1]),
      new Float32Array([1.5, -2.25, Number.NaN]),
      new Float64Array([Math.PI, -0, Number.MAX_VALUE, Number.MIN_VALUE]),
      new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]),
      new BigUint64Array([0n, 2n ** 64n - 1n]),
    ];
    for (const array of arrays) {
      const top = roundTrip(array);
      expect(top.constructor).toBe(array.constructor);
      expect(top).toEqual(array);
      const inside = roundTrip({ data: array, list: [array.slice()] });
      expect(inside.data.constructor).toBe(array.constructor);
      expect(inside.list[0]!.constructor).toBe(array.constructor);
      expect(inside.data).toEqual(array);
    }
    // An unaligned view still decodes (msgpackr copies into an aligned buffer).
    const view = new Float64Array(new ArrayBuffer(8 * 5), 8, 3).fill(2.5);
    expect(roundTrip({ view }).view).toEqual(new Float64Array([2.5, 2.5, 2.5]));
  });

  it('Uint8Array and Buffer inside objects keep their class', () => {
    const decoded = roundTrip({
      u8: new Uint8Array([9, 8, 7]),
      buf: Buffer.from('héllo'),
      empty: Buffer.alloc(0),
    });
    expect(decoded.u8.constructor).toBe(Uint8Array);
    expect(Buffer.isBuffer(decoded.u8)).toBe(false);
    expect([...decoded.u8]).toEqual([9, 8, 7]);
    expect(Buffer.isBuffer(decoded.buf)).toBe(true);
    expect(decoded.buf.toString()).toBe('héllo');
    expect(decoded.empty.byteLength).toBe(0);
  });

  it('ArrayBuffer, DataView, RegExp and Error', () => {
    const ab = new Uint8Array([1, 2, 3, 4]).buffer;
    const decoded = roundTrip({
      ab,
      dv: new DataView(new Uint8Array([5, 6]).buffer),
      re: /^a+b$/gimsu,
      err: new RangeError('out of range', { cause: { detail: [1, 2] } }),
      plain: new Error('plain'),
    });
    expect(decoded.ab).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(decoded.ab)]).toEqual([1, 2, 3, 4]);
    expect(decoded.dv).toBeInstanceOf(DataView);
    expect(decoded.dv.getUint8(1)).toBe(6);
    expect(decoded.re).toBeInstanceOf(RegExp);
    expect(decoded.re.source).toBe('^a+b$');
    expect(decoded.re.flags).toBe('gimsu');
    expect(decoded.err).toBeInstanceOf(RangeError);
    expect(decoded.err.message).toBe('out of range');
    expect(decoded.err.cause).toEqual({ detail: [1, 2] });
    expect(decoded.plain).toBeInstanceOf(Error);
    expect(decoded.plain.message).toBe('plain');
  });

  it('shared and cyclic references keep their identity', () => {
    const shared = { s: 1 };
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const list: unknown[] = [1];
    list.push(list);
    const decoded = roundTrip({ a: shared, b: shared, cyclic, list });
    expect(decoded.a).toBe(decoded.b);
    expect(decoded.cyclic.self).toBe(decoded.cyclic);
    expect(decoded.list[1]).toBe(decoded.list);
  });

  it('the row table of the benchmark', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      id: i,
      name: `row-${i}`,
      score: Math.random(),
      tags: ['a', 'b'],
      at: new Date(),
    }));
    const decoded = roundTrip(rows);
    expect(decoded).toEqual(rows);
    expect(decoded[999]!.at).toBeInstanceOf(Date);
  });

  it('objects with a null prototype, and objects from another realm, are stored as plain objects', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: [2] });
    expect(roundTrip(bare)).toEqual({ a: 1, b: [2] });
    const foreign = vm.runInNewContext('({ a: 1, list: [1, 2, { b: "c" }] })') as unknown;
    expect(roundTrip(foreign)).toEqual({ a: 1, list: [1, 2, { b: 'c' }] });
  });

  it('deep but finite nesting round-trips', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 1000; i++) deep = { child: deep };
    expect(roundTrip(deep)).toEqual(deep);
  });

  it('heavily shared structures are checked without blowing up', () => {
    // 2^40 paths through 41 objects: a walk without memory of visited objects would never end.
    let node: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 40; i++) node = { left: node, right: node };
    const decoded = roundTrip(node);
    expect(decoded.left).toBe(decoded.right);
    let fn: Record<string, unknown> = { leaf: () => 1 };
    for (let i = 0; i < 40; i++) fn = { left: fn, right: fn };
    expect(encodeError('dag', fn).message).toContain(`a function at ${'.left'.repeat(40)}.leaf`);
  });
});

describe('memory', () => {
  it('does not keep results of small values inside a big buffer after a big value', () => {
    const big = encodeArtifact('big', { data: new Float64Array(1024 * 1024) });
    expect(big.bytes.byteLength).toBeGreaterThan(8 * 1024 * 1024);
    const small = encodeArtifact('small', { a: 1 });
    expect(small.bytes.buffer.byteLength).toBeLessThan(1024 * 1024);
    expect(decodeArtifact(small.codec, small.bytes)).toEqual({ a: 1 });
    expect((decodeArtifact(big.codec, big.bytes) as { data: Float64Array }).data).toHaveLength(1024 * 1024);
  });
});

describe('raw pass-through', () => {
  it('a Uint8Array or Buffer is stored as is, without a copy', () => {
    const u8 = new Uint8Array([1, 2, 3]);
    const encoded = encodeArtifact('bytes', u8);
    expect(encoded.codec).toBe('raw-uint8array');
    expect(encoded.bytes).toBe(u8);
    const buf = Buffer.from('raw buffer');
    expect(encodeArtifact('buf', buf)).toEqual({ codec: 'raw', bytes: buf });
    expect(encodeArtifact('buf', buf).bytes).toBe(buf);
  });

  it('raw decodes to a Buffer over the same memory', () => {
    const backing = new Uint8Array([0, 1, 2, 3, 4, 5]);
    const view = backing.subarray(2, 5);
    const decoded = decodeArtifact('raw', view) as Buffer;
    expect(Buffer.isBuffer(decoded)).toBe(true);
    expect([...decoded]).toEqual([2, 3, 4]);
    backing[2] = 99;
    expect(decoded[0]).toBe(99);
    const buf = Buffer.from('x');
    expect(decodeArtifact('raw', buf)).toBe(buf);
  });
});

describe('determinism', () => {
  it('encoding the same value twice gives identical bytes', () => {
    const value = makeFixture();
    const first = Buffer.from(encodeArtifact('v', value).bytes);
    // Encode and decode other shapes in between: record state must not carry over.
    for (let i = 0; i < 300; i++) {
      const other = encodeArtifact('other', { [`k${i}`]: i, nested: { [`n${i % 13}`]: [i] } });
      decodeArtifact(other.codec, other.bytes);
    }
    const second = Buffer.from(encodeArtifact('v', value).bytes);
    expect(second.equals(first)).toBe(true);
    expect(Buffer.from(encodeArtifact('v', makeFixture()).bytes).equals(first)).toBe(true);
  });

  it('two equal values built separately give identical bytes', () => {
    const a = { x: [1, 2, { y: new Map([['k', new Set([1])]]) }], d: new Date(5) };
    const b = { x: [1, 2, { y: new Map([['k', new Set([1])]]) }], d: new Date(5) };
    expect(Buffer.from(encodeArtifact('a', a).bytes).equals(Buffer.from(encodeArtifact('b', b).bytes))).toBe(
      true,
    );
  });

  it('a fresh process (fresh module and Packr state) gives identical bytes', () => {
    const here = Buffer.from(encodeArtifact('v', makeFixture()).bytes).toString('hex');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowtrail-codec-'));
    try {
      const script = path.join(dir, 'encode.mts');
      fs.writeFileSync(
        script,
        `import { encodeArtifact } from ${JSON.stringify(CODEC_MODULE)};
         ${FIXTURE_SOURCE}
         process.stdout.write(Buffer.from(encodeArtifact('v', fixture).bytes).toString('hex'));`,
      );
      const there = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
      expect(there.length).toBe(here.length);
      expect(there === here).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('unsupported values', () => {
  it('a function at the top level', () => {
    const e = encodeError('model', () => 1);
    expect(e.message).toContain("Artifact 'model' cannot be stored: the value is a function");
  });

  it('a function inside an object names its path', () => {
    const model = { weights: [1, 2], fit() {} };
    expect(encodeError('model', model).message).toContain(
      "Artifact 'model' cannot be stored: a function at .fit",
    );
  });

  it('paths through arrays, odd keys, Maps, Sets and error causes', () => {
    expect(encodeError('a', { list: [1, 2, { cb: () => 0 }] }).message).toContain(
      'a function at .list[2].cb',
    );
    expect(encodeError('b', { 'odd key': { 'x-y': Symbol('s') } }).message).toContain(
      'a symbol (Symbol(s)) at ["odd key"]["x-y"]',
    );
    expect(encodeError('c', { m: new Map([['k', { f: () => 0 }]]) }).message).toContain(
      'a function at .m.get("k").f',
    );
    expect(encodeError('d', new Map([[() => 0, 1]])).message).toContain('a function at .keys()[0]');
    expect(encodeError('e', { s: new Set([1, () => 0]) }).message).toContain('a function at .s.values()[1]');
    expect(encodeError('f', new Error('x', { cause: { run: () => 0 } })).message).toContain(
      'a function at .cause.run',
    );
  });

  it('a function inside a cycle is reported with a simple path', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    cyclic.later = { fn: () => 0 };
    expect(encodeError('cyc', cyclic).message).toContain('a function at .later.fn');
  });

  it('symbols', () => {
    expect(encodeError('sym', Symbol('alone')).message).toContain('the value is a symbol (Symbol(alone))');
    expect(encodeError('sym', [Symbol.iterator]).message).toContain('at [0]');
  });

  it('Promise, WeakMap, WeakSet, WeakRef, SharedArrayBuffer', () => {
    expect(encodeError('p', { pending: Promise.resolve(1) }).message).toContain('a Promise at .pending');
    expect(encodeError('wm', { cache: new WeakMap() }).message).toContain('a WeakMap at .cache');
    expect(encodeError('ws', [new WeakSet()]).message).toContain('a WeakSet at [0]');
    expect(encodeError('wr', new WeakRef({})).message).toContain('a WeakRef');
    expect(encodeError('sab', { mem: new SharedArrayBuffer(8) }).message).toContain(
      'a SharedArrayBuffer at .mem',
    );
  });

  it('sockets and streams', () => {
    const socket = new net.Socket();
    try {
      expect(encodeError('conn', { socket }).message).toContain('an instance of class Socket at .socket');
    } finally {
      socket.destroy();
    }
    expect(encodeError('stream', Readable.from(['a'])).message).toContain('an instance of class Readable');
  });

  it('instances of user classes, and subclasses of built-ins', () => {
    class Model {
      weights = [1, 2];
    }
    const e = encodeError('model', { model: new Model() });
    expect(e.message).toContain('an instance of class Model');
    expect(e.message).toContain('at .model');
    class Registry extends Map<string, number> {}
    expect(encodeError('reg', new Registry([['a', 1]])).message).toContain('a subclass of Map');
    class Tags extends Set<string> {}
    expect(encodeError('tags', { t: new Tags() }).message).toContain('a subclass of Set');
    class Stamp extends Date {}
    expect(encodeError('when', new Stamp()).message).toContain('a subclass of Date');
    class List extends Array<number> {}
    expect(encodeError('list', List.from([1])).message).toContain('a subclass of Array');
    expect(encodeError('boxed', { n: new Number(1) }).message).toContain('an instance of class Number');
  });

  it('strings with an unpaired surrogate (they would not survive UTF-8)', () => {
    expect(encodeError('text', { s: 'ok \uD800 broken' }).message).toContain(
      'unpaired UTF-16 surrogate at .s',
    );
  });

  it('values nested too deeply to encode', () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(encodeError('deep', deep).message).toContain('nested too deeply');
  });

  it('a getter that throws', () => {
    const value = {
      get broken(): number {
        throw new Error('boom');
      },
    };
    expect(encodeError('getter', value).message).toContain('reading it threw (boom)');
  });
});

describe('decodeArtifact errors', () => {
  it('an unknown codec is a ValidationError on the codec field', () => {
    let caught: unknown;
    try {
      decodeArtifact('json' as CodecId, new Uint8Array([1]));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).code).toBe('VALIDATION');
    expect((caught as ValidationError).field).toBe('codec');
    expect((caught as Error).message).toContain("'json'");
  });

  it('corrupt or truncated bytes are a StoreError', () => {
    const { bytes } = encodeArtifact('v', { a: [1, 2, 3], s: 'text' });
    expect(() => decodeArtifact('msgpackr-v1', bytes.subarray(0, bytes.byteLength - 3))).toThrow(StoreError);
    expect(() => decodeArtifact('msgpackr-v1', new Uint8Array(0))).toThrow(StoreError);
  });
});

describe('exact round trips', () => {
  it('a top-level Uint8Array comes back as a Uint8Array over the same memory, a Buffer as a Buffer', () => {
    const backing = new Uint8Array([0, 1, 2, 3, 4]);
    const view = backing.subarray(1, 4);
    const { codec, bytes } = encodeArtifact('bytes', view);
    const decoded = decodeArtifact(codec, bytes) as Uint8Array;
    expect(decoded.constructor).toBe(Uint8Array);
    expect([...decoded]).toEqual([1, 2, 3]);
    expect(decoded.buffer).toBe(backing.buffer);
    const fromBuffer = Buffer.from([7, 8]);
    const again = encodeArtifact('bytes', new Uint8Array([9]));
    expect((decodeArtifact(again.codec, Buffer.from(again.bytes)) as Uint8Array).constructor).toBe(
      Uint8Array,
    );
    const raw = encodeArtifact('buf', fromBuffer);
    expect(Buffer.isBuffer(decodeArtifact(raw.codec, raw.bytes))).toBe(true);
  });

  it('-0 anywhere: top level, objects, arrays, Map values, error causes; the value itself is left as it was', () => {
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    const value = { a: -0, b: 0, list: [0, -0, { deep: -0 }], m: new Map([['k', -0]]) };
    const decoded = roundTrip(value);
    expect(Object.is(decoded.a, -0)).toBe(true);
    expect(Object.is(decoded.b, 0)).toBe(true);
    expect(Object.is(decoded.list[1], -0)).toBe(true);
    expect(Object.is((decoded.list[2] as { deep: number }).deep, -0)).toBe(true);
    expect(Object.is(decoded.m.get('k'), -0)).toBe(true);
    expect(Object.is(value.a, -0) && Object.is(value.list[1], -0) && Object.is(value.m.get('k'), -0)).toBe(
      true,
    );
    const e = roundTrip(new Error('x', { cause: -0 }));
    expect(Object.is(e.cause, -0)).toBe(true);
    // The same bytes as before for values without -0, and equal values with -0 give equal bytes.
    expect(
      Buffer.from(encodeArtifact('a', { a: -0 }).bytes).equals(
        Buffer.from(encodeArtifact('b', { a: -0 }).bytes),
      ),
    ).toBe(true);
  });

  it('an Error keeps its stack, own properties, cause, name and standard class', () => {
    const original = Object.assign(new RangeError('too far', { cause: { limit: 3 } }), {
      code: 'E_FAR',
      details: { n: 4 },
    });
    const decoded = roundTrip({ original }).original;
    expect(decoded).toBeInstanceOf(RangeError);
    expect(decoded.stack).toBe(original.stack);
    expect(decoded.message).toBe('too far');
    expect(decoded.cause).toEqual({ limit: 3 });
    expect({ ...decoded }).toEqual({ code: 'E_FAR', details: { n: 4 } });
    class QuotaError extends Error {
      override name = 'QuotaError';
      limit = 5;
    }
    const custom = roundTrip(new QuotaError('over'));
    expect(custom).toBeInstanceOf(Error);
    expect(custom.name).toBe('QuotaError');
    expect((custom as unknown as { limit: number }).limit).toBe(5);
    const own = Object.assign(new Error('renamed'), { name: 'OwnName' });
    expect({ ...roundTrip(own) }).toEqual({ name: 'OwnName' });
    const aggregate = roundTrip(new AggregateError([new Error('one')], 'many'));
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect(aggregate.errors[0].message).toBe('one');
    expect(Object.hasOwn(roundTrip(new Error('no cause')), 'cause')).toBe(false);
  });

  it('refuses what cannot come back exactly, naming the path', () => {
    const loop = new Error('loop') as Error & { self?: unknown };
    loop.cause = { again: loop };
    expect(encodeError('loop', { loop }).message).toContain(
      'an Error that contains itself at .loop.cause.again',
    );
    expect(encodeError('frozen', { f: Object.freeze({ z: -0 }) }).message).toContain(
      'a -0 in a read-only property at .f.z',
    );
    class Bytes extends Uint8Array {}
    expect(encodeError('sub', new Bytes(2)).message).toContain('a subclass of TypedArray');
  });
});
