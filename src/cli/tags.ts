/**
 * `flowtrail tag add|remove|replace|list RUN …`: a run's user tags, changed through the client API
 * (`Run.addTags` / `removeTags` / `replaceTags`). The store validates every change and refuses it
 * whole (a ValidationError) when a tag is empty, too long, or a system tag to remove.
 */
import { Run } from '../client/objects.ts';
import { UsageError } from '../core/errors.ts';
import { jsonText } from './format.ts';

export type TagAction =
  | { kind: 'list' }
  | { kind: 'add'; tags: string[] }
  | { kind: 'remove'; tags: string[] }
  | { kind: 'replace'; remove: string[]; add: string[] };

/** The `replace` forms: `replace RUN OLD NEW`, or `replace RUN --remove a b --add c d`. */
export function replaceAction(
  positional: readonly string[],
  flags: { remove?: string[]; add?: string[] },
): TagAction {
  if (flags.remove || flags.add) {
    if (positional.length > 0)
      throw new UsageError(
        `tag replace takes either OLD NEW or --remove/--add, not both (got extra '${positional.join(' ')}').`,
      );
    return { kind: 'replace', remove: flags.remove ?? [], add: flags.add ?? [] };
  }
  if (positional.length !== 2)
    throw new UsageError(
      `tag replace takes OLD NEW (one tag each), or --remove TAG… --add TAG…; got ${positional.length} tag(s).`,
    );
  return { kind: 'replace', remove: [positional[0]!], add: [positional[1]!] };
}

/** Applies the action and describes the run's resulting user tags. */
export async function runTags(pathspec: string, action: TagAction, json: boolean): Promise<string> {
  const run = await Run.get(pathspec);
  if (action.kind === 'add') await run.addTags(...action.tags);
  else if (action.kind === 'remove') await run.removeTags(...action.tags);
  else if (action.kind === 'replace') await run.replaceTags(action.remove, action.add);
  if (json) return jsonText({ pathspec: run.pathspec, tags: run.userTags, systemTags: run.systemTags });
  return run.userTags.map((t) => `${t}\n`).join('');
}
