/**
 * Artifacts inside a flow: `node --import tsx bench/artifact-flow.ts`. Prints figures, asserts nothing.
 *
 * A 200 MB Buffer is assigned in one step and read in the next (bench/flows/big-artifact.ts).
 * Write = from the moment the value is ready in the step to the task's recorded finish (encode,
 * sha256, atomic write, metadata); read = the lazy load on first access in the next step. Both are
 * compared with raw node:fs writing and reading the same number of bytes in the same run.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CodecId, decodeArtifact } from '../src/store/codec.ts';
import { openEmbeddedStores } from '../src/store/embedded.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MB = Number(process.env.BENCH_BLOB_MB ?? 200);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function rawFs(dir: string): { writeMs: number; readMs: number } {
  const bytes = Buffer.allocUnsafe(MB * 1024 * 1024);
  bytes.fill(7);
  const file = path.join(dir, 'raw.bin');
  let t = performance.now();
  fs.writeFileSync(file, bytes);
  const writeMs = performance.now() - t;
  t = performance.now();
  fs.readFileSync(file);
  const readMs = performance.now() - t;
  fs.rmSync(file);
  return { writeMs, readMs };
}

async function flowOnce(): Promise<{ writeMs: number; readMs: number }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-art-'));
  try {
    const r = spawnSync(
      process.execPath,
      [
        path.join(root, 'bin/flowtrail.js'),
        'run',
        path.join(root, 'bench/flows/big-artifact.ts'),
        '--mb',
        String(MB),
        '--quiet',
      ],
      {
        env: { ...process.env, FLOWTRAIL_HOME: home },
        stdio: 'inherit',
      },
    );
    if (r.status !== 0) throw new Error('flow failed');
    await using stores = openEmbeddedStores(home);
    const run = (await stores.metadata.latestRun({ flow: 'BigArtifactFlow' }))!;
    const [start] = await stores.metadata.listTasks(run.id, { step: 'start' });
    const [consume] = await stores.metadata.listTasks(run.id, { step: 'consume' });
    const read = async (taskId: number, name: string) => {
      const a = (await stores.metadata.listArtifacts(run.id, taskId)).find((x) => x.name === name)!;
      return decodeArtifact(a.codec as CodecId, await stores.artifacts.get(a.sha)) as number;
    };
    const madeAt = await read(start!.taskId, 'madeAt');
    return { writeMs: start!.finishedAt! - madeAt, readMs: await read(consume!.taskId, 'readMs') };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-raw-'));
const raw: { writeMs: number; readMs: number }[] = [];
const ours: { writeMs: number; readMs: number }[] = [];
for (let i = 0; i < RUNS; i++) {
  raw.push(rawFs(tmp));
  ours.push(await flowOnce());
}
fs.rmSync(tmp, { recursive: true, force: true });
const mbps = (ms: number) => (MB / (ms / 1000)).toFixed(0);
const rw = median(raw.map((r) => r.writeMs));
const rr = median(raw.map((r) => r.readMs));
const ow = median(ours.map((r) => r.writeMs));
const or = median(ours.map((r) => r.readMs));
console.log(`${MB} MB artifact, median of ${RUNS}`);
console.log(
  `  raw fs write ${rw.toFixed(0)} ms (${mbps(rw)} MB/s)   flow write ${ow.toFixed(0)} ms (${mbps(ow)} MB/s)   ratio ${(rw / ow).toFixed(2)}×`,
);
console.log(
  `  raw fs read  ${rr.toFixed(0)} ms (${mbps(rr)} MB/s)   flow read  ${or.toFixed(0)} ms (${mbps(or)} MB/s)   ratio ${(rr / or).toFixed(2)}×`,
);
console.log(
  JSON.stringify({
    bench: 'artifact-flow',
    mb: MB,
    raw_write_ms: rw,
    raw_read_ms: rr,
    flow_write_ms: ow,
    flow_read_ms: or,
    write_ratio: rw / ow,
    read_ratio: rr / or,
  }),
);
