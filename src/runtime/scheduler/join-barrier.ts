import type { GraphNode } from '../../flow/graph.ts';
import type { ForeachFrameRef } from '../protocol.ts';
import { pathKey, type TaskNode } from './task-node.ts';

/** The inputs of a join task, complete and in order. */
export interface JoinReady {
  path: number[];
  inputs: TaskNode[];
  stack: ForeachFrameRef[];
}

interface Barrier extends JoinReady {
  expected: number;
  arrived: number;
}

/**
 * Join barriers keyed by join step and foreach path: a join task is created once every input
 * has arrived, with the inputs in split order (foreach join) or declaration order (branch join).
 */
export class JoinBarriers {
  private readonly barriers = new Map<string, Barrier>();

  constructor(private readonly closesOf: (join: GraphNode) => GraphNode) {}

  /** Records `task` arriving at `join`; returns the join's inputs once the last one arrived. */
  arrive(task: TaskNode, join: GraphNode): JoinReady | undefined {
    const closesForeach = this.closesOf(join).kind === 'foreach';
    const frame = closesForeach ? task.foreachStack[task.foreachStack.length - 1]! : undefined;
    const path = frame ? task.path.slice(0, -1) : task.path;
    const key = `${join.name}|${pathKey(path)}`;
    let barrier = this.barriers.get(key);
    if (!barrier) {
      const expected = frame ? frame.numSplits : join.parents.length;
      const stack = frame ? task.foreachStack.slice(0, -1) : task.foreachStack;
      barrier = { expected, arrived: 0, inputs: new Array(expected), stack, path };
      this.barriers.set(key, barrier);
    }
    barrier.inputs[frame ? frame.index : join.inputOrder!.indexOf(task.step)] = task;
    barrier.arrived++;
    if (barrier.arrived < barrier.expected) return undefined;
    this.barriers.delete(key);
    return { path: barrier.path, inputs: barrier.inputs, stack: barrier.stack };
  }
}
