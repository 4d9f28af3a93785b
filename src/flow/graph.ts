import { InvalidGraphError } from '../core/errors.ts';
import { isValidStepName } from '../core/pathspec.ts';
import { declarationsOfClass, type ParameterDeclaration, type StepDeclaration } from './declarations.ts';
import { checkParameterNames } from './parameters.ts';
import type { TriggerSpec } from './trigger-spec.ts';
import { resolveTriggers } from './triggers.ts';

export type StepKind = 'start' | 'linear' | 'split' | 'foreach' | 'join' | 'end';

export interface GraphNode {
  name: string;
  /** Shape of the node: `split` for a static branch, `foreach` for a fan-out; `start` and `end` by name. */
  kind: StepKind;
  next: string[];
  parents: string[];
  foreach?: string;
  join: boolean;
  /** For a split or foreach: the join that closes it. */
  matchingJoin?: string;
  /** For a join: the split or foreach it closes. */
  closes?: string;
  /** For a static join: its incoming steps in the order of the split's branches. */
  inputOrder?: string[];
  /** Splits enclosing this step, outermost first. */
  splitStack: string[];
  options: StepDeclaration;
}

/** The static graph of a flow, validated. */
export interface FlowGraph {
  flowName: string;
  nodes: Map<string, GraphNode>;
  /** Steps in a topological order, `start` first. */
  order: string[];
  params: Map<string, ParameterDeclaration>;
  /**
   * What starts the flow on its own (`@trigger`, `@triggerOnFinish`, `@schedule`), normalized and
   * checked against the parameters; null when the flow declares none.
   */
  triggers: TriggerSpec | null;
}

/** Names on `FlowSpec` that steps, parameters and artifacts may not use. */
const RESERVED_NAMES = new Set([
  'input',
  'index',
  'mergeArtifacts',
  'foreachStack',
  'constructor',
  'next',
  'name',
]);

/**
 * Builds and validates the graph of a flow class; every problem is an {@link InvalidGraphError}
 * naming the step, or a `TriggerDeclarationError` for a trigger mapping an unknown parameter.
 */
export function buildGraph(cls: abstract new (...args: never[]) => unknown): FlowGraph {
  const flowName = cls.name;
  const decls = declarationsOfClass(cls);
  for (const d of decls.steps.values()) {
    if (!d.declared) {
      throw new InvalidGraphError(
        `Method '${d.name}' of ${flowName} has step options but no @step decorator; add @step({ next: … }).`,
        d.name,
      );
    }
    if (!isValidStepName(d.name))
      throw new InvalidGraphError(`Step name '${d.name}' of ${flowName} is not a valid identifier.`, d.name);
    if (RESERVED_NAMES.has(d.name))
      throw new InvalidGraphError(
        `Step name '${d.name}' of ${flowName} is reserved by FlowSpec; rename the method.`,
        d.name,
      );
  }
  for (const p of decls.params.values()) {
    if (RESERVED_NAMES.has(p.name))
      throw new InvalidGraphError(
        `Parameter '${p.name}' of ${flowName} uses a name reserved by FlowSpec; rename it.`,
        undefined,
        { parameter: p.name },
      );
    if (decls.steps.has(p.name))
      throw new InvalidGraphError(
        `Parameter '${p.name}' of ${flowName} has the same name as a step.`,
        p.name,
      );
  }
  checkParameterNames(flowName, decls.params);
  if (!decls.steps.has('start'))
    throw new InvalidGraphError(
      `Flow ${flowName} has no 'start' step; every flow begins with a step named start.`,
      'start',
    );
  if (!decls.steps.has('end'))
    throw new InvalidGraphError(
      `Flow ${flowName} has no 'end' step; every flow finishes with a step named end.`,
      'end',
    );

  const nodes = new Map<string, GraphNode>();
  for (const d of decls.steps.values()) {
    nodes.set(d.name, {
      name: d.name,
      kind: 'linear',
      next: [...d.next],
      parents: [],
      join: d.join,
      splitStack: [],
      options: d,
      ...(d.foreach !== undefined ? { foreach: d.foreach } : {}),
    });
  }
  for (const node of nodes.values()) checkTransitions(flowName, node, nodes);
  for (const node of nodes.values()) for (const n of node.next) nodes.get(n)!.parents.push(node.name);
  for (const node of nodes.values()) node.kind = kindOf(node);

  const reachable = reachableFrom('start', nodes);
  for (const name of nodes.keys()) {
    if (!reachable.has(name))
      throw new InvalidGraphError(
        `Step '${name}' of ${flowName} is unreachable from start; link it with a 'next' or remove it.`,
        name,
      );
  }
  const order = topologicalOrder(flowName, nodes);
  assignSplits(flowName, nodes, order);
  const triggers = resolveTriggers(flowName, decls.triggers, decls.params);
  return { flowName, nodes, order, params: new Map(decls.params), triggers };
}

function checkTransitions(flowName: string, node: GraphNode, nodes: Map<string, GraphNode>): void {
  const { name } = node;
  if (name === 'end') {
    if (node.next.length > 0)
      throw new InvalidGraphError(`Step 'end' of ${flowName} must not have a next step.`, name);
    if (node.foreach)
      throw new InvalidGraphError(`Step 'end' of ${flowName} cannot fan out with foreach.`, name);
    return;
  }
  if (node.next.length === 0)
    throw new InvalidGraphError(
      `Step '${name}' of ${flowName} has no next step; add @step({ next: '…' }). Only 'end' may finish a flow.`,
      name,
    );
  if (new Set(node.next).size !== node.next.length)
    throw new InvalidGraphError(`Step '${name}' of ${flowName} lists the same next step twice.`, name);
  for (const target of node.next) {
    if (!nodes.has(target))
      throw new InvalidGraphError(
        `Step '${name}' of ${flowName} transitions to unknown step '${target}'.`,
        name,
        { target },
      );
    if (target === 'start')
      throw new InvalidGraphError(`Step '${name}' of ${flowName} transitions back to 'start'.`, name);
  }
  if (node.foreach !== undefined) {
    if (node.next.length !== 1)
      throw new InvalidGraphError(
        `Foreach step '${name}' of ${flowName} must have exactly one next step, got ${node.next.length}.`,
        name,
      );
    if (node.foreach.length === 0)
      throw new InvalidGraphError(
        `Foreach step '${name}' of ${flowName} names no artifact to iterate.`,
        name,
      );
  }
  if (node.foreach !== undefined && node.options.catch) {
    throw new InvalidGraphError(
      `@catchError is not allowed on foreach step '${name}' of ${flowName}: a failed fan-out has no splits to continue with.`,
      name,
    );
  }
  if (name === 'start' && node.join)
    throw new InvalidGraphError(`Step 'start' of ${flowName} cannot be a join (it takes no inputs).`, name);
}

function kindOf(node: GraphNode): StepKind {
  if (node.name === 'start') return node.foreach ? 'foreach' : node.next.length > 1 ? 'split' : 'start';
  if (node.name === 'end') return node.join ? 'join' : 'end';
  if (node.foreach) return 'foreach';
  if (node.next.length > 1) return 'split';
  return node.join ? 'join' : 'linear';
}

function reachableFrom(root: string, nodes: Map<string, GraphNode>): Set<string> {
  const seen = new Set<string>([root]);
  const stack = [root];
  while (stack.length > 0) {
    for (const n of nodes.get(stack.pop()!)!.next)
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
  }
  return seen;
}

function topologicalOrder(flowName: string, nodes: Map<string, GraphNode>): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const post: string[] = [];
  const visit = (name: string, path: string[]): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name].join(' → ');
      throw new InvalidGraphError(`Flow ${flowName} has a cycle: ${cycle}. Flows are acyclic graphs.`, name, {
        cycle,
      });
    }
    state.set(name, 'visiting');
    for (const n of nodes.get(name)!.next) visit(n, [...path, name]);
    state.set(name, 'done');
    post.push(name);
  };
  visit('start', []);
  return post.reverse();
}

/** Matches every join to the split it closes, and checks that branches meet where they should. */
function assignSplits(flowName: string, nodes: Map<string, GraphNode>, order: string[]): void {
  // A frame is "split:branch", so a join can tell that its inputs came from different branches.
  const frames = new Map<string, string[]>();
  const edgeFrames = (parent: string, child: string): string[] => {
    const p = nodes.get(parent)!;
    const base = frames.get(parent)!;
    return p.kind === 'split' || p.kind === 'foreach'
      ? [...base, `${parent}:${p.next.indexOf(child)}`]
      : base;
  };
  for (const name of order) {
    const node = nodes.get(name)!;
    let stack: string[];
    if (name === 'start') {
      stack = [];
    } else if (node.join) {
      const parentStacks = node.parents.map((p) => edgeFrames(p, name));
      const tops = parentStacks.map((s) => s[s.length - 1]);
      if (tops.some((t) => t === undefined)) {
        throw new InvalidGraphError(
          `Join step '${name}' of ${flowName} is not preceded by a split or foreach to close.`,
          name,
        );
      }
      const splits = new Set(tops.map((t) => t!.split(':')[0]!));
      if (splits.size !== 1) {
        throw new InvalidGraphError(
          `Join step '${name}' of ${flowName} joins branches of different splits (${[...splits].join(', ')}); each join closes exactly one split.`,
          name,
        );
      }
      const splitName = [...splits][0]!;
      const split = nodes.get(splitName)!;
      const outer = parentStacks[0]!.slice(0, -1).join('|');
      if (parentStacks.some((s) => s.slice(0, -1).join('|') !== outer)) {
        throw new InvalidGraphError(
          `Join step '${name}' of ${flowName} receives inputs from different nesting levels.`,
          name,
        );
      }
      if (split.kind === 'foreach') {
        if (node.parents.length !== 1) {
          throw new InvalidGraphError(
            `Join step '${name}' of ${flowName} closes foreach '${splitName}' but has ${node.parents.length} incoming steps; a foreach join takes exactly one.`,
            name,
          );
        }
        if (node.parents[0] === splitName) {
          throw new InvalidGraphError(
            `Join step '${name}' of ${flowName} follows foreach '${splitName}' directly; add a step between the foreach and its join.`,
            name,
          );
        }
      } else {
        const branches = new Set(tops);
        if (branches.size !== tops.length || branches.size !== split.next.length) {
          throw new InvalidGraphError(
            `Join step '${name}' of ${flowName} expects one input from each of the ${split.next.length} branches of '${splitName}' (${split.next.join(', ')}), but its inputs are ${node.parents.join(', ')}.`,
            name,
            { expected: split.next, actual: node.parents },
          );
        }
      }
      if (split.matchingJoin !== undefined && split.matchingJoin !== name) {
        throw new InvalidGraphError(
          `Split '${splitName}' of ${flowName} is closed by two joins ('${split.matchingJoin}' and '${name}').`,
          name,
        );
      }
      split.matchingJoin = name;
      node.closes = splitName;
      const branchOf = (parent: string) => Number(tops[node.parents.indexOf(parent)]!.split(':')[1]);
      node.inputOrder = [...node.parents].sort((a, b) => branchOf(a) - branchOf(b));
      stack = parentStacks[0]!.slice(0, -1);
    } else {
      if (node.parents.length > 1) {
        throw new InvalidGraphError(
          `Step '${name}' of ${flowName} has ${node.parents.length} incoming steps (${node.parents.join(', ')}) but is not a join; declare it as a join taking inputs.`,
          name,
        );
      }
      stack = edgeFrames(node.parents[0]!, name);
    }
    node.splitStack = stack.map((f) => f.split(':')[0]!);
    frames.set(name, stack);
  }
  for (const node of nodes.values()) {
    if ((node.kind === 'split' || node.kind === 'foreach') && node.matchingJoin === undefined) {
      throw new InvalidGraphError(
        `${node.kind === 'foreach' ? 'Foreach' : 'Split'} '${node.name}' of ${flowName} is never joined; add a join step that takes inputs.`,
        node.name,
      );
    }
  }
  if (frames.get('end')!.length > 0) {
    throw new InvalidGraphError(
      `Step 'end' of ${flowName} is reached inside an unjoined split; join every branch before end.`,
      'end',
    );
  }
}
