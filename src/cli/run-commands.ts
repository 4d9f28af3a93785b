/**
 * `flowtrail run FILE` and `flowtrail resume [RUN]`: start or resume a run in this process and report
 * its outcome (exit 0 when it completed, 1 when it failed, 3 when it was cancelled).
 */
import type { Command } from 'commander';
import type { EventInput } from '../events/model.ts';
import type { RunResult } from '../runtime/execute-run.ts';
import { ConsoleProgress, silentProgress } from '../runtime/progress.ts';
import { resumeRun } from '../runtime/resume-run.ts';
import { runFlow } from '../runtime/run-flow.ts';
import { parseTriggerEventJson } from '../runtime/trigger-causes.ts';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK } from './exit-codes.ts';
import { intOption } from './format.ts';
import { parseParamWords } from './params.ts';
import { executorSpecOf } from './queue-flags.ts';

interface CommonRunFlags {
  maxWorkers?: string;
  maxNumSplits?: string;
  isolate?: boolean;
  executor?: string;
  queue?: string;
  quiet?: boolean;
  json?: boolean;
}

function executionOptions(flags: CommonRunFlags, onJson: boolean) {
  return {
    maxWorkers: intOption('max-workers', flags.maxWorkers, 1),
    maxNumSplits: intOption('max-num-splits', flags.maxNumSplits, 1),
    isolate: flags.isolate ?? false,
    executor: executorSpecOf(flags.executor, flags.queue),
    progress: flags.quiet || onJson ? silentProgress : new ConsoleProgress(process.stdout),
  };
}

function report(result: RunResult, json: boolean): number {
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ pathspec: result.pathspec, status: result.status, runNumber: result.run.runNumber, error: result.error })}\n`,
    );
  }
  if (result.status === 'cancelled') return EXIT_CANCELLED;
  return result.status === 'completed' ? EXIT_OK : EXIT_FAILED;
}

/** Adds `run` and `resume`; `setExit` receives the run's exit code. */
export function registerRunCommands(program: Command, setExit: (code: number) => void): void {
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
    .option('--executor <kind>', 'where tasks run: local (worker processes here, the default) or queue')
    .option(
      '--queue <url>',
      'the Redis of the queue executor (redis://host:port); tasks run on `flowtrail worker`s',
    )
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
    .description(
      'Resume a failed, crashed or cancelled run: successful tasks are cloned, the rest runs again.',
    )
    .argument('[run]', 'Flow/N (default: the latest run)')
    .option('--step <step>', 're-run this step and everything after it')
    .option('--file <file>', 'the flow file (default: the file the run recorded)')
    .option('--max-workers <n>', 'most worker processes at once (default 16)')
    .option('--max-num-splits <n>', 'most tasks a foreach may fan out to (default 100)')
    .option('--isolate', 'run every task in its own process')
    .option('--executor <kind>', 'where tasks run: local (worker processes here, the default) or queue')
    .option(
      '--queue <url>',
      'the Redis of the queue executor (redis://host:port); tasks run on `flowtrail worker`s',
    )
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
}
