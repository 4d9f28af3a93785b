/**
 * A worker process of the local executor: loads the flow module once, then runs the tasks the
 * orchestrator sends, one at a time, each on a fresh flow instance.
 * It may be forked before the flow is compiled: the first message (`load`) names the flow module,
 * the artifact store (a directory or `s3://…`) and the run's context; every `run` message then carries only the task's part.
 */

import { pathToFileURL } from 'node:url';
import { toExceptionRecord } from '../core/errors.ts';
import type { ArtifactStore } from '../store/artifact-store.ts';
import { openArtifactStore } from '../store/open-artifact-store.ts';
import { environmentInfo } from './environment-info.ts';
import { importFlowModule } from './flow-loader.ts';
import type { RunContext, TaskAssignment, TaskOutcome, ToWorker, WorkerLoad } from './protocol.ts';
import { runTask } from './task-runner.ts';
import { sendToOrchestrator as send } from './worker-channel.ts';
import { acknowledgeEmit, installEventSink, settleEmitted } from './worker-event-sink.ts';
import { forwardOutput, writeEndOfTaskMarks } from './worker-output.ts';

/** The public entry the flow bundle imports: loaded while the worker waits for its flow. */
const SELF_ENTRY = new URL(import.meta.url.endsWith('.ts') ? '../index.ts' : './index.js', import.meta.url);

async function main(): Promise<void> {
  forwardOutput();
  installEventSink();
  // The orchestrator is gone: nothing can receive our results.
  process.on('disconnect', () => process.exit(0));
  const warm = import(SELF_ENTRY.href).catch(() => {});
  // The bundle being imported ahead of `load`; a failure is reported by `load`'s own import.
  let preloading: Promise<unknown> | undefined;
  let started: Promise<{ run: (task: TaskAssignment) => Promise<TaskOutcome> } | undefined> | undefined;
  let context: RunContext | undefined;
  let queue = Promise.resolve();
  process.on('message', (message: ToWorker) => {
    if (message.type === 'emit-ack') {
      acknowledgeEmit(message.requestId, message.error);
      return;
    }
    if (message.type === 'exit') {
      void queue.then(() => process.exit(0));
      return;
    }
    if (message.type === 'preload') {
      preloading = warm.then(() => import(pathToFileURL(message.flowBundle).href)).catch(() => {});
      return;
    }
    if (message.type === 'load') {
      context = message.context;
      started = (preloading ?? warm).then(() => load(message));
      return;
    }
    const task: TaskAssignment = { ...context!, ...message.task };
    queue = queue.then(async () => {
      const runner = await started;
      if (!runner) return;
      const outcome = await runner.run(task);
      await settleEmitted();
      // Pipes are synchronous on POSIX, so the marks are in the pipes before the IPC message leaves.
      writeEndOfTaskMarks();
      send({ type: 'done', ...outcome });
    });
  });
}

/** Imports the flow module and reports ready (or why it could not load). */
async function load(
  spec: WorkerLoad,
): Promise<{ run: (task: TaskAssignment) => Promise<TaskOutcome> } | undefined> {
  let loaded: Awaited<ReturnType<typeof importFlowModule>>;
  let store: ArtifactStore;
  try {
    loaded = await importFlowModule(spec.flowBundle, spec.flowName, spec.flowBundle);
    // A directory or an s3:// URL; an S3 store reads its endpoint and keys from this process's environment.
    store = openArtifactStore(spec.artifactRoot);
  } catch (error) {
    send({ type: 'load-failed', exception: toExceptionRecord(error) });
    return undefined;
  }
  send({ type: 'ready', envInfo: environmentInfo() });
  return { run: (task) => runTask(loaded.cls, loaded.graph, store, task) };
}

void main();
