/**
 * The events Flowtrail emits about its own objects. Resource ids are built from pathspecs so an
 * event links straight to the client API object: `flowtrail.run.HelloFlow/2` is `Run.get('HelloFlow/2')`.
 */

import { childPathspec, runPathspec, stepPathspec, taskPathspec } from '../core/pathspec.ts';
import { newEventId } from './event-id.ts';
import type { FlowtrailEvent, RelatedResource, Resource } from './model.ts';

/** The run an event is about, as far as events need it. */
export interface RunIdentity {
  flow: string;
  runNumber: number;
  tags: readonly string[];
}

export type RunAction = 'started' | 'completed' | 'failed' | 'crashed' | 'cancelled';
/** `unschedulable`: no worker offers the resources the task's step asks for (queue executor). */
export type TaskAction = 'started' | 'completed' | 'failed' | 'retrying' | 'cancelled' | 'unschedulable';

/** Resource ids of Flowtrail objects. */
export const resourceIds = {
  flow: (flow: string) => `flowtrail.flow.${flow}`,
  run: (flow: string, run: number) => `flowtrail.run.${runPathspec(flow, run)}`,
  step: (flow: string, run: number, step: string) => `flowtrail.step.${stepPathspec(flow, run, step)}`,
  task: (flow: string, run: number, step: string, task: number) =>
    `flowtrail.task.${taskPathspec(flow, run, step, task)}`,
  artifact: (flow: string, run: number, step: string, task: number, name: string) =>
    `flowtrail.artifact.${childPathspec(taskPathspec(flow, run, step, task), name)}`,
  tag: (tag: string) => `flowtrail.tag.${tag}`,
  deployment: (flow: string) => `flowtrail.deployment.${flow}`,
  automation: (id: string) => `flowtrail.automation.${id}`,
} as const;

/** The lifecycle event that marks a successful run: what `@triggerOnFinish` listens to. */
export const RUN_COMPLETED_EVENT = 'flowtrail.run.completed';

function resource(id: string, name: string, extra: Record<string, string> = {}): Resource {
  return { 'flowtrail.resource.id': id, 'flowtrail.resource.name': name, ...extra };
}

export function related(id: string, role: string, name: string): RelatedResource {
  return { 'flowtrail.resource.id': id, 'flowtrail.resource.role': role, 'flowtrail.resource.name': name };
}

/** The flow, the run and the run's tags, as related resources (the ones a caller already gave are skipped). */
function runRelated(run: RunIdentity, options: { includeRun?: boolean } = {}): RelatedResource[] {
  const out = [related(resourceIds.flow(run.flow), 'flow', run.flow)];
  if (options.includeRun ?? true)
    out.push(related(resourceIds.run(run.flow, run.runNumber), 'run', runPathspec(run.flow, run.runNumber)));
  for (const tag of run.tags) out.push(related(resourceIds.tag(tag), 'tag', tag));
  return out;
}

export function systemEvent(
  event: string,
  res: Resource,
  rel: RelatedResource[],
  payload: Record<string, unknown>,
  at: number,
  follows: string | null = null,
): FlowtrailEvent {
  const when = new Date(at);
  return {
    id: newEventId(),
    occurred: when,
    event,
    resource: res,
    related: rel,
    payload,
    follows,
    received: when,
  };
}

export function runEvent(
  run: RunIdentity,
  action: RunAction,
  at: number,
  payload: Record<string, unknown> = {},
): FlowtrailEvent {
  const pathspec = runPathspec(run.flow, run.runNumber);
  return systemEvent(
    `flowtrail.run.${action}`,
    resource(resourceIds.run(run.flow, run.runNumber), pathspec, { 'flowtrail.run.status': action }),
    runRelated(run, { includeRun: false }),
    payload,
    at,
  );
}

/** Who cancelled a run, and why: what `flowtrail.run.cancelled` carries. */
export interface RunCancellation {
  /** When the cancel was requested (ms since the epoch). */
  at: number;
  by: string;
  reason: string | null;
}

/** `flowtrail.run.cancelled`: payload `{ reason, requestedBy, requestedAt }` (an ISO date-time). */
export function runCancelledEvent(run: RunIdentity, cancel: RunCancellation, at: number): FlowtrailEvent {
  return runEvent(run, 'cancelled', at, {
    reason: cancel.reason,
    requestedBy: cancel.by,
    requestedAt: new Date(cancel.at).toISOString(),
  });
}

export function stepEvent(
  run: RunIdentity,
  step: string,
  action: 'started' | 'completed',
  at: number,
): FlowtrailEvent {
  return systemEvent(
    `flowtrail.step.${action}`,
    resource(resourceIds.step(run.flow, run.runNumber, step), stepPathspec(run.flow, run.runNumber, step)),
    runRelated(run),
    {},
    at,
  );
}

export function taskEvent(
  run: RunIdentity,
  step: string,
  taskId: number,
  action: TaskAction,
  at: number,
  payload: Record<string, unknown> = {},
): FlowtrailEvent {
  const rel = runRelated(run);
  rel.push(
    related(
      resourceIds.step(run.flow, run.runNumber, step),
      'step',
      stepPathspec(run.flow, run.runNumber, step),
    ),
  );
  return systemEvent(
    `flowtrail.task.${action}`,
    resource(
      resourceIds.task(run.flow, run.runNumber, step, taskId),
      taskPathspec(run.flow, run.runNumber, step, taskId),
    ),
    rel,
    payload,
    at,
  );
}

export function artifactEvent(
  run: RunIdentity,
  step: string,
  taskId: number,
  artifact: { name: string; sha: string; size: number; codec: string },
  at: number,
): FlowtrailEvent {
  const rel = runRelated(run);
  rel.push(
    related(
      resourceIds.task(run.flow, run.runNumber, step, taskId),
      'task',
      taskPathspec(run.flow, run.runNumber, step, taskId),
    ),
  );
  return systemEvent(
    'flowtrail.artifact.stored',
    resource(resourceIds.artifact(run.flow, run.runNumber, step, taskId, artifact.name), artifact.name),
    rel,
    { name: artifact.name, sha: artifact.sha, size: artifact.size, encoding: artifact.codec },
    at,
  );
}

/** Related resources of the task a step's code runs in, for `emitEvent` inside a step. */
export function taskContextRelated(run: RunIdentity, step: string, taskId: number): RelatedResource[] {
  const rel = runRelated(run);
  rel.push(
    related(
      resourceIds.step(run.flow, run.runNumber, step),
      'step',
      stepPathspec(run.flow, run.runNumber, step),
    ),
  );
  rel.push(
    related(
      resourceIds.task(run.flow, run.runNumber, step, taskId),
      'task',
      taskPathspec(run.flow, run.runNumber, step, taskId),
    ),
  );
  return rel;
}

/**
 * An event about a deployment (resource `flowtrail.deployment.<flow>`): `trigger_failed`, or
 * `paused` / `resumed`.
 */
export function deploymentEvent(
  flow: string,
  action: 'trigger_failed' | 'paused' | 'resumed',
  payload: Record<string, unknown>,
  at: number,
): FlowtrailEvent {
  return systemEvent(
    `flowtrail.deployment.${action}`,
    resource(resourceIds.deployment(flow), flow),
    [
      {
        'flowtrail.resource.id': `flowtrail.flow.${flow}`,
        'flowtrail.resource.name': flow,
        'flowtrail.resource.role': 'flow',
      },
    ],
    payload,
    at,
  );
}
