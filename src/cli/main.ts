import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { FlowtrailError, UsageError } from '../core/errors.ts';
import { FLOWTRAIL_VERSION } from '../runtime/environment-info.ts';
import { ConsoleProgress, silentProgress } from '../runtime/progress.ts';
import { type RunResult, resumeRun, runFlow } from '../runtime/run-flow.ts';
import { showFlowFile } from './show-flow.ts';

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

/** Splits `--name value` / `--name=value` / `--flag` words that commander left over into parameters. */
export function parseParamWords(words: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('--') || w === '--')
      throw new UsageError(`Unexpected argument '${w}'. Parameters are given as --name value.`);
    const eq = w.indexOf('=');
    if (eq > 0) {
      params[w.slice(2, eq)] = w.slice(eq + 1);
    } else {
      const next = words[i + 1];
      if (next === undefined || next.startsWith('--')) params[w.slice(2)] = '';
      else {
        params[w.slice(2)] = next;
        i++;
      }
    }
  }
  return params;
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
    .description('Flowtrail: TypeScript workflows for data and ML pipelines')
    .version(FLOWTRAIL_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('run')
    .description('Run a flow file. Flow parameters are passed as --name value.')
    .argument('<file>', 'the flow file (.ts)')
    .option('--flow <name>', 'the flow class to run when the file exports several')
    .option('--tag <tag...>', 'user tags for the run')
    .option('--max-workers <n>', 'most worker processes at once (default 16)')
    .option('--max-num-splits <n>', 'most tasks a foreach may fan out to (default 100)')
    .option('--isolate', 'run every task in its own process')
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print the result as JSON')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (file: string, flags: CommonRunFlags & { flow?: string; tag?: string[] }, cmd: Command) => {
      const params = parseParamWords(cmd.args.slice(1));
      const result = await runFlow({
        file,
        ...(flags.flow ? { flowName: flags.flow } : {}),
        params,
        paramsFromText: true,
        tags: flags.tag ?? [],
        ...executionOptions(flags, flags.json ?? false),
      });
      setExit(report(result, flags.json ?? false));
    });

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

  program
    .command('show')
    .description('Show a flow file: its graph, parameters and triggers.')
    .argument('<target>', 'a flow file')
    .option('--flow <name>', 'the flow class when the file exports several')
    .option('--json', 'print as JSON')
    .action(async (target: string, flags: { flow?: string; json?: boolean }) => {
      if (!fs.existsSync(target))
        throw new UsageError(
          `'${target}' is not a flow file. (Showing runs by pathspec comes with the client API.)`,
        );
      process.stdout.write(await showFlowFile(target, flags.flow, flags.json ?? false));
    });
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
      process.stderr.write(`flowtrail: ${error.message} [${error.code}]\n`);
      return error.code === 'USAGE' || error.code === 'INVALID_PARAMETER' || error.code === 'VALIDATION'
        ? 2
        : 1;
    }
    process.stderr.write(`flowtrail: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
