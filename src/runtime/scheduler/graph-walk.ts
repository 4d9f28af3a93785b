import type { FlowGraph, GraphNode } from '../../flow/graph.ts';
import type { ArtifactRef, ArtifactRefs, ForeachFrameRef } from '../protocol.ts';
import { JoinBarriers } from './join-barrier.ts';
import type { TaskNode } from './task-node.ts';

/** A task to create: its step, foreach path, parents (in input order) and foreach frames. */
export interface TaskSpec {
  step: string;
  path: number[];
  parents: TaskNode[];
  stack: ForeachFrameRef[];
}

/**
 * Walks the flow graph: which tasks become ready when a task completes (one per foreach split,
 * the next step, or a join once its barrier is full), and what a task inherits.
 */
export class GraphWalk {
  private readonly joins: JoinBarriers;

  constructor(
    private readonly graph: FlowGraph,
    private readonly params: ArtifactRefs,
  ) {
    this.joins = new JoinBarriers((join) => graph.nodes.get(join.closes!)!);
  }

  node(step: string): GraphNode {
    return this.graph.nodes.get(step)!;
  }

  /** The tasks that `task`'s completion makes ready, in creation order. */
  successors(task: TaskNode): TaskSpec[] {
    const node = this.node(task.step);
    const out: TaskSpec[] = [];
    for (const childName of node.next) {
      const child = this.node(childName);
      if (node.kind === 'foreach') {
        const collection = task.artifacts[node.foreach!] as ArtifactRef;
        const n = task.foreachCount ?? 0;
        for (let index = 0; index < n; index++) {
          const frame: ForeachFrameRef = {
            step: task.step,
            artifact: node.foreach!,
            index,
            numSplits: n,
            collection,
          };
          out.push({
            step: childName,
            path: [...task.path, index],
            parents: [task],
            stack: [...task.foreachStack, frame],
          });
        }
      } else if (child.join) {
        const ready = this.joins.arrive(task, child);
        if (ready) out.push({ step: childName, path: ready.path, parents: ready.inputs, stack: ready.stack });
      } else {
        out.push({ step: childName, path: task.path, parents: [task], stack: task.foreachStack });
      }
    }
    return out;
  }

  /** What a task starts from: its single parent's artifacts (a join: only the parameters). */
  inherited(task: TaskNode): ArtifactRefs {
    if (this.node(task.step).join) return this.params;
    return task.parents[0]?.artifacts ?? this.params;
  }
}
