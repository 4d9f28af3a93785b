import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { FlowtrailError, UsageError } from '../core/errors.ts';
import { FLOWTRAIL_VERSION } from '../core/version.ts';
import type { EventInput } from '../events/model.ts';
import type { RunResult } from '../runtime/execute-run.ts';
import { ConsoleProgress, silentProgress } from '../runtime/progress.ts';
import { resumeRun } from '../runtime/resume-run.ts';
import { runFlow } from '../runtime/run-flow.ts';
import { parseTriggerEventJson } from '../runtime/trigger-causes.ts';
import { registerDeploymentCommands } from './deployments.ts';
import { DEFAULT_MAX_LENGTH, dump } from './dump.ts';
import { registerEventCommands } from './events.ts';
import { applyNamespace, intOption, type NamespaceFlags, withNamespaceOptions } from './format.ts';
import { printLogs } from './logs.ts';
import { parseParamWords } from './params.ts';
import { registerServerCommands } from './server.ts';
import { showFlowFile } from './show-flow.ts';
import { showPathspec } from './show-pathspec.ts';
import { replaceAction, runTags, type TagAction } from './tags.ts';
import { trail } from './trail.ts';

const DEFAULT_RUN_LIMIT = 20;

function isFile(target: string): boolean {
  try {
    return fs.statSync(target).isFile();
  } catch {
    return false;
  }
}

/** A `show` target that can only be a file: a script extension, or a path that starts like one. */
function looksLikeFile(target: string): boolean {
  return /\.[cm]?[jt]sx?$/i.test(target) || /^(\.{1,2}[\\/]|[\\/]|~)/.test(target) || target.includes('\\');
}

interface CommonRunFlags {
  maxWorkers?: string;
  maxNumSplits?: string;
  isolate?: boolean;
  quiet?: boolean;
  json?: boolean;
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a positive integer, got '${value}'.`);
  return n;
}

function executionOptions(flags: CommonRunFlags, onJson: boolean) {
  return {
    maxWorkers: positiveInt('max-workers', flags.maxWorkers),
    maxNumSplits: positiveInt('max-num-splits', flags.maxNumSplits),
    isolate: flags.isolate ?? false,
    progress: flags.quiet || onJson ? silentProgress : new ConsoleProgress(process.stdout),
  };
}

function report(result: RunResult, json: boolean): number {
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ pathspec: result.pathspec, status: result.status, runNumber: result.run.runNumber, error: result.error })}\n`,
    );
  }
  return result.status === 'completed' ? 0 : 1;
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('flowtrail')
    .description(
      'Flowtrail: TypeScript workflows for data and ML pipelines.\n\n' +
        'Run flows with run/resume; inspect what they stored with show, logs, dump and tag. The read commands ' +
        'see your own runs (namespace user:<you>) unless given --namespace NS or --all-namespaces. ' +
        'Emit, list, tail and count events with events. Serve all of it over HTTP with server; point clients and runs at a ' +
        'server with FLOWTRAIL_SERVICE_URL (and FLOWTRAIL_API_KEY).',
    )
    .version(FLOWTRAIL_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('run')
    .description('Run a flow file. Flow parameters are passed as --name value.')
    .argument('<file>', 'the flow file (.ts)')
    .option('--flow <name>', 'the flow class to run when the file exports several')
    .option('--tag <tag...>', 'user tags for the run')
    .option(
      '--trigger <run...>',
      'simulate @triggerOnFinish: record these successful runs (FirstFlow/5) as the trigger',
    )
    .option(
      '--trigger-event <json...>',
      'simulate @trigger: emit this event (\'{"event":"data_updated","payload":{…}}\'), record it as the trigger and map its payload to parameters',
    )
    .option('--max-workers <n>', 'most worker processes at once (default 16)')
    .option('--max-num-splits <n>', 'most tasks a foreach may fan out to (default 100)')
    .option('--isolate', 'run every task in its own process')
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print the result as JSON')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(
      async (
        file: string,
        flags: CommonRunFlags & {
          flow?: string;
          tag?: string[];
          trigger?: string[];
          triggerEvent?: string[];
        },
        cmd: Command,
      ) => {
        const params = parseParamWords(cmd.args.slice(1));
        const result = await runFlow({
          file,
          ...(flags.flow ? { flowName: flags.flow } : {}),
          params,
          paramsFromText: true,
          tags: flags.tag ?? [],
          ...(flags.trigger ? { triggerRuns: flags.trigger } : {}),
          ...(flags.triggerEvent
            ? {
                triggerEvents: flags.triggerEvent.map(
                  (text) => parseTriggerEventJson(text) as unknown as EventInput,
                ),
              }
            : {}),
          ...executionOptions(flags, flags.json ?? false),
        });
        setExit(report(result, flags.json ?? false));
      },
    );

  program
    .command('resume')
    .description('Resume a failed or crashed run: successful tasks are cloned, the rest runs again.')
    .argument('[run]', 'Flow/N (default: the latest run)')
    .option('--step <step>', 're-run this step and everything after it')
    .option('--file <file>', 'the flow file (default: the file the run recorded)')
    .option('--max-workers <n>', 'most worker processes at once (default 16)')
    .option('--max-num-splits <n>', 'most tasks a foreach may fan out to (default 100)')
    .option('--isolate', 'run every task in its own process')
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print the result as JSON')
    .action(async (run: string | undefined, flags: CommonRunFlags & { step?: string; file?: string }) => {
      const result = await resumeRun({
        ...(run ? { run } : {}),
        ...(flags.step ? { step: flags.step } : {}),
        ...(flags.file ? { file: flags.file } : {}),
        ...executionOptions(flags, flags.json ?? false),
      });
      setExit(report(result, flags.json ?? false));
    });

  withNamespaceOptions(
    program
      .command('show')
      .description(
        "Show a flow file (graph, parameters, triggers), or what is stored for a pathspec: a flow's runs, a run, a step's tasks, a task, or an artifact.",
      )
      .argument(
        '<target>',
        'a flow file, or a pathspec: Flow, Flow/N, Flow/N/step, Flow/N/step/T or Flow/N/step/T/name',
      )
      .option('--flow <name>', 'the flow class when the file exports several')
      .option('--limit <n>', 'for a flow: how many of its newest runs to list (default 20)')
      .option('--json', 'print as JSON'),
  )
    .addHelpText(
      'after',
      `
Examples:
  flowtrail show examples/foreach.ts         the graph of a flow file
  flowtrail show ForeachFlow --limit 5       the 5 newest runs (in your namespace)
  flowtrail show ForeachFlow/3               status, times, parameters, tags, steps with task counts
  flowtrail show ForeachFlow/3/score         the step's tasks
  flowtrail show ForeachFlow/3/score/4       attempts, environment, artifacts
  flowtrail show ForeachFlow/3/end/9/scores  an artifact's sha, size and encoding (value: flowtrail dump)`,
    )
    .action(
      async (target: string, flags: { flow?: string; json?: boolean; limit?: string } & NamespaceFlags) => {
        if (isFile(target) || looksLikeFile(target)) {
          process.stdout.write(await showFlowFile(target, flags.flow, flags.json ?? false));
          return;
        }
        if (flags.flow)
          throw new UsageError(
            `--flow applies to flow files; '${target}' is a pathspec (and no such file exists).`,
          );
        const limit = intOption('limit', flags.limit, 1) ?? DEFAULT_RUN_LIMIT;
        applyNamespace(flags);
        process.stdout.write(await showPathspec(target, { json: flags.json ?? false, limit }));
      },
    );

  withNamespaceOptions(
    program
      .command('logs')
      .description('Print the output of a task: Flow/N/step/T, or Flow/N/step when the step has one task.')
      .argument('<pathspec>', 'Flow/N/step/T, or Flow/N/step for a step with a single task')
      .option('--stderr', 'print standard error instead of standard output')
      .option(
        '--both',
        'print both streams, interleaved in the order written, each line marked [stdout]/[stderr]',
      )
      .option('--timestamps', 'prefix each line with the ISO time it was written')
      .option('--attempt <k>', 'the attempt to show (default: the final, or current, attempt)')
      .option('--follow', 'keep printing new lines (polling every 200 ms) until the task has finished')
      .option('--json', 'print [{ timestamp, stream, line }] (with --follow: one JSON object per line)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  flowtrail logs HelloFlow/2/hello/2                    standard output
  flowtrail logs HelloFlow/2/hello --both --timestamps  both streams, with times
  flowtrail logs ForeachFlow/3/score/4 --attempt 0 --stderr
  flowtrail logs SlowFlow/7/work/3 --follow             follow a running task until it ends`,
    )
    .action(
      async (
        pathspec: string,
        flags: {
          stderr?: boolean;
          both?: boolean;
          timestamps?: boolean;
          attempt?: string;
          follow?: boolean;
          json?: boolean;
        } & NamespaceFlags,
      ) => {
        const attempt = intOption('attempt', flags.attempt, 0);
        applyNamespace(flags);
        await printLogs(
          pathspec,
          {
            streams: flags.both ? 'both' : flags.stderr ? 'stderr' : 'stdout',
            timestamps: flags.timestamps ?? false,
            follow: flags.follow ?? false,
            json: flags.json ?? false,
            ...(attempt === undefined ? {} : { attempt }),
          },
          (text) => process.stdout.write(text),
          (text) => process.stderr.write(text),
        );
      },
    );

  withNamespaceOptions(
    program
      .command('dump')
      .description(
        'Print artifact values: every artifact of a task (or of a step with one task), or one artifact.',
      )
      .argument('<pathspec>', 'Flow/N/step/T, Flow/N/step (a single task) or Flow/N/step/T/name')
      .option(
        '--json',
        'print JSON; Map, Set, Date, BigInt, typed arrays and Buffers stay recognisable ($map, $set, $date, $bigint, $typedArray, $bytes)',
      )
      .option(
        '--max-length <n>',
        `cut each printed value (strings, base64 of bytes) at this many characters, 0 for no limit (default ${DEFAULT_MAX_LENGTH})`,
      ),
  )
    .addHelpText(
      'after',
      `
Examples:
  flowtrail dump HelloFlow/2/end/4               name = value for every artifact
  flowtrail dump HelloFlow/2/end/4/message       one value
  flowtrail dump TrainFlow/1/train/2/model --json --max-length 0`,
    )
    .action(async (pathspec: string, flags: { json?: boolean; maxLength?: string } & NamespaceFlags) => {
      const maxLength = intOption('max-length', flags.maxLength, 0) ?? DEFAULT_MAX_LENGTH;
      applyNamespace(flags);
      process.stdout.write(await dump(pathspec, { json: flags.json ?? false, maxLength }));
    });

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

  withNamespaceOptions(
    program
      .command('trail')
      .description(
        'The trigger chain through a run or an event, both ways: what started it (back to the first event) and every run it started.',
      )
      .argument('<target>', 'a run (ETLFlow/3) or an event id')
      .option('--json', 'print JSON'),
  ).action(async (target: string, flags: { json?: boolean } & NamespaceFlags) => {
    applyNamespace(flags);
    process.stdout.write(await trail(target, { json: flags.json ?? false }));
  });

  registerEventCommands(program);
  registerDeploymentCommands(program);
  registerServerCommands(program);
  return program;
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof FlowtrailError) {
      // The client's message speaks of namespace(null); on the command line that is an option.
      const hint =
        error.code === 'NAMESPACE_MISMATCH'
          ? ' (On the command line: --all-namespaces or --namespace NS.)'
          : '';
      process.stderr.write(`flowtrail: ${error.message}${hint} [${error.code}]\n`);
      return error.code === 'USAGE' ||
        error.code === 'INVALID_PARAMETER' ||
        error.code === 'VALIDATION' ||
        error.code === 'INVALID_TRIGGER'
        ? 2
        : 1;
    }
    process.stderr.write(`flowtrail: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
