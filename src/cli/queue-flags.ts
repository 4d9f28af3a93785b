/** The queue flags: `--executor`, `--queue redis://…` (run, resume, server) and `--resources` (worker). */
import os from 'node:os';
import { UsageError } from '../core/errors.ts';
import type { ResourceOffer } from '../flow/resource-fit.ts';
import type { ExecutorSpec } from '../runtime/executor/create-executor.ts';
import { tuningFromEnv } from '../runtime/executor/queue/queue-names.ts';

/** A `redis://` / `rediss://` URL, checked. */
export function parseQueueUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--queue takes a redis://host:port URL, not '${value}'.`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new UsageError(`--queue takes a redis:// or rediss:// URL, not '${value}'.`);
  return value;
}

/** `--executor local|queue` with `--queue URL` (which alone means the queue executor). */
export function executorSpecOf(executor: string | undefined, queue: string | undefined): ExecutorSpec {
  const kind = executor ?? (queue ? 'queue' : 'local');
  if (kind === 'local') {
    if (queue) throw new UsageError('--queue goes with --executor queue, not --executor local.');
    return { kind: 'local' };
  }
  if (kind !== 'queue') throw new UsageError(`--executor takes local or queue, not '${kind}'.`);
  if (!queue) throw new UsageError('--executor queue needs --queue redis://host:port.');
  return { kind: 'queue', url: parseQueueUrl(queue), ...tuningFromEnv() };
}

const NAMES: Record<string, keyof ResourceOffer> = {
  cpu: 'cpu',
  cpus: 'cpu',
  gpu: 'gpu',
  gpus: 'gpu',
  memorymb: 'memoryMb',
  memory: 'memoryMb',
  mem: 'memoryMb',
};

/**
 * `cpu=4,gpu=1,memoryMb=16384`: what a worker offers; what is not named is this machine's CPUs and
 * memory, and no GPU.
 */
export function parseResourceOffer(value: string | undefined): ResourceOffer {
  const offer: ResourceOffer = {
    cpu: os.availableParallelism(),
    memoryMb: Math.floor(os.totalmem() / 2 ** 20),
    gpu: 0,
  };
  if (value === undefined || value.trim() === '') return offer;
  for (const part of value.split(',')) {
    const [rawName, rawValue] = part.split('=');
    const name = NAMES[(rawName ?? '').trim().toLowerCase()];
    const n = Number(rawValue);
    if (!name || rawValue === undefined || !Number.isFinite(n) || n < 0)
      throw new UsageError(
        `--resources takes name=value pairs of cpu, memoryMb and gpu (e.g. cpu=4,gpu=1), not '${part}'.`,
      );
    offer[name] = n;
  }
  return offer;
}
