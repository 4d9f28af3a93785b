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

export function parsePathspec(pathspec: string): Pathspec {
  const parts = pathspec.split('/');
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

export function formatPathspec(p: Pathspec): string {
  return [p.flow, p.run, p.step, p.task, p.artifact].filter((x) => x !== undefined).join('/');
}
