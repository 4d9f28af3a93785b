/**
 * Pathspecs, the one address of every object: `Flow`, `Flow/run`, `Flow/run/step`,
 * `Flow/run/step/task`, `Flow/run/step/task/artifact` (`HelloFlow/2/start/1/message`). The builders
 * here are the only place that joins the parts, and {@link parsePathspec} the only place that
 * splits them, so the separator and the shape live in one file.
 */
import { InvalidPathspecError } from './errors.ts';

/** A parsed pathspec: `Flow`, `Flow/run`, `Flow/run/step`, `Flow/run/step/task`, `Flow/run/step/task/artifact`. */
export interface Pathspec {
  flow: string;
  run?: number;
  step?: string;
  task?: number;
  artifact?: string;
}

const FLOW_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STEP_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a pathspec names, by its number of parts. */
export type PathspecLevel = 'flow' | 'run' | 'step' | 'task' | 'artifact';

/** The levels in order: a pathspec of `n` parts names `PATHSPEC_LEVELS[n - 1]`. */
export const PATHSPEC_LEVELS: readonly PathspecLevel[] = ['flow', 'run', 'step', 'task', 'artifact'];

const SEPARATOR = '/';

export function isValidFlowName(name: string): boolean {
  return FLOW_NAME.test(name);
}

export function isValidStepName(name: string): boolean {
  return STEP_NAME.test(name);
}

function parseId(pathspec: string, part: string, what: string): number {
  if (!/^[0-9]+$/.test(part)) {
    throw new InvalidPathspecError(
      pathspec,
      `Pathspec '${pathspec}': ${what} id '${part}' must be a positive integer.`,
    );
  }
  return Number(part);
}

/**
 * Parses and checks a pathspec; a malformed one is an `InvalidPathspecError` naming it.
 *
 * @example
 * parsePathspec('HelloFlow/2/start/1'); // { flow: 'HelloFlow', run: 2, step: 'start', task: 1 }
 */
export function parsePathspec(pathspec: string): Pathspec {
  const parts = pathspec.split(SEPARATOR);
  if (parts.length > 5 || parts.some((p) => p.length === 0)) {
    throw new InvalidPathspecError(
      pathspec,
      `Pathspec '${pathspec}' is malformed; expected Flow[/run[/step[/task[/artifact]]]], e.g. HelloFlow/2/start/1.`,
    );
  }
  const [flow, run, step, task, artifact] = parts as [string, string?, string?, string?, string?];
  if (!isValidFlowName(flow))
    throw new InvalidPathspecError(pathspec, `Pathspec '${pathspec}': '${flow}' is not a valid flow name.`);
  const result: Pathspec = { flow };
  if (run !== undefined) result.run = parseId(pathspec, run, 'run');
  if (step !== undefined) {
    if (!isValidStepName(step))
      throw new InvalidPathspecError(pathspec, `Pathspec '${pathspec}': '${step}' is not a valid step name.`);
    result.step = step;
  }
  if (task !== undefined) result.task = parseId(pathspec, task, 'task');
  if (artifact !== undefined) result.artifact = artifact;
  return result;
}

/**
 * The level a parsed pathspec names: its deepest part.
 *
 * @example
 * pathspecLevel(parsePathspec('HelloFlow/2')); // 'run'
 */
export function pathspecLevel(p: Pathspec): PathspecLevel {
  if (p.artifact !== undefined) return 'artifact';
  if (p.task !== undefined) return 'task';
  if (p.step !== undefined) return 'step';
  if (p.run !== undefined) return 'run';
  return 'flow';
}

/**
 * The flow name of a pathspec Flowtrail wrote itself (a run's, an event's), without checking the
 * rest; a pathspec a user typed goes through {@link parsePathspec}.
 *
 * @example
 * flowOfPathspec('ETLFlow/3'); // 'ETLFlow'
 */
export function flowOfPathspec(pathspec: string): string {
  const end = pathspec.indexOf(SEPARATOR);
  return end === -1 ? pathspec : pathspec.slice(0, end);
}

/**
 * Joins the parts of a pathspec, down to the deepest one given (the inverse of {@link parsePathspec}).
 *
 * @example
 * formatPathspec({ flow: 'HelloFlow', run: 2, step: 'start' }); // 'HelloFlow/2/start'
 */
export function formatPathspec(p: Pathspec): string {
  let out = p.flow;
  if (p.run === undefined) return out;
  out += `${SEPARATOR}${p.run}`;
  if (p.step === undefined) return out;
  out += `${SEPARATOR}${p.step}`;
  if (p.task === undefined) return out;
  out += `${SEPARATOR}${p.task}`;
  return p.artifact === undefined ? out : `${out}${SEPARATOR}${p.artifact}`;
}

/**
 * A run's pathspec.
 *
 * @example
 * runPathspec('ETLFlow', 3); // 'ETLFlow/3'
 */
export function runPathspec(flow: string, run: number): string {
  return `${flow}${SEPARATOR}${run}`;
}

/**
 * A step's pathspec.
 *
 * @example
 * stepPathspec('ETLFlow', 3, 'start'); // 'ETLFlow/3/start'
 */
export function stepPathspec(flow: string, run: number, step: string): string {
  return `${runPathspec(flow, run)}${SEPARATOR}${step}`;
}

/**
 * A task's pathspec.
 *
 * @example
 * taskPathspec('ETLFlow', 3, 'start', 1); // 'ETLFlow/3/start/1'
 */
export function taskPathspec(flow: string, run: number, step: string, task: number): string {
  return `${stepPathspec(flow, run, step)}${SEPARATOR}${task}`;
}

/**
 * The pathspec of an object one level below `parent`: a run of a flow, a step of a run, a task
 * of a step, an artifact of a task.
 *
 * @example
 * childPathspec('ETLFlow/3/start/1', 'message'); // 'ETLFlow/3/start/1/message'
 */
export function childPathspec(parent: string, child: string | number): string {
  return `${parent}${SEPARATOR}${child}`;
}
