/** Which executor a run uses, from its options; the queue adapter (and BullMQ) loads only when asked for. */
import type { ArtifactStore } from '../../store/artifact-store.ts';
import type { Worker } from '../worker-pool.ts';
import type { Executor } from './executor.ts';
import { LocalExecutor } from './local-executor.ts';
import type { QueueTuning } from './queue/queue-names.ts';

/** `local`: this machine's process pool; `queue`: BullMQ on Redis at `url`, served by `flowtrail worker`s. */
export type ExecutorSpec = { kind: 'local' } | ({ kind: 'queue'; url: string } & Partial<QueueTuning>);

export interface ExecutorContext {
  maxWorkers: number;
  isolate: boolean;
  prestarted?: readonly Worker[];
  /** Where more local workers come from as tasks need them (the server's spares), see `ProcessPoolOptions.spares`. */
  spares?: () => Worker | undefined;
  /** Where the queue executor puts the compiled flow for remote workers. */
  artifacts: ArtifactStore;
}

export async function createExecutor(spec: ExecutorSpec, ctx: ExecutorContext): Promise<Executor> {
  if (spec.kind === 'local') {
    return new LocalExecutor({
      maxWorkers: ctx.maxWorkers,
      isolate: ctx.isolate,
      ...(ctx.prestarted ? { prestarted: ctx.prestarted } : {}),
      ...(ctx.spares ? { spares: ctx.spares } : {}),
    });
  }
  // Workers forked ahead for a local pool are not needed.
  for (const w of ctx.prestarted ?? []) w.stop();
  const { QueueExecutor } = await import('./queue/queue-executor.ts');
  return new QueueExecutor({ ...spec, artifacts: ctx.artifacts });
}
