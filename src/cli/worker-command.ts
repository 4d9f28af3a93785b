/**
 * `flowtrail worker --queue redis://…`: run task attempts from the queue on this machine until
 * SIGTERM / SIGINT (then finish or hand back what it holds). Metadata, logs and events go to the
 * configured stores (FLOWTRAIL_SERVICE_URL in a multi-machine set-up), artifacts to the artifact
 * store (FLOWTRAIL_ARTIFACTS).
 */
import os from 'node:os';
import type { Command } from 'commander';
import { resolveHome } from '../core/config.ts';
import { formatResources } from '../flow/resource-fit.ts';
import { tuningFromEnv } from '../runtime/executor/queue/queue-names.ts';
import { openRunStores } from '../store/open.ts';
import { intOption } from './format.ts';
import { parseQueueUrl, parseResourceOffer } from './queue-flags.ts';

interface WorkerFlags {
  queue: string;
  concurrency?: string;
  resources?: string;
  stopTimeout?: string;
  quiet?: boolean;
}

async function work(flags: WorkerFlags): Promise<void> {
  const url = parseQueueUrl(flags.queue);
  const concurrency = intOption('concurrency', flags.concurrency, 1) ?? os.availableParallelism();
  const stopTimeout = intOption('stop-timeout', flags.stopTimeout, 0) ?? 30;
  const offer = parseResourceOffer(flags.resources);
  const log = flags.quiet
    ? () => {}
    : (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const stores = await openRunStores(resolveHome());
  const { QueueWorker } = await import('../runtime/executor/queue/queue-worker.ts');
  const worker = new QueueWorker({
    url,
    concurrency,
    offer,
    stores,
    tuning: tuningFromEnv(),
    stopGraceMs: stopTimeout * 1000,
    log,
  });
  await worker.start();
  log(
    `Flowtrail worker ${worker.id} taking attempts from ${url.replace(/\/\/[^@/]*@/, '//***@')} (concurrency ${concurrency}, offers ${formatResources(offer)})`,
  );
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log(`${signal}: finishing the running attempts (up to ${stopTimeout} s), then stopping.`);
      void worker
        .stop()
        .finally(() => stores.close())
        .finally(resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  log(`Worker ${worker.id} stopped after ${worker.taken} attempt(s).`);
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'Run task attempts from a queue on this machine (runs started with --executor queue, or by `server --queue`).',
    )
    .requiredOption('--queue <url>', 'the Redis the attempts are queued in (redis://host:port)')
    .option('--concurrency <n>', 'attempts at once, each in its own process (default: one per CPU)')
    .option(
      '--resources <list>',
      'what this worker offers, e.g. cpu=4,memoryMb=16384,gpu=1 (default: this machine, no GPU)',
    )
    .option(
      '--stop-timeout <seconds>',
      'on SIGTERM, how long running attempts may finish before they are handed back (default 30)',
    )
    .option('--quiet', 'print nothing but errors')
    .action(async (flags: WorkerFlags) => work(flags));
}
