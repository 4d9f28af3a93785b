import { FlowtrailError } from '../core/errors.ts';

/** One level of foreach nesting as seen from inside a task. */
export interface ForeachFrame {
  /** The foreach step that fanned out. */
  step: string;
  /** The artifact it iterated. */
  artifact: string;
  index: number;
  numSplits: number;
  value: unknown;
}

export interface MergeOptions {
  /** Merge only these artifacts (each must exist in some input). */
  include?: readonly string[];
  /** Merge everything except these. */
  exclude?: readonly string[];
}

/** What the runtime gives a flow instance while a task runs. Step code never sees it directly. */
export interface TaskBinding {
  readonly input: unknown;
  readonly index: number | undefined;
  readonly foreachStack: readonly ForeachFrame[];
  mergeArtifacts(inputs: readonly object[], options: MergeOptions): void;
}

const BINDING = Symbol.for('flowtrail.taskBinding');

/** Data members of a flow: everything that is not a method and not part of FlowSpec itself. */
export type ArtifactsOf<T> = {
  readonly [K in keyof T as K extends keyof FlowSpec
    ? never
    : T[K] extends (...args: never[]) => unknown
      ? never
      : K]: T[K];
};

/** One input of a join: the artifacts of one incoming task, read-only. */
export type InputOf<T> = ArtifactsOf<T> & { readonly index: number | undefined };

/**
 * The `inputs` of a join: in split order for a foreach join, in `next` order for a static join;
 * `get(stepName)` picks the input that came from a given branch.
 */
export interface Inputs<T> extends ReadonlyArray<InputOf<T>> {
  get(step: string): InputOf<T>;
}

/**
 * Base class of every flow. Steps are methods marked with `@step`; values assigned to `this` in a
 * step become stored, versioned artifacts that later steps (and the client API) can read.
 *
 * @example
 * export class HelloFlow extends FlowSpec {
 *   message!: string;
 *   @step({ next: 'end' }) async start() { this.message = 'hello'; }
 *   @step() async end() { console.log(this.message); }
 * }
 */
export abstract class FlowSpec {
  declare [BINDING]: TaskBinding | undefined;

  private binding(what: string): TaskBinding {
    const b = this[BINDING];
    if (!b) throw new FlowtrailError('USAGE', `${what} is only available while a step of the flow runs.`);
    return b;
  }

  /** Inside a foreach task: the element of the collection this task handles. */
  get input(): unknown {
    return this.binding('this.input').input;
  }

  /** Inside a foreach task: this task's position in the collection (0-based); otherwise undefined. */
  get index(): number | undefined {
    return this.binding('this.index').index;
  }

  /** The foreach frames enclosing this task, outermost first. */
  foreachStack(): readonly ForeachFrame[] {
    return this.binding('foreachStack()').foreachStack;
  }

  /**
   * In a join: copies artifacts that every input agrees on into this task (without reloading the
   * values). Artifacts the join already set are skipped; conflicting values are an error listing them.
   */
  mergeArtifacts(inputs: readonly object[], options: MergeOptions = {}): void {
    this.binding('mergeArtifacts()').mergeArtifacts(inputs, options);
  }
}

/** Attaches (or detaches) the runtime's binding to a flow instance. For the runtime only. */
export function bindTask(flow: FlowSpec, binding: TaskBinding | undefined): void {
  Object.defineProperty(flow, BINDING, {
    value: binding,
    enumerable: false,
    configurable: true,
    writable: true,
  });
}

/** Constructor type of a flow class. */
export type FlowClass<T extends FlowSpec = FlowSpec> = new () => T;
