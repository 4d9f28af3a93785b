/**
 * Class-level declarations recorded by the decorators (steps, their options, parameters, triggers), kept in the
 * class's decorator metadata so the graph is known before anything runs.
 */

// Node 20 has no Symbol.metadata; esbuild and tsc fall back to this well-known registration.
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');

export interface RetryOptions {
  /** Extra attempts after the first (0–10). */
  times: number;
  /** Wait between attempts, in seconds (default 0). */
  delaySeconds?: number;
}

export interface CatchOptions {
  /** Artifact that receives the error (type, message, stack) when every attempt failed. */
  artifact?: string;
  /** Print the exception to stderr when it is caught (default true). */
  printException?: boolean;
}

export interface TimeoutOptions {
  seconds?: number;
  minutes?: number;
  hours?: number;
}

/** `@resources`: CPUs, memory (MiB) and GPUs one task of the step needs. */
export interface ResourceRequest {
  cpu?: number;
  memoryMb?: number;
  gpu?: number;
}

export interface StepDeclaration {
  name: string;
  /** Transition targets; empty for `end`. */
  next: string[];
  /** Artifact the foreach iterates over, if this step fans out. */
  foreach?: string;
  /** True when the method takes `inputs` (a join). */
  join: boolean;
  retry?: RetryOptions;
  catch?: CatchOptions;
  timeoutSeconds?: number;
  /** Run each task of this step in its own process. */
  isolated: boolean;
  /** What a worker must offer to run this step's tasks (`@resources`); honoured by the queue executor. */
  resources?: ResourceRequest;
  /** Whether the `@step` decorator was applied (other decorators alone do not make a step). */
  declared: boolean;
}

export type ParameterType = 'string' | 'number' | 'boolean' | 'json';

export interface ParameterDeclaration {
  /** The property name on the flow class. */
  name: string;
  /** The CLI name (`--learning-rate`). */
  cliName: string;
  type: ParameterType;
  default?: unknown;
  required: boolean;
  help?: string;
}

/** One event a flow waits for, as `@trigger` recorded it (names and fields already checked). */
export interface EventDependencyDeclaration {
  name: string;
  /** Flow parameter → payload field; absent when the decorator gave no mapping (see the default mapping). */
  parameters?: Record<string, string>;
}

/** What `@trigger`, `@triggerOnFinish` and `@schedule` recorded on a class (and its parents). */
export interface TriggerDeclarations {
  /** Events, in source order (a parent's first). */
  events: EventDependencyDeclaration[];
  /** Upstream flows whose successful end starts this one, in source order. */
  flows: string[];
  /** Explicit reset window, in ms. */
  resetWindowMs?: number;
  schedule?: { cron: string; timezone: string };
  /** What this very class declared, as opposed to what it inherited. */
  own: { events: number; flows: number; resetWindow: boolean; schedule: boolean };
}

export interface FlowDeclarations {
  steps: Map<string, StepDeclaration>;
  params: Map<string, ParameterDeclaration>;
  triggers: TriggerDeclarations;
}

function copyTriggers(inherited: TriggerDeclarations | undefined): TriggerDeclarations {
  const own = { events: 0, flows: 0, resetWindow: false, schedule: false };
  if (!inherited) return { events: [], flows: [], own };
  const copy: TriggerDeclarations = {
    events: inherited.events.map((e) => ({
      name: e.name,
      ...(e.parameters ? { parameters: { ...e.parameters } } : {}),
    })),
    flows: [...inherited.flows],
    own,
  };
  if (inherited.resetWindowMs !== undefined) copy.resetWindowMs = inherited.resetWindowMs;
  if (inherited.schedule) copy.schedule = { ...inherited.schedule };
  return copy;
}

const DECLARATIONS = Symbol.for('flowtrail.declarations');

type Metadata = Record<PropertyKey, unknown>;

/** The declarations of a class's own metadata object, created on first use (inheriting a parent's). */
export function declarationsOf(metadata: DecoratorMetadataObject): FlowDeclarations {
  const md = metadata as Metadata;
  if (Object.hasOwn(md, DECLARATIONS)) return md[DECLARATIONS] as FlowDeclarations;
  const inherited = md[DECLARATIONS] as FlowDeclarations | undefined;
  const own: FlowDeclarations = {
    steps: new Map([...(inherited?.steps ?? [])].map(([k, v]) => [k, { ...v }])),
    params: new Map(inherited?.params ?? []),
    triggers: copyTriggers(inherited?.triggers),
  };
  md[DECLARATIONS] = own;
  return own;
}

/** The declarations of a flow class (empty when it has no decorators). */
export function declarationsOfClass(cls: abstract new (...args: never[]) => unknown): FlowDeclarations {
  const md = (cls as unknown as Record<symbol, DecoratorMetadataObject | undefined>)[
    Symbol.metadata as symbol
  ];
  if (!md) return { steps: new Map(), params: new Map(), triggers: copyTriggers(undefined) };
  return declarationsOf(md);
}

/** The step entry for a method, created on first use by whichever decorator runs first. */
export function stepEntry(metadata: DecoratorMetadataObject, name: string): StepDeclaration {
  const decls = declarationsOf(metadata);
  let entry = decls.steps.get(name);
  if (!entry) {
    entry = { name, next: [], join: false, isolated: false, declared: false };
    decls.steps.set(name, entry);
  }
  return entry;
}
