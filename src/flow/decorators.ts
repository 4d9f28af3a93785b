import { InvalidGraphError } from '../core/errors.ts';
import {
  type CatchOptions,
  declarationsOf,
  type ParameterDeclaration,
  type ParameterType,
  type ResourceRequest,
  type RetryOptions,
  stepEntry,
  type TimeoutOptions,
} from './declarations.ts';

// biome-ignore lint/suspicious/noExplicitAny: a step method may take inputs of any flow type
type StepMethod = (this: any, ...args: any[]) => unknown;

/** Options of {@link step}. `next` and `foreach` are checked by the compiler against the flow class. */
export interface StepOptions<N extends string = string, F extends string = string> {
  /** The step(s) that follow; several names make a static branch. Omit only on `end`. */
  next?: N | readonly N[];
  /** Fan out: one task of the (single) `next` step per element of this artifact. */
  foreach?: F;
  /** Run each task of this step in a fresh process (isolation over speed). */
  isolated?: boolean;
}

/**
 * Marks a method as a step. Transition and foreach names are type-checked against the class.
 *
 * @example
 * class HelloFlow extends FlowSpec {
 *   greeting!: string;
 *   @step({ next: 'end' }) async start() { this.greeting = 'hi'; }
 *   @step() async end() { console.log(this.greeting); }
 * }
 */
export function step<const N extends string = never, const F extends string = never>(
  options: StepOptions<N, F> = {},
): <This extends { [K in N]: StepMethod } & { [K in F]: Iterable<unknown> | ArrayLike<unknown> | undefined }>(
  value: StepMethod,
  context: ClassMethodDecoratorContext<This>,
) => void {
  return (value, context) => {
    const name = methodName(context, 'step');
    const entry = stepEntry(context.metadata, name);
    entry.declared = true;
    entry.next =
      options.next === undefined ? [] : typeof options.next === 'string' ? [options.next] : [...options.next];
    if (options.foreach !== undefined) entry.foreach = options.foreach;
    entry.join = value.length >= 1;
    entry.isolated = options.isolated ?? false;
  };
}

/**
 * Retries a failing step: up to `times` more attempts of the same task.
 *
 * @example
 * @retry({ times: 2 })
 * @step({ next: 'end' }) async flaky() { await callService(); }
 */
export function retry(
  options: RetryOptions,
): (value: StepMethod, context: ClassMethodDecoratorContext) => void {
  return (_value, context) => {
    const name = methodName(context, 'retry');
    if (!Number.isInteger(options.times) || options.times < 0 || options.times > 10) {
      throw new InvalidGraphError(
        `@retry on step '${name}': times must be an integer from 0 to 10, got ${options.times}.`,
        name,
      );
    }
    if (options.delaySeconds !== undefined && !(options.delaySeconds >= 0)) {
      throw new InvalidGraphError(`@retry on step '${name}': delaySeconds must be ≥ 0.`, name);
    }
    stepEntry(context.metadata, name).retry = { ...options };
  };
}

/**
 * When every attempt of the step failed, stores the error in an artifact and lets the run continue.
 *
 * @example
 * @catchError({ artifact: 'failure' })
 * @step({ next: 'end' }) async risky() { throw new Error('boom'); }
 */
export function catchError(
  options: CatchOptions = {},
): (value: StepMethod, context: ClassMethodDecoratorContext) => void {
  return (_value, context) => {
    const name = methodName(context, 'catchError');
    stepEntry(context.metadata, name).catch = { printException: true, ...options };
  };
}

/**
 * Stops an attempt that runs longer than the given duration (the parts are summed); the attempt is
 * recorded as a timeout and the step's retry policy applies.
 *
 * @example
 * @timeout({ seconds: 30 })
 * @step({ next: 'end' }) async slow() { await crunch(); }
 */
export function timeout(
  options: TimeoutOptions,
): (value: StepMethod, context: ClassMethodDecoratorContext) => void {
  return (_value, context) => {
    const name = methodName(context, 'timeout');
    const seconds = (options.seconds ?? 0) + (options.minutes ?? 0) * 60 + (options.hours ?? 0) * 3600;
    if (!(seconds > 0) || !Number.isFinite(seconds)) {
      throw new InvalidGraphError(
        `@timeout on step '${name}': specify a positive duration (seconds, minutes or hours).`,
        name,
      );
    }
    stepEntry(context.metadata, name).timeoutSeconds = seconds;
  };
}

/**
 * What one task of the step needs from the worker that runs it: CPUs (may be fractional), memory
 * in MiB and GPUs. The queue executor routes the step's attempts to workers that advertise at
 * least that much (`flowtrail worker --resources cpu=4,gpu=1`); a task no live worker can take is
 * reported as unschedulable. The local executor runs every task on this machine and ignores it.
 *
 * @example
 * @resources({ cpu: 2, memoryMb: 4096, gpu: 1 })
 * @step({ next: 'end' }) async train() { … }
 */
export function resources(
  request: ResourceRequest,
): (value: StepMethod, context: ClassMethodDecoratorContext) => void {
  return (_value, context) => {
    const name = methodName(context, 'resources');
    const known = new Set(['cpu', 'memoryMb', 'gpu']);
    for (const key of Object.keys(request)) {
      if (!known.has(key))
        throw new InvalidGraphError(
          `@resources on step '${name}': unknown resource '${key}'; use cpu, memoryMb or gpu.`,
          name,
        );
    }
    const checked: ResourceRequest = {};
    for (const key of ['cpu', 'memoryMb', 'gpu'] as const) {
      const value = request[key];
      if (value === undefined) continue;
      const whole = key !== 'cpu';
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        value < 0 ||
        (whole && !Number.isInteger(value))
      )
        throw new InvalidGraphError(
          `@resources on step '${name}': ${key} must be a ${whole ? 'whole ' : ''}number ≥ 0, got ${String(value)}.`,
          name,
        );
      if (value > 0) checked[key] = value;
    }
    stepEntry(context.metadata, name).resources = checked;
  };
}

// biome-ignore lint/suspicious/noExplicitAny: any decorator context
function methodName(context: ClassMethodDecoratorContext<any, any>, decorator: string): string {
  if (context.private || context.static || typeof context.name !== 'string') {
    throw new InvalidGraphError(
      `@${decorator} must decorate a public instance method with a string name.`,
      String(context.name),
    );
  }
  return context.name;
}

interface ParamOptions<T> {
  default?: T;
  /** Fail the run when no value is given and there is no default (default: false). */
  required?: boolean;
  help?: string;
  /** CLI name; defaults to the property name in kebab-case (`learningRate` → `--learning-rate`). */
  name?: string;
}

type FieldDecorator<V> = <This>(value: undefined, context: ClassFieldDecoratorContext<This, V>) => void;

function declareParam<V>(type: ParameterType, options: ParamOptions<V>): FieldDecorator<V> {
  return (_value, context) => {
    if (context.private || context.static || typeof context.name !== 'string') {
      throw new InvalidGraphError(
        '@param must decorate a public instance field with a string name.',
        String(context.name),
      );
    }
    const name = context.name;
    const decl: ParameterDeclaration = {
      name,
      cliName: options.name ?? kebabCase(name),
      type,
      required: options.required ?? false,
    };
    if (options.default !== undefined) decl.default = options.default;
    if (options.help !== undefined) decl.help = options.help;
    declarationsOf(context.metadata).params.set(name, decl);
  };
}

function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

/**
 * Typed flow parameters, set on the command line (`--alpha 0.5`) or from event payloads.
 * They are read-only inside steps and stored as artifacts of every task.
 *
 * @example
 * class TrainFlow extends FlowSpec {
 *   @param.number({ default: 0.01, help: 'learning rate' }) alpha!: number;
 *   @param.string({ required: true }) dataset!: string;
 *   @param.json<{ layers: number[] }>({ default: { layers: [8] } }) config!: { layers: number[] };
 * }
 */
export const param = {
  string: (options: ParamOptions<string> = {}): FieldDecorator<string> => declareParam('string', options),
  number: (options: ParamOptions<number> = {}): FieldDecorator<number> => declareParam('number', options),
  boolean: (options: ParamOptions<boolean> = {}): FieldDecorator<boolean> => declareParam('boolean', options),
  json: <T = unknown>(options: ParamOptions<T> = {}): FieldDecorator<T> => declareParam('json', options),
};
