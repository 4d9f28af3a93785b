/**
 * Artifact benchmark: `node --import tsx bench/artifacts.ts`. Prints figures, asserts nothing.
 *
 * (a) a 200 MB binary blob through `FsArtifactStore.put` / `get` against plain `fs.writeFileSync` /
 *     `fs.readFileSync` of the same bytes in the same temporary directory, in the same run (target: ≥ 0.8×).
 *     The sha256 of the bytes is reported too: a content-addressed put cannot be faster than hashing.
 * (b) a 50k-row table encoded / decoded with the artifact codec, against `JSON.stringify` / `JSON.parse`
 *     and against the codec of `BENCH_BASELINE` (bench/baseline.ts) in the same run. Both codecs share one
 *     msgpackr module, so the baseline's packer sees our extensions too; they only act on `Error`s and -0,
 *     which the rows do not hold, so its figures are its own.
 *
 * Each figure is the median of BENCH_RUNS (default 3) timed runs after one untimed warm-up run. Both sides of
 * a comparison get the same treatment (a GC before each timing, alternating order), so the ratios are fair.
 * Reads happen right after the writes in the same process, so they are served from the page cache.
 */
import { createHash, randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { decodeArtifact, encodeArtifact } from '../src/store/codec.ts';
import { FsArtifactStore } from '../src/store/fs/fs-artifact-store.ts';
import { baselineCheckout, speedup } from './baseline.ts';

interface Codec {
  encodeArtifact: typeof encodeArtifact;
  decodeArtifact: typeof decodeArtifact;
}

const MB = 1024 * 1024;
const BLOB_MB = Number(process.env.BENCH_BLOB_MB ?? 200);
const ROWS = Number(process.env.BENCH_ROWS ?? 50_000);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timed<T>(fn: () => T | Promise<T>): Promise<{ ms: number; result: T }> {
  gc();
  const start = performance.now();
  const result = await fn();
  return { ms: performance.now() - start, result };
}

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));
const mbps = (bytes: number, ms: number): number => round(bytes / MB / (ms / 1000), 0);

function randomish(size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let offset = 0; offset < size; offset += 64 * 1024) {
    randomFillSync(bytes, offset, Math.min(64 * 1024, size - offset));
  }
  return bytes;
}

async function blobBench(dir: string) {
  const size = BLOB_MB * MB;
  const bytes = randomish(size);
  const rawFile = path.join(dir, 'raw.bin');
  const store = new FsArtifactStore(path.join(dir, 'artifacts'));
  const t = { rawWrite: [] as number[], rawRead: [] as number[], put: [] as number[], get: [] as number[] };
  const getSync: number[] = [];
  const hash: number[] = [];
  let sha = '';

  for (let run = 0; run <= RUNS; run++) {
    const warmUp = run === 0;
    const raw = async () => {
      const w = await timed(() => fs.writeFileSync(rawFile, bytes));
      const r = await timed(() => fs.readFileSync(rawFile));
      if (r.result.length !== size) throw new Error('raw read came back short');
      fs.rmSync(rawFile);
      if (!warmUp) {
        t.rawWrite.push(w.ms);
        t.rawRead.push(r.ms);
      }
    };
    const ours = async () => {
      const w = await timed(() => store.put(bytes));
      if (w.result.existed) throw new Error('the blob should have been written, not found');
      sha = w.result.sha;
      const r = await timed(() => store.get(sha));
      if (r.result.byteLength !== size) throw new Error('get came back short');
      const rs = await timed(() => store.getSync(sha));
      if (rs.result.byteLength !== size) throw new Error('getSync came back short');
      fs.rmSync(path.join(dir, 'artifacts', sha.slice(0, 2), sha)); // so the next put writes again
      if (!warmUp) {
        t.put.push(w.ms);
        t.get.push(r.ms);
        getSync.push(rs.ms);
      }
    };
    // Alternate which side goes first, so background writeback after one side's writes hits both equally.
    if (run % 2 === 0) {
      await raw();
      await ours();
    } else {
      await ours();
      await raw();
    }
    const h = await timed(() => createHash('sha256').update(bytes).digest('hex'));
    if (h.result !== sha) throw new Error('sha mismatch');
    if (!warmUp) hash.push(h.ms);
  }

  const ms = {
    rawWrite: median(t.rawWrite),
    rawRead: median(t.rawRead),
    put: median(t.put),
    get: median(t.get),
    getSync: median(getSync),
    sha256: median(hash),
  };
  return {
    blobMB: BLOB_MB,
    ms: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, round(v)])),
    mbps: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, mbps(size, v)])),
    writeRatio: round(ms.rawWrite / ms.put, 2),
    readRatio: round(ms.rawRead / ms.get, 2),
    getSyncReadRatio: round(ms.rawRead / ms.getSync, 2),
    /** The best a put can do while its key is the sha256 of the bytes: raw write time / hash time. */
    hashBoundWriteRatio: round(ms.rawWrite / ms.sha256, 2),
  };
}

async function rowsBench(baseline: Codec | null) {
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    id: i,
    name: `row-${i}`,
    score: Math.random(),
    tags: ['a', 'b'],
    at: new Date(),
  }));
  const t = {
    encode: [] as number[],
    decode: [] as number[],
    stringify: [] as number[],
    parse: [] as number[],
    baseEncode: [] as number[],
    baseDecode: [] as number[],
  };
  let encodedBytes = 0;
  let jsonBytes = 0;
  for (let run = 0; run <= RUNS; run++) {
    const e = await timed(() => encodeArtifact('rows', rows));
    const encoded = e.result.bytes;
    const d = await timed(() => decodeArtifact(e.result.codec, encoded));
    if ((d.result as unknown[]).length !== ROWS) throw new Error('decode came back short');
    if (baseline) {
      const be = await timed(() => baseline.encodeArtifact('rows', rows));
      const bd = await timed(() => baseline.decodeArtifact(be.result.codec, be.result.bytes));
      if ((bd.result as unknown[]).length !== ROWS) throw new Error('baseline decode came back short');
      if (run > 0) {
        t.baseEncode.push(be.ms);
        t.baseDecode.push(bd.ms);
      }
    }
    const s = await timed(() => JSON.stringify(rows));
    const p = await timed(() => JSON.parse(s.result) as unknown[]);
    if (p.result.length !== ROWS) throw new Error('JSON.parse came back short');
    encodedBytes = encoded.byteLength;
    jsonBytes = Buffer.byteLength(s.result);
    if (run > 0) {
      t.encode.push(e.ms);
      t.decode.push(d.ms);
      t.stringify.push(s.ms);
      t.parse.push(p.ms);
    }
  }
  return {
    rows: ROWS,
    ms: {
      encode: round(median(t.encode)),
      decode: round(median(t.decode)),
      jsonStringify: round(median(t.stringify)),
      jsonParse: round(median(t.parse)),
      ...(baseline
        ? { baselineEncode: round(median(t.baseEncode)), baselineDecode: round(median(t.baseDecode)) }
        : {}),
    },
    sizeMB: { msgpackr: round(encodedBytes / MB, 2), json: round(jsonBytes / MB, 2) },
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    )
    .join('\n');
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowtrail-bench-artifacts-'));
  try {
    console.log(
      `node ${process.version}, ${os.cpus().length} CPUs, temp dir ${dir}, median of ${RUNS} runs\n`,
    );
    const blob = await blobBench(dir);
    console.log(`(a) ${BLOB_MB} MB blob`);
    console.log(
      table([
        ['', 'ms', 'MB/s', 'ours/raw'],
        ['raw fs.writeFileSync', String(blob.ms.rawWrite), String(blob.mbps.rawWrite), ''],
        ['FsArtifactStore.put', String(blob.ms.put), String(blob.mbps.put), `${blob.writeRatio}x`],
        ['raw fs.readFileSync', String(blob.ms.rawRead), String(blob.mbps.rawRead), ''],
        ['FsArtifactStore.get', String(blob.ms.get), String(blob.mbps.get), `${blob.readRatio}x`],
        [
          'FsArtifactStore.getSync',
          String(blob.ms.getSync),
          String(blob.mbps.getSync),
          `${blob.getSyncReadRatio}x`,
        ],
        [
          'sha256 alone',
          String(blob.ms.sha256),
          String(blob.mbps.sha256),
          `(bound ${blob.hashBoundWriteRatio}x)`,
        ],
      ]),
    );
    const checkout = baselineCheckout();
    const baseline = checkout
      ? ((await import(path.join(checkout.dir, 'src/store/codec.ts'))) as Codec)
      : null;
    const rows = await rowsBench(baseline);
    console.log(`\n(b) ${rows.rows} rows`);
    console.log(
      table([
        ['', 'encode ms', 'decode ms', 'size MB'],
        [
          'artifact codec (msgpackr)',
          String(rows.ms.encode),
          String(rows.ms.decode),
          String(rows.sizeMB.msgpackr),
        ],
        [
          'JSON.stringify / parse',
          String(rows.ms.jsonStringify),
          String(rows.ms.jsonParse),
          String(rows.sizeMB.json),
        ],
        ...(checkout
          ? [
              [
                `artifact codec at ${checkout.label}`,
                String(rows.ms.baselineEncode),
                String(rows.ms.baselineDecode),
                '',
              ],
            ]
          : []),
      ]),
    );
    if (checkout) {
      console.log(`encode: ${speedup(rows.ms.baselineEncode!, rows.ms.encode, checkout.label)}`);
      console.log(`decode: ${speedup(rows.ms.baselineDecode!, rows.ms.decode, checkout.label)}`);
    }
    console.log();
    console.log(JSON.stringify({ bench: 'artifacts', node: process.version, runs: RUNS, blob, rows }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
