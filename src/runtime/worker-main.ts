/**
 * A worker process of the local executor: loads the flow module once, then runs the tasks the
 * orchestrator sends, one at a time, each on a fresh flow instance.
 * It may be forked before the flow is compiled: the first message (`load`) names the flow module,
 * the artifact root and the run's context; every `run` message then carries only the task's part.
 */

import { EVENT_SINK } from '../client/emit.ts';
import { InvalidForeachError, NonRetriableError, toExceptionRecord } from '../core/errors.ts';
import { formatPathspec } from '../core/pathspec.ts';
import type { FlowtrailEvent } from '../events/model.ts';
import { currentTriggerOf, setCurrentTask } from '../flow/current.ts';
import { bindTask, type FlowClass, type FlowSpec, type ForeachFrame } from '../flow/flow-spec.ts';
import type { FlowGraph } from '../flow/graph.ts';
import type { ArtifactStore } from '../store/artifact-store.ts';
import { FsArtifactStore } from '../store/fs/fs-artifact-store.ts';
import { ArtifactScope } from './artifact-scope.ts';
import { environmentInfo } from './environment-info.ts';
import { importFlowModule } from './flow-loader.ts';
import { foreachInput } from './foreach-input.ts';
import {
  END_OF_TASK_MARK,
  type FromWorker,
  type RunContext,
  type TaskAssignment,
  type TaskOutcome,
  type ToWorker,
  type WorkerLoad,
} from './protocol.ts';

function send(message: FromWorker): void {
  process.send?.(message);
}

/** Errors that will fail the same way on every attempt. */
function isDeterministic(error: unknown): boolean {
  return (
    error instanceof NonRetriableError ||
    error instanceof InvalidForeachError ||
    (error instanceof Error && (error as { code?: string }).code === 'ARTIFACT_ENCODE')
  );
}

function foreachCount(flow: FlowSpec, step: string, attr: string, max: number): number {
  const value = (flow as unknown as Record<string, unknown>)[attr];
  if (value === undefined || value === null) {
    throw new InvalidForeachError(
      `Foreach variable 'this.${attr}' in step '${step}' does not exist; assign it before the step ends.`,
      step,
      { artifact: attr },
    );
  }
  if (typeof value === 'string' || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new InvalidForeachError(
      `Foreach variable 'this.${attr}' in step '${step}' is not iterable (got ${typeof value}); assign an array, Set or Map.`,
      step,
      { artifact: attr },
    );
  }
  const n = Array.isArray(value) ? value.length : Array.from(value as Iterable<unknown>).length;
  if (n === 0)
    throw new InvalidForeachError(
      `Foreach in step '${step}' produced zero splits: 'this.${attr}' is empty.`,
      step,
      { artifact: attr },
    );
  if (n > max) {
    throw new InvalidForeachError(
      `Foreach in step '${step}' yielded ${n} child steps, more than the maximum of ${max}. Raise it with --max-num-splits.`,
      step,
      { artifact: attr, splits: n, max },
    );
  }
  return n;
}

async function runTask(
  cls: FlowClass,
  graph: FlowGraph,
  store: ArtifactStore,
  task: TaskAssignment,
): Promise<TaskOutcome> {
  const node = graph.nodes.get(task.step)!;
  const flow = new cls();
  const scope = new ArtifactScope(store, flow);
  scope.installParams(task.params);
  let inputs: ReturnType<ArtifactScope['makeInputs']> | undefined;
  if (node.join) inputs = scope.makeInputs(task.inputs);
  else if (task.inputs[0]) scope.installInherited(task.inputs[0].artifacts);

  const frames: ForeachFrame[] = task.foreachStack.map((f) => {
    let loaded = false;
    let value: unknown;
    return {
      step: f.step,
      artifact: f.artifact,
      index: f.index,
      numSplits: f.numSplits,
      get value() {
        if (!loaded) {
          value = foreachInput(store, f.collection, f.index);
          loaded = true;
        }
        return value;
      },
    };
  });
  const top = frames[frames.length - 1];
  bindTask(flow, {
    get input() {
      return top?.value;
    },
    index: top?.index,
    foreachStack: frames,
    mergeArtifacts: (views, options) => scope.merge(views, options),
  });
  setCurrentTask({
    flowName: task.flowName,
    runId: task.runNumber,
    stepName: task.step,
    taskId: task.taskId,
    retryCount: task.attempt,
    pathspec: formatPathspec({
      flow: task.flowName,
      run: task.runNumber,
      step: task.step,
      task: task.taskId,
    }),
    namespace: task.namespace,
    user: task.user,
    tags: task.tags,
    originRunId: task.originRunNumber ?? undefined,
    parameterNames: Object.keys(task.params),
    trigger: currentTriggerOf(task.trigger),
  });

  const outcome: TaskOutcome = { taskId: task.taskId, attempt: task.attempt, ok: false, artifacts: {} };
  try {
    // From the prototype: an artifact field of the same name must not hide the step.
    const method = (cls.prototype as Record<string, (...args: unknown[]) => unknown>)[task.step]!;
    await (inputs ? method.call(flow, inputs) : method.call(flow));
    if (node.foreach) outcome.foreachCount = foreachCount(flow, task.step, node.foreach, task.maxNumSplits);
    outcome.ok = true;
  } catch (error) {
    outcome.exception = toExceptionRecord(error);
    if (isDeterministic(error)) outcome.nonRetriable = true;
    // Like an uncaught error would, the stack goes to the task's stderr.
    process.stderr.write(
      `${outcome.exception.stack || `${outcome.exception.type}: ${outcome.exception.message}`}\n`,
    );
  }
  try {
    outcome.artifacts = await scope.collect();
  } catch (error) {
    // An unstorable value fails the task (it would fail again on retry).
    outcome.ok = false;
    outcome.exception = toExceptionRecord(error);
    outcome.nonRetriable = true;
  } finally {
    bindTask(flow, undefined);
    setCurrentTask(undefined);
  }
  return outcome;
}

/**
 * Routes JavaScript writes to stdout/stderr through IPC, so lines keep their order across the two
 * streams and their write time. Writes that bypass these methods (native code, child processes)
 * still reach the orchestrator through the pipes.
 */
function forwardOutput(): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const target = process[stream];
    const original = target.write.bind(target);
    const forward = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const cb = typeof encoding === 'function' ? encoding : callback;
      if (!process.connected) return original(chunk as string, encoding as BufferEncoding, cb as () => void);
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      send({ type: 'output', stream, text, ts: Date.now() });
      if (typeof cb === 'function') queueMicrotask(() => (cb as () => void)());
      return true;
    };
    target.write = forward as typeof target.write;
    marks[stream] = () => original(`${END_OF_TASK_MARK}\n`);
  }
}

const marks: Record<'stdout' | 'stderr', () => void> = { stdout: () => {}, stderr: () => {} };

/** Events emitted by step code, waiting for the orchestrator's commit. */
const emitted = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
const inflight = new Set<Promise<void>>();
let nextEmitId = 1;

/** Routes `emitEvent` inside steps through the orchestrator, which commits events with the run's writes. */
function installEventSink(): void {
  (globalThis as Record<symbol, unknown>)[EVENT_SINK] = (event: FlowtrailEvent) => {
    const delivery = new Promise<void>((resolve, reject) => {
      const requestId = nextEmitId++;
      emitted.set(requestId, { resolve, reject });
      send({
        type: 'emit',
        requestId,
        event: { ...event, occurred: event.occurred.toISOString(), received: event.received.toISOString() },
      });
    });
    inflight.add(delivery);
    const done = () => inflight.delete(delivery);
    delivery.then(done, done);
    return delivery;
  };
}

/** Waits for every event the task emitted to be committed, so they precede the task's completion. */
async function settleEmitted(): Promise<void> {
  await Promise.allSettled([...inflight]);
}

/** The public entry the flow bundle imports: loaded while the worker waits for its flow. */
const SELF_ENTRY = new URL(import.meta.url.endsWith('.ts') ? '../index.ts' : './index.js', import.meta.url);

async function main(): Promise<void> {
  forwardOutput();
  installEventSink();
  // The orchestrator is gone: nothing can receive our results.
  process.on('disconnect', () => process.exit(0));
  const warm = import(SELF_ENTRY.href).catch(() => {});
  let started: Promise<{ run: (task: TaskAssignment) => Promise<TaskOutcome> } | undefined> | undefined;
  let context: RunContext | undefined;
  let queue = Promise.resolve();
  process.on('message', (message: ToWorker) => {
    if (message.type === 'emit-ack') {
      const waiter = emitted.get(message.requestId);
      emitted.delete(message.requestId);
      if (message.error) waiter?.reject(new Error(message.error));
      else waiter?.resolve();
      return;
    }
    if (message.type === 'exit') {
      void queue.then(() => process.exit(0));
      return;
    }
    if (message.type === 'load') {
      context = message.context;
      started = warm.then(() => load(message));
      return;
    }
    const task: TaskAssignment = { ...context!, ...message.task };
    queue = queue.then(async () => {
      const runner = await started;
      if (!runner) return;
      const outcome = await runner.run(task);
      await settleEmitted();
      // Pipes are synchronous on POSIX, so the marks are in the pipes before the IPC message leaves.
      marks.stdout();
      marks.stderr();
      send({ type: 'done', ...outcome });
    });
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
