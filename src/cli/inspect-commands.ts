/**
 * The read commands: `flowtrail show` (a flow file, or what is stored for a pathspec), `logs`, `dump`
 * and `trail`. Each reads through the client API in the namespace the flags choose.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.ts';
import { DEFAULT_MAX_LENGTH, dump } from './dump.ts';
import { applyNamespace, intOption, type NamespaceFlags, withNamespaceOptions } from './format.ts';
import { printLogs } from './logs.ts';
import { showFlowFile } from './show-flow.ts';
import { showPathspec } from './show-pathspec.ts';
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

/** Adds `show`, `logs`, `dump` and `trail`. */
export function registerInspectCommands(program: Command): void {
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
}
