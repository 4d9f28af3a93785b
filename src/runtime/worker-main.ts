/**
 * A worker process of the local executor: loads the flow module once, then runs the tasks the
 * orchestrator sends, one at a time, each on a fresh flow instance.
 * It may be forked before the flow is compiled: the first message (`load`) names the flow module,
 * the artifact root and the run's context; every `run` message then carries only the task's part.
 */

import { pathToFileURL } from 'node:url';
import { toExceptionRecord } from '../core/errors.ts';
import { FsArtifactStore } from '../store/fs/fs-artifact-store.ts';
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
  // Tasks run one at a time, in the order sent; one may wait here while another runs.
  const pending: TaskAssignment[] = [];
  let running = false;
  let exitRequested = false;
  const drain = async (): Promise<void> => {
    running = true;
    // Taken at once: a task reaching an idle worker has started (an `unqueue` cannot take it back).
    let task = pending.shift();
    const runner = await started;
    while (task && runner) {
      const outcome = await runner.run(task);
      await settleEmitted();
      // Pipes are synchronous on POSIX, so the marks are in the pipes before the IPC message leaves.
      writeEndOfTaskMarks();
      // Taken before the message leaves: an `unqueue` arriving later finds it started.
      task = pending.shift();
      send({ type: 'done', ...outcome });
    }
    // A flow that did not load has reported it; its tasks are dropped.
    pending.length = 0;
    running = false;
    if (exitRequested) process.exit(0);
  };
  process.on('message', (message: ToWorker) => {
    if (message.type === 'emit-ack') {
      acknowledgeEmit(message.requestId, message.error);
      return;
    }
    if (message.type === 'exit') {
      exitRequested = true;
      if (!running) process.exit(0);
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
    if (message.type === 'unqueue') {
      const at = pending.findIndex((t) => t.taskId === message.taskId && t.attempt === message.attempt);
      if (at >= 0) pending.splice(at, 1);
      send({ type: 'unqueued', taskId: message.taskId, attempt: message.attempt, removed: at >= 0 });
      return;
    }
    pending.push({ ...context!, ...message.task });
    if (!running) void drain();
  });
}

/** Imports the flow module and reports ready (or why it could not load). */
async function load(
  spec: WorkerLoad,
): Promise<{ run: (task: TaskAssignment) => Promise<TaskOutcome> } | undefined> {
  let loaded: Awaited<ReturnType<typeof importFlowModule>>;
  try {
    loaded = await importFlowModule(spec.flowBundle, spec.flowName, spec.flowBundle);
  } catch (error) {
    send({ type: 'load-failed', exception: toExceptionRecord(error) });
    return undefined;
  }
  const store = new FsArtifactStore(spec.artifactRoot);
  send({ type: 'ready', envInfo: environmentInfo() });
  return { run: (task) => runTask(loaded.cls, loaded.graph, store, task) };
}

void main();
