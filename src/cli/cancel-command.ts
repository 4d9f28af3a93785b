/**
 * `flowtrail cancel RUN`: cancels a running run through the client API (`run.cancel()`), waiting
 * until it has ended unless `--no-wait`. Exit 0 once cancelled (or already cancelled, or with
 * `--no-wait` once requested), 1 when the run had already ended otherwise, ended some other way
 * meanwhile or did not end within the wait (90 s), 2 for a pathspec that is not `Flow/N`.
 */
import type { Command } from 'commander';
import { Run } from '../client/objects.ts';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.ts';
import { applyNamespace, jsonText, type NamespaceFlags, withNamespaceOptions } from './format.ts';

interface CancelFlags extends NamespaceFlags {
  reason?: string;
  /** False with `--no-wait`. */
  wait: boolean;
  json?: boolean;
}

/** The line `cancel` prints for what happened. */
function outcomeLine(pathspec: string, outcome: string, status: string, waited: boolean): string {
  if (outcome === 'already-cancelled') return `Run ${pathspec} was already cancelled.`;
  if (status === 'cancelled')
    return `Run ${pathspec} cancelled${outcome === 'applied' ? ' (its orchestrator was gone)' : ''}. Finish it later with: flowtrail resume ${pathspec}`;
  if (status === 'running')
    return waited
      ? `Cancel of ${pathspec} requested, but it is still running; its orchestrator has not stopped it yet.`
      : `Cancel of ${pathspec} requested; its orchestrator stops it.`;
  return `Run ${pathspec} ${status} before the cancel took effect.`;
}

/** Adds `cancel`; `setExit` receives its exit code. */
export function registerCancelCommand(program: Command, setExit: (code: number) => void): void {
  withNamespaceOptions(
    program
      .command('cancel')
      .description(
        'Cancel a running run: running tasks are stopped, pending ones never start, and the run ends cancelled (resume can finish it).',
      )
      .argument('<run>', 'Flow/N')
      .option('--reason <text>', 'why, recorded on the run and in its flowtrail.run.cancelled event')
      .option('--no-wait', 'return once the cancel is recorded, without waiting for the run to end')
      .option('--json', 'print { pathspec, outcome, status } as JSON'),
  )
    .addHelpText(
      'after',
      `
Exit status: 0 cancelled (or already cancelled; with --no-wait: requested), 1 the run had already
ended (completed, failed, crashed), ended otherwise meanwhile or did not end within 90 s, 2 not a
run pathspec.

Examples:
  flowtrail cancel TrainFlow/3 --reason "wrong input data"
  flowtrail cancel TrainFlow/3 --no-wait`,
    )
    .action(async (pathspec: string, flags: CancelFlags) => {
      applyNamespace(flags);
      const { outcome, run } = await Run.get(pathspec).cancel({
        wait: flags.wait,
        ...(flags.reason !== undefined ? { reason: flags.reason } : {}),
      });
      process.stdout.write(
        flags.json
          ? jsonText({ pathspec: run.pathspec, outcome, status: run.status })
          : `${outcomeLine(run.pathspec, outcome, run.status, flags.wait)}\n`,
      );
      const ok = run.status === 'cancelled' || (run.status === 'running' && !flags.wait);
      setExit(ok ? EXIT_OK : EXIT_FAILED);
    });
}
