import type { FlowGraph } from '../../flow/graph.ts';

/**
 * When a step starts and finishes: it starts with its first task, and finishes once none of its
 * tasks is outstanding and every step before it has finished (so no task of it can still appear).
 */
export class StepTracker {
  private readonly outstanding = new Map<string, number>();
  private readonly started = new Set<string>();
  private readonly finished = new Set<string>();
  private readonly ancestors = new Map<string, Set<string>>();

  constructor(private readonly graph: FlowGraph) {
    for (const name of graph.order) this.ancestors.set(name, this.collectAncestors(name));
  }

  private collectAncestors(step: string): Set<string> {
    const out = new Set<string>();
    const stack = [...this.graph.nodes.get(step)!.parents];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (out.has(s)) continue;
      out.add(s);
      stack.push(...this.graph.nodes.get(s)!.parents);
    }
    return out;
  }

  taskCreated(step: string): void {
    this.outstanding.set(step, (this.outstanding.get(step) ?? 0) + 1);
  }

  /** True the first time a task of `step` starts. */
  taskStarted(step: string): boolean {
    if (this.started.has(step)) return false;
    this.started.add(step);
    return true;
  }

  /** True when this completion finishes `step`. */
  taskCompleted(step: string): boolean {
    this.outstanding.set(step, this.outstanding.get(step)! - 1);
    if (this.outstanding.get(step) !== 0) return false;
    for (const a of this.ancestors.get(step)!) if (!this.finished.has(a)) return false;
    this.finished.add(step);
    return true;
  }
}
