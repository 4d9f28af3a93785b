import { formatPathspec } from '../../core/pathspec.ts';
import type { RunRecord, TaskRecord } from '../../store/metadata-store.ts';
import type { ArtifactRefs } from '../protocol.ts';
import { pathKey, type TaskNode } from './task-node.ts';

/** What a resumed run reuses from its origin. */
export interface ResumeOrigin {
  run: RunRecord;
  tasks: TaskRecord[];
  artifacts: Map<number, ArtifactRefs>;
  /** Steps that must run again even where the origin succeeded (`--step` and everything after it). */
  rerunSteps: Set<string>;
}

/** A task of the origin run that a new task reuses instead of running. */
export interface CloneSource {
  record: TaskRecord;
  pathspec: string;
  artifacts: ArtifactRefs;
}

/**
 * Decides which tasks of a resumed run are clones: a task whose every parent was cloned, whose
 * step is not re-run, and whose counterpart (same step, same foreach path) completed in the origin.
 */
export class ResumeCloner {
  private readonly byStepAndPath = new Map<string, TaskRecord>();

  constructor(private readonly origin: ResumeOrigin | undefined) {
    for (const t of origin?.tasks ?? []) this.byStepAndPath.set(`${t.step}@${pathKey(t.foreachPath)}`, t);
  }

  sourceOf(task: TaskNode): CloneSource | undefined {
    const origin = this.origin;
    if (!origin || origin.rerunSteps.has(task.step)) return undefined;
    if (!task.parents.every((p) => p.cloned)) return undefined;
    const found = this.byStepAndPath.get(`${task.step}@${pathKey(task.path)}`);
    if (found?.status !== 'completed') return undefined;
    return {
      record: found,
      pathspec: formatPathspec({
        flow: origin.run.flow,
        run: origin.run.runNumber,
        step: found.step,
        task: found.taskId,
      }),
      artifacts: origin.artifacts.get(found.taskId) ?? {},
    };
  }
}
