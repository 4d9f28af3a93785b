import type { TaskStatus } from '../../store/metadata-store.ts';
import type { ArtifactRefs, ForeachFrameRef } from '../protocol.ts';

/** One task of the run as the scheduler tracks it, from creation to its final state. */
export interface TaskNode {
  id: number;
  step: string;
  path: number[];
  parents: TaskNode[];
  status: TaskStatus;
  attempt: number;
  artifacts: ArtifactRefs;
  foreachCount: number | undefined;
  foreachStack: ForeachFrameRef[];
  cloned: boolean;
  /** For a clone: the origin task's pathspec. */
  clonedFrom?: string;
  timer: NodeJS.Timeout | undefined;
  logSeq: number;
}

/** A foreach path as a map key: `[3, 1]` → `3.1`. */
export const pathKey = (path: readonly number[]): string => path.join('.');
