/**
 * The task page's server side, on the embedded store over HTTP (`node --import tsx bench/ui/task-page.ts`):
 * the typed preview of a ~10 MB structured artifact against fetching its raw blob, a log search
 * over 100,000 lines against reading the same lines unfiltered, and the streamed download of
 * them. Baselines are measured in the same run (the routes are new, so an older commit has none).
 * `run()` prints nothing and returns the figures; bench/ui.ts collects them.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodeArtifact } from '../../src/store/codec.ts';
import { openEmbeddedStores } from '../../src/store/embedded.ts';
import type { LogLine } from '../../src/store/metadata-store.ts';
import { newRunRecord } from '../../test/helpers.ts';
import { serveHome } from '../../test/web/ui-home.ts';

const LINES = 100_000;
const ROWS = 210_000;
const REPEATS = 7;

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export async function run(): Promise<Record<string, number | string>> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'flowtrail-bench-task-'));
  const stores = openEmbeddedStores(home);
  const now = Date.now();
  const runRecord = await stores.metadata.createRun(
    newRunRecord('BenchFlow', { user: 'bench', createdAt: now }),
  );
  const runId = runRecord.id;
  await stores.metadata.write([
    {
      op: 'task.create',
      task: {
        runId,
        taskId: 1,
        step: 'start',
        status: 'completed',
        successful: true,
        foreachPath: [],
        foreachCount: null,
        parentIds: [],
        attempts: 1,
        finalAttempt: 0,
        createdAt: now,
        startedAt: now,
        finishedAt: now + 1,
        originPathspec: null,
      },
    },
  ]);
  // 100k lines, one in 1,000 holding the needle.
  for (let start = 0; start < LINES; start += 10_000) {
    const lines: LogLine[] = [];
    for (let seq = start; seq < start + 10_000; seq++)
      lines.push({
        runId,
        taskId: 1,
        attempt: 0,
        seq,
        stream: seq % 10 === 0 ? 'stderr' : 'stdout',
        ts: now + seq,
        line: `${seq % 1000 === 7 ? 'found the Needle ' : ''}epoch ${seq >> 10} batch ${seq} loss=${(1 / (seq + 1)).toFixed(6)} lr=0.001 step time 12.5ms`,
      });
    await stores.metadata.write([{ op: 'logs.append', lines }]);
  }
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    id: i,
    name: `customer ${i}`,
    score: i * 0.37,
    active: i % 3 === 0,
    at: new Date(now - i * 1000),
    segment: `segment-${i % 17}`,
  }));
  const { codec, bytes } = encodeArtifact('rows', rows);
  const blob = await stores.artifacts.put(bytes);
  await stores.metadata.write([
    {
      op: 'artifacts.add',
      artifacts: [
        { runId, taskId: 1, attempt: 0, name: 'rows', sha: blob.sha, codec, size: blob.size, createdAt: now },
      ],
    },
  ]);

  const server = await serveHome(home, { triggers: false });
  const base = `${server.url}/api/v1/runs/${runId}/tasks/1`;
  const get = async (url: string) => {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    return r.arrayBuffer();
  };
  try {
    let previewBytes = 0;
    const preview = await median(async () => {
      previewBytes = (await get(`${base}/artifacts/rows/preview`)).byteLength;
    });
    const raw = await median(() => get(`${server.url}/api/v1/artifacts/${blob.sha}`));
    let matches = 0;
    const search = await median(async () => {
      const body = JSON.parse(Buffer.from(await get(`${base}/logs/search?text=needle&limit=500`)).toString());
      matches = (body as { lines: unknown[] }).lines.length;
    });
    const searchNone = await median(() => get(`${base}/logs/search?text=absent-text&limit=500`));
    const storeSearch = await median(() =>
      stores.metadata.searchLogs(runId, 1, { text: 'needle', limit: 500 }),
    );
    const readAll = await median(() => get(`${base}/logs?limit=${LINES}`));
    let downloadBytes = 0;
    const download = await median(async () => {
      downloadBytes = (await get(`${base}/logs/download`)).byteLength;
    });
    return {
      'artifact size (MB, msgpackr)': Math.round((blob.size / 1024 / 1024) * 10) / 10,
      'artifact preview (ms, HTTP)': round(preview),
      'artifact preview answer (KB)': Math.round(previewBytes / 1024),
      'raw blob fetch, baseline (ms)': round(raw),
      'preview / raw fetch': Math.round((preview / raw) * 100) / 100,
      'log search 100k lines, 100 matches (ms, HTTP)': round(search),
      'log search matches': matches,
      'log search 100k lines, no match (ms, HTTP)': round(searchNone),
      'log search in the store alone (ms)': round(storeSearch),
      'read all 100k lines, baseline (ms, HTTP)': round(readAll),
      'search / read all': Math.round((search / readAll) * 100) / 100,
      'download 100k lines (ms)': round(download),
      'download size (MB)': Math.round((downloadBytes / 1024 / 1024) * 10) / 10,
    };
  } finally {
    await server.close();
    await stores.close();
    await fs.rm(home, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await run();
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(50)} ${v}`);
}
