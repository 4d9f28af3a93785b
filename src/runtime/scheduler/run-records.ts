import type { ExceptionRecord } from '../../core/errors.ts';
import { formatPathspec } from '../../core/pathspec.ts';
import {
  artifactEvent,
  type RunIdentity,
  runCancelledEvent,
  runEvent,
  stepEvent,
  taskEvent,
} from '../../events/lifecycle.ts';
import type { FlowtrailEvent } from '../../events/model.ts';
import type {
  AttemptStatus,
  CancelRequest,
  EnvironmentInfo,
  LogLine,
  RunRecord,
  RunStatus,
  TaskPatch,
} from '../../store/metadata-store.ts';
import type { ArtifactRefs } from '../protocol.ts';
import type { WriteQueue } from '../write-queue.ts';
import type { CloneSource } from './resume-clone.ts';
import type { TaskNode } from './task-node.ts';

/** How a task reached `completed`. */
export type Completion = 'completed' | 'cloned';

/**
 * Everything the scheduler records about a run: the metadata writes of each state change and the
 * lifecycle events reporting it, queued together so they commit in the same transaction.
 */
export class RunRecords {
  private readonly runId: number;
  private readonly identity: RunIdentity;

  constructor(
    private readonly run: RunRecord,
    private readonly writes: WriteQueue,
  ) {
    this.runId = run.id;
    this.identity = { flow: run.flow, runNumber: run.runNumber, tags: run.tags };
  }

  /** `Flow/N/step/id` of a task of this run. */
  pathspecOf(task: TaskNode): string {
    return formatPathspec({ flow: this.run.flow, run: this.run.runNumber, step: task.step, task: task.id });
  }

  private emit(...events: FlowtrailEvent[]): void {
    this.writes.push({ op: 'events.append', events });
  }

  private updateTask(task: TaskNode, patch: TaskPatch): void {
    this.writes.push({ op: 'task.update', runId: this.runId, taskId: task.id, patch });
  }

  taskCreated(task: TaskNode, now: number, originPathspec: string | null): void {
    this.writes.push({
      op: 'task.create',
      task: {
        runId: this.runId,
        taskId: task.id,
        step: task.step,
        status: 'pending',
        successful: null,
        foreachPath: task.path,
        foreachCount: null,
        parentIds: task.parents.map((p) => p.id),
        attempts: 0,
        finalAttempt: null,
        createdAt: now,
        startedAt: null,
        finishedAt: null,
        originPathspec,
      },
    });
  }

  attemptStarted(task: TaskNode, envInfo: EnvironmentInfo, now: number): void {
    this.writes.push({
      op: 'attempt.start',
      attempt: {
        runId: this.runId,
        taskId: task.id,
        attempt: task.attempt,
        status: 'running',
        startedAt: now,
        finishedAt: null,
        exception: null,
        envInfo,
      },
    });
    this.updateTask(task, { status: 'running', startedAt: now, attempts: task.attempt + 1 });
    this.emit(taskEvent(this.identity, task.step, task.id, 'started', now, { attempt: task.attempt }));
  }

  /** A resumed task takes its origin's artifacts as a `cloned` attempt 0. */
  taskCloned(task: TaskNode, source: CloneSource, now: number): void {
    this.writes.push({
      op: 'attempt.start',
      attempt: {
        runId: this.runId,
        taskId: task.id,
        attempt: 0,
        status: 'cloned',
        startedAt: now,
        finishedAt: now,
        exception: null,
        envInfo: null,
      },
    });
    this.artifactsStored(task, source.artifacts, now);
  }

  attemptFinished(
    task: TaskNode,
    status: AttemptStatus,
    exception: ExceptionRecord | null,
    now: number,
  ): void {
    this.writes.push({
      op: 'attempt.finish',
      runId: this.runId,
      taskId: task.id,
      attempt: task.attempt,
      status,
      finishedAt: now,
      exception,
    });
  }

  /** The artifact rows of the task's current attempt. */
  artifactsStored(task: TaskNode, refs: ArtifactRefs, now: number): void {
    const names = Object.keys(refs);
    if (names.length === 0) return;
    this.writes.push({
      op: 'artifacts.add',
      artifacts: names.map((name) => ({
        runId: this.runId,
        taskId: task.id,
        attempt: task.attempt,
        name,
        ...refs[name]!,
        createdAt: now,
      })),
    });
  }

  /** No worker can take the task: it needs more than any worker offers. */
  taskUnschedulable(task: TaskNode, exception: ExceptionRecord, now: number): void {
    this.emit(
      taskEvent(this.identity, task.step, task.id, 'unschedulable', now, {
        attempt: task.attempt,
        message: exception.message,
      }),
    );
  }

  /** The attempt failed and another one follows. */
  taskRetrying(task: TaskNode, status: AttemptStatus, exception: ExceptionRecord, now: number): void {
    this.emit(
      taskEvent(this.identity, task.step, task.id, 'retrying', now, failurePayload(task, status, exception)),
    );
  }

  /** The task failed for good (its last attempt failed, or the run stopped under it). */
  taskFailed(
    task: TaskNode,
    status: AttemptStatus,
    exception: ExceptionRecord,
    now: number,
    finalAttempt: number | undefined = task.attempt,
  ): void {
    this.updateTask(task, {
      status: 'failed',
      successful: false,
      ...(finalAttempt !== undefined ? { finalAttempt } : {}),
      finishedAt: now,
    });
    this.emit(
      taskEvent(this.identity, task.step, task.id, 'failed', now, failurePayload(task, status, exception)),
    );
  }

  /**
   * The run was cancelled under the task: `started` when an attempt was running (its end is
   * recorded by the caller, and a `task.cancelled` event reports it); a pending task just ends.
   */
  taskCancelled(task: TaskNode, exception: ExceptionRecord, now: number, started: boolean): void {
    this.updateTask(task, {
      status: 'cancelled',
      successful: false,
      ...(started ? { finalAttempt: task.attempt } : {}),
      finishedAt: now,
    });
    if (started)
      this.emit(
        taskEvent(
          this.identity,
          task.step,
          task.id,
          'cancelled',
          now,
          failurePayload(task, 'cancelled', exception),
        ),
      );
  }

  /** A task the run stopped before it started: failed, without an attempt or event. */
  taskAbandoned(task: TaskNode, now: number): void {
    this.updateTask(task, { status: 'failed', successful: false, finishedAt: now });
  }

  /**
   * The task completed; `changed` are the artifacts it stored itself (each reported by an
   * `artifact.stored` event before the task's `completed`).
   */
  taskCompleted(
    task: TaskNode,
    successful: boolean,
    how: Completion,
    changed: readonly string[],
    now: number,
  ): void {
    this.updateTask(task, {
      status: 'completed',
      successful,
      finalAttempt: task.attempt,
      finishedAt: now,
      ...(task.foreachCount !== undefined ? { foreachCount: task.foreachCount } : {}),
      ...(how === 'cloned' ? { attempts: 1, startedAt: now } : {}),
    });
    const events = changed.map((name) =>
      artifactEvent(this.identity, task.step, task.id, { name, ...task.artifacts[name]! }, now),
    );
    events.push(
      taskEvent(this.identity, task.step, task.id, 'completed', now, {
        attempt: task.attempt,
        successful,
        ...(how === 'cloned' ? { clonedFrom: task.clonedFrom ?? null } : {}),
      }),
    );
    this.emit(...events);
  }

  stepStarted(step: string, now: number): void {
    this.writes.push({
      op: 'step.upsert',
      step: { runId: this.runId, name: step, createdAt: now, finishedAt: null },
    });
    this.emit(stepEvent(this.identity, step, 'started', now));
  }

  stepFinished(step: string, now: number): void {
    this.writes.push({
      op: 'step.upsert',
      step: { runId: this.runId, name: step, createdAt: now, finishedAt: now },
    });
    this.emit(stepEvent(this.identity, step, 'completed', now));
  }

  /** The run ended; `cancel` is the request that cancelled it. */
  runFinished(
    status: RunStatus,
    error: ExceptionRecord | null,
    now: number,
    cancel: CancelRequest | null = null,
  ): void {
    this.emit(
      cancel
        ? runCancelledEvent(this.identity, cancel, now)
        : runEvent(
            this.identity,
            status === 'completed' ? 'completed' : 'failed',
            now,
            error ? { error: error.message } : {},
          ),
    );
    this.writes.push({
      op: 'run.update',
      runId: this.runId,
      patch: { status, finishedAt: now, error, heartbeatAt: now },
    });
  }

  heartbeat(): void {
    this.writes.push({ op: 'run.update', runId: this.runId, patch: { heartbeatAt: Date.now() } });
  }

  logs(lines: LogLine[]): void {
    this.writes.push({ op: 'logs.append', lines });
  }

  /** An event emitted by step code: resolves once committed. */
  stepCodeEvent(event: FlowtrailEvent): Promise<void> {
    return this.writes.pushAndWait({ op: 'events.append', events: [event] });
  }
}

/** The payload of a `task.failed` / `task.retrying` event. */
function failurePayload(
  task: TaskNode,
  status: AttemptStatus,
  exception: ExceptionRecord,
): Record<string, unknown> {
  return { attempt: task.attempt, status, exception: { type: exception.type, message: exception.message } };
}
