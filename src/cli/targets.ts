/**
 * Turning a command-line pathspec into client objects: which level it names, and the one task a
 * `logs` / `dump` pathspec stands for (a task, or a step that has exactly one task).
 */
import { Step, Task } from '../client/objects.ts';
import { NotFoundError, UsageError } from '../core/errors.ts';
import {
  childPathspec,
  pathspecLevel as levelOf,
  type PathspecLevel,
  parsePathspec,
} from '../core/pathspec.ts';

/** The level a pathspec names; a malformed pathspec throws the client's InvalidPathspecError. */
export function pathspecLevel(pathspec: string): PathspecLevel {
  return levelOf(parsePathspec(pathspec));
}

/** How many task ids an "ambiguous step" message lists. */
const LISTED_TASKS = 5;

/**
 * The task a `Flow/N/step/T` or `Flow/N/step` pathspec names; a step must have exactly one task.
 * `attempt` pins the attempt (as `Task.get` does).
 */
export async function resolveTask(
  command: string,
  pathspec: string,
  level: PathspecLevel,
  attempt?: number,
): Promise<Task> {
  const options = attempt === undefined ? {} : { attempt };
  if (level === 'task') return Task.get(pathspec, options);
  if (level !== 'step')
    throw new UsageError(
      `flowtrail ${command} takes a task pathspec (Flow/N/step/T) or a step with one task (Flow/N/step), got '${pathspec}'.`,
    );
  const step = await Step.get(pathspec);
  const ids: number[] = [];
  for await (const task of step) ids.push(task.taskId);
  if (ids.length === 0) throw new NotFoundError(pathspec, `Step('${pathspec}') has no tasks yet.`);
  if (ids.length > 1) {
    ids.sort((a, b) => a - b);
    const listed = ids.slice(0, LISTED_TASKS).map((id) => childPathspec(pathspec, id));
    const more = ids.length > LISTED_TASKS ? `, … (${ids.length - LISTED_TASKS} more)` : '';
    throw new UsageError(
      `Step '${pathspec}' has ${ids.length} tasks; pick one: ${listed.join(', ')}${more}. (flowtrail show ${pathspec} lists them all.)`,
    );
  }
  return Task.get(childPathspec(pathspec, ids[0]!), options);
}
