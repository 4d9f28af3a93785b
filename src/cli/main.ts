/**
 * The `flowtrail` program: the top-level description and options, each command group from its
 * `register…Commands` module, and {@link main}, which turns what a command threw into one stderr
 * line and an exit code (`exit-codes.ts`).
 */
import { Command, CommanderError } from 'commander';
import { FlowtrailError } from '../core/errors.ts';
import { FLOWTRAIL_VERSION } from '../core/version.ts';
import { registerAutomationCommands } from './automations.ts';
import { registerCancelCommand } from './cancel-command.ts';
import { registerDeploymentCommands } from './deployments.ts';
import { registerEventCommands } from './events.ts';
import { EXIT_FAILED, exitCodeOf } from './exit-codes.ts';
import { registerInitCommand } from './init-command.ts';
import { registerInspectCommands } from './inspect-commands.ts';
import { registerRunCommands } from './run-commands.ts';
import { registerSecretCommands } from './secrets.ts';
import { registerServerCommands } from './server.ts';
import { registerTagCommands } from './tags.ts';
import { registerWorkerCommand } from './worker-command.ts';

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('flowtrail')
    .description(
      'Flowtrail: TypeScript workflows for data and ML pipelines.\n\n' +
        'Start a project with init. Run flows with run/resume, stop one with cancel; inspect what they stored with show, logs, dump and tag. The read commands ' +
        'see your own runs (namespace user:<you>) unless given --namespace NS or --all-namespaces. ' +
        'Emit, list, tail and count events with events. Serve all of it over HTTP with server; point clients and runs at a ' +
        'server with FLOWTRAIL_SERVICE_URL (and FLOWTRAIL_API_KEY).',
    )
    .version(FLOWTRAIL_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  registerInitCommand(program);
  registerRunCommands(program, setExit);
  registerCancelCommand(program, setExit);
  registerInspectCommands(program);
  registerTagCommands(program);
  registerEventCommands(program);
  registerDeploymentCommands(program);
  registerAutomationCommands(program);
  registerSecretCommands(program);
  registerServerCommands(program);
  registerWorkerCommand(program);
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
    if (error instanceof FlowtrailError) {
      // The client's message speaks of namespace(null); on the command line that is an option.
      const hint =
        error.code === 'NAMESPACE_MISMATCH'
          ? ' (On the command line: --all-namespaces or --namespace NS.)'
          : '';
      process.stderr.write(`flowtrail: ${error.message}${hint} [${error.code}]\n`);
    } else if (!(error instanceof CommanderError)) {
      process.stderr.write(`flowtrail: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
      return EXIT_FAILED;
    }
    return exitCodeOf(error);
  }
}
