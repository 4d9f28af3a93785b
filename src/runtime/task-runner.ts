/** Runs one task inside a worker: a fresh flow instance, its artifacts, the step, the foreach check. */
import { InvalidForeachError, NonRetriableError, toExceptionRecord } from '../core/errors.ts';
import { formatPathspec } from '../core/pathspec.ts';
import { currentTriggerOf, setCurrentTask } from '../flow/current.ts';
import { bindTask, type FlowClass, type FlowSpec, type ForeachFrame } from '../flow/flow-spec.ts';
import type { FlowGraph } from '../flow/graph.ts';
import type { ArtifactStore } from '../store/artifact-store.ts';
import { prefetchForTask } from './artifact-prefetch.ts';
import { ArtifactScope } from './artifact-scope.ts';
import { foreachInput } from './foreach-input.ts';
import type { TaskAssignment, TaskOutcome } from './protocol.ts';

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

/** Runs `task` of the flow class and reports what it stored and how it ended. */
export async function runTask(
  cls: FlowClass,
  graph: FlowGraph,
  artifactStore: ArtifactStore,
  task: TaskAssignment,
): Promise<TaskOutcome> {
  let store: ArtifactStore;
  try {
    store = await prefetchForTask(artifactStore, task);
  } catch (error) {
    // The inputs could not be read (store unreachable, blob missing): the attempt fails before the step.
    const exception = toExceptionRecord(error);
    process.stderr.write(`${exception.stack || `${exception.type}: ${exception.message}`}\n`);
    return { taskId: task.taskId, attempt: task.attempt, ok: false, artifacts: {}, exception };
  }
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
