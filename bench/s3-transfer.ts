/**
 * S3 transfer benchmark: `node --import tsx bench/s3-transfer.ts`. Prints figures, asserts nothing;
 * `measureS3Transfer()` returns them (bench/queue.ts reports them with the queue figures).
 *
 * A 200 MB artifact (BENCH_S3_MB) is put and got through `S3ArtifactStore` against s3rver on
 * loopback (its own process), and — the baseline, in the same run against the same server — the
 * same bytes through the bare SDK: lib-storage `Upload` with the same part size and queue, and one
 * `GetObject` whose body is gathered with `Buffer.concat`. The store's put also hashes the bytes
 * and asks HEAD first, so put/put-baseline is the cost of content addressing. Each put stores
 * fresh bytes (one byte changed per run), so no put is answered by "already there". Figures are
 * medians of BENCH_RUNS (default 3) after one warm-up, the two sides alternating.
 * Targets (issue 14): put ≥ 60 MB/s, get ≥ 100 MB/s.
 */
import { randomFillSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { S3_PART_SIZE, S3_QUEUE_SIZE, S3ArtifactStore } from '../src/store/s3/s3-artifact-store.ts';
import { S3RVER_KEY, startS3rver } from '../test/support/s3rver.ts';

const MB = 1024 * 1024;

export interface S3TransferFigures {
  /** Artifact size in MiB. */
  mb: number;
  runs: number;
  store: { putMBps: number; getMBps: number; putMs: number; getMs: number };
  /** Peak RSS above the value itself during the store's puts, MiB (the bound: parts in flight + buffers). */
  putExtraRssMB: number;
  /** The bare SDK on the same server in the same run. */
  sdk: { putMBps: number; getMBps: number; putMs: number; getMs: number };
  /** store ÷ sdk throughput. */
  ratio: { put: number; get: number };
  targets: { putMBps: 60; getMBps: 100; met: boolean };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (n: number, digits = 0) => Number(n.toFixed(digits));

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * Measures put and get of one artifact through the S3 store and through the bare SDK.
 *
 * @example
 * const figures = await measureS3Transfer({ mb: 200 });
 * console.log(figures.store.putMBps, figures.store.getMBps);
 */
export async function measureS3Transfer(
  options: { mb?: number; runs?: number } = {},
): Promise<S3TransferFigures> {
  const mb = options.mb ?? Number(process.env.BENCH_S3_MB ?? 200);
  const runs = Math.max(1, options.runs ?? Number(process.env.BENCH_RUNS ?? 3));
  const s3 = await startS3rver({ bucket: 'flowtrail-bench' });
  // As the store does: the pinned SDK's Node 20 notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sdk = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    const store = new S3ArtifactStore(`s3://${s3.bucket}/bench`, s3.env);
    const bytes = Buffer.allocUnsafe(mb * MB);
    for (let offset = 0; offset < bytes.length; offset += 64 * 1024)
      randomFillSync(bytes, offset, Math.min(64 * 1024, bytes.length - offset));
    const extraRss: number[] = [];
    const times = {
      put: [] as number[],
      get: [] as number[],
      sdkPut: [] as number[],
      sdkGet: [] as number[],
    };
    for (let run = 0; run <= runs; run++) {
      bytes[0] = run; // fresh content: a new sha, a new key
      const key = `raw/${run}`;
      const storeSide = async () => {
        let sha = '';
        const before = process.memoryUsage.rss();
        let peak = before;
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage.rss());
        }, 5);
        const put = await timed(async () => {
          sha = (await store.put(bytes)).sha;
        });
        clearInterval(sampler);
        if (run > 0) extraRss.push((peak - before) / MB);
        const get = await timed(() => store.get(sha));
        return { put, get };
      };
      const sdkSide = async () => {
        const put = await timed(() =>
          new Upload({
            client: sdk,
            params: { Bucket: s3.bucket, Key: key, Body: bytes },
            partSize: S3_PART_SIZE,
            queueSize: S3_QUEUE_SIZE,
          }).done(),
        );
        const get = await timed(async () => {
          const answer = await sdk.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
          const chunks: Uint8Array[] = [];
          for await (const chunk of answer.Body as AsyncIterable<Uint8Array>) chunks.push(chunk);
          return Buffer.concat(chunks);
        });
        return { put, get };
      };
      const first = run % 2 === 0 ? storeSide : sdkSide;
      const second = first === storeSide ? sdkSide : storeSide;
      const a = await first();
      const b = await second();
      if (run === 0) continue; // warm-up
      const [ours, theirs] = first === storeSide ? [a, b] : [b, a];
      times.put.push(ours.put);
      times.get.push(ours.get);
      times.sdkPut.push(theirs.put);
      times.sdkGet.push(theirs.get);
    }
    const mbps = (ms: number) => round(mb / (ms / 1000));
    const ms = {
      put: median(times.put),
      get: median(times.get),
      sdkPut: median(times.sdkPut),
      sdkGet: median(times.sdkGet),
    };
    const figures: S3TransferFigures = {
      mb,
      runs,
      store: { putMBps: mbps(ms.put), getMBps: mbps(ms.get), putMs: round(ms.put), getMs: round(ms.get) },
      sdk: {
        putMBps: mbps(ms.sdkPut),
        getMBps: mbps(ms.sdkGet),
        putMs: round(ms.sdkPut),
        getMs: round(ms.sdkGet),
      },
      putExtraRssMB: round(Math.max(...extraRss)),
      ratio: { put: round(ms.sdkPut / ms.put, 2), get: round(ms.sdkGet / ms.get, 2) },
      targets: { putMBps: 60, getMBps: 100, met: false },
    };
    figures.targets.met = figures.store.putMBps >= 60 && figures.store.getMBps >= 100;
    return figures;
  } finally {
    sdk.destroy();
    await s3.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const f = await measureS3Transfer();
  const rows = [
    ['', 'put ms', 'put MB/s', 'get ms', 'get MB/s'],
    ['S3ArtifactStore', f.store.putMs, f.store.putMBps, f.store.getMs, f.store.getMBps],
    ['bare SDK (baseline)', f.sdk.putMs, f.sdk.putMBps, f.sdk.getMs, f.sdk.getMBps],
  ].map((r) => r.map(String));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`S3 transfer of a ${f.mb} MiB artifact against s3rver on loopback (median of ${f.runs})`);
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  console.log(
    `peak RSS growth during the store's puts: ${f.putExtraRssMB} MiB (the value itself: ${f.mb} MiB)`,
  );
  console.log(
    `store/baseline: put ${f.ratio.put}x, get ${f.ratio.get}x; targets put ≥ 60, get ≥ 100 MB/s: ${f.targets.met ? 'met' : 'NOT met'}`,
  );
}
