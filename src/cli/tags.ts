/**
 * `flowtrail tag add|remove|replace|list RUN …`: a run's user tags, changed through the client API
 * (`Run.addTags` / `removeTags` / `replaceTags`). The store validates every change and refuses it
 * whole (a ValidationError) when a tag is empty, too long, or a system tag to remove.
 */
import type { Command } from 'commander';
import { Run } from '../client/objects.ts';
import { UsageError } from '../core/errors.ts';
import { applyNamespace, jsonText, type NamespaceFlags, withNamespaceOptions } from './format.ts';

export type TagAction =
  | { kind: 'list' }
  | { kind: 'add'; tags: string[] }
  | { kind: 'remove'; tags: string[] }
  | { kind: 'replace'; remove: string[]; add: string[] };

/** The `replace` forms: `replace RUN OLD NEW`, or `replace RUN --remove a b --add c d`. */
function replaceAction(
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
async function runTags(pathspec: string, action: TagAction, json: boolean): Promise<string> {
  const run = await Run.get(pathspec);
  if (action.kind === 'add') await run.addTags(...action.tags);
  else if (action.kind === 'remove') await run.removeTags(...action.tags);
  else if (action.kind === 'replace') await run.replaceTags(action.remove, action.add);
  if (json) return jsonText({ pathspec: run.pathspec, tags: run.userTags, systemTags: run.systemTags });
  return run.userTags.map((t) => `${t}\n`).join('');
}

/** Adds `tag list|add|remove|replace`. */
export function registerTagCommands(program: Command): void {
  const tag = program
    .command('tag')
    .description("List, add, remove or replace a run's user tags (system tags cannot be removed).")
    .addHelpText(
      'after',
      `
Each subcommand prints the run's resulting user tags, one per line (--json: { pathspec, tags, systemTags }).

Examples:
  flowtrail tag add ForeachFlow/3 nightly candidate
  flowtrail tag remove ForeachFlow/3 candidate
  flowtrail tag replace ForeachFlow/3 candidate release
  flowtrail tag replace ForeachFlow/3 --remove a b --add c d
  flowtrail tag list ForeachFlow/3`,
    );
  const tagCommand = (name: string, description: string) =>
    withNamespaceOptions(
      tag
        .command(name)
        .description(description)
        .argument('<run>', 'Flow/N')
        .option('--json', 'print as JSON'),
    );
  const printTags = async (run: string, action: TagAction, flags: { json?: boolean } & NamespaceFlags) => {
    applyNamespace(flags);
    process.stdout.write(await runTags(run, action, flags.json ?? false));
  };
  tagCommand('list', "Print the run's user tags.").action(
    (run: string, flags: { json?: boolean } & NamespaceFlags) => printTags(run, { kind: 'list' }, flags),
  );
  tagCommand('add', 'Add user tags to a run.')
    .argument('<tags...>', 'tags to add')
    .action((run: string, tags: string[], flags: { json?: boolean } & NamespaceFlags) =>
      printTags(run, { kind: 'add', tags }, flags),
    );
  tagCommand('remove', 'Remove user tags from a run.')
    .argument('<tags...>', 'tags to remove')
    .action((run: string, tags: string[], flags: { json?: boolean } & NamespaceFlags) =>
      printTags(run, { kind: 'remove', tags }, flags),
    );
  tagCommand('replace', 'Replace user tags atomically: OLD NEW, or --remove TAG… --add TAG….')
    .argument('[tags...]', 'OLD NEW')
    .option('--remove <tags...>', 'tags to remove')
    .option('--add <tags...>', 'tags to add')
    .action(
      (
        run: string,
        tags: string[],
        flags: { json?: boolean; remove?: string[]; add?: string[] } & NamespaceFlags,
      ) => printTags(run, replaceAction(tags, flags), flags),
    );
}
