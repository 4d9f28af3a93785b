/**
 * `flowtrail logs PATHSPEC`: a task's stdout, stderr or both, from the client API, optionally
 * followed while the task runs.
 */

import { setTimeout as delay } from 'node:timers/promises';
import { Task } from '../client/objects.ts';
import type { LogLineView } from '../client/types.ts';
import type { LogStream } from '../store/metadata-store.ts';
import { pathspecLevel, resolveTask } from './targets.ts';

export interface LogsOptions {
  /** Which streams to print. */
  streams: 'stdout' | 'stderr' | 'both';
  timestamps: boolean;
  /** Pin an attempt (default: the task's final, or current, attempt). */
  attempt?: number;
  follow: boolean;
  json: boolean;
  /** How often `follow` polls, in milliseconds. */
  pollMs?: number;
}

const POLL_MS = 200;

function wanted(options: LogsOptions, stream: LogStream): boolean {
  return options.streams === 'both' || options.streams === stream;
}

function formatLine(l: LogLineView, options: LogsOptions): string {
  const time = options.timestamps ? `${l.timestamp.toISOString()} ` : '';
  const stream = options.streams === 'both' ? `[${l.stream}] ` : '';
  return `${time}${stream}${l.line}\n`;
}

const jsonLine = (l: LogLineView) =>
  JSON.stringify({ timestamp: l.timestamp.toISOString(), stream: l.stream, line: l.line });

/** Prints the log lines of one task; with `follow`, keeps printing new lines until the task has finished. */
export async function printLogs(
  pathspec: string,
  options: LogsOptions,
  out: (text: string) => void,
  note: (text: string) => void,
): Promise<void> {
  const task = await resolveTask('logs', pathspec, pathspecLevel(pathspec), options.attempt);
  if (!options.follow) {
    const lines = (await task.loglines()).filter((l) => wanted(options, l.stream));
    if (options.json)
      out(lines.length === 0 ? '[]\n' : `[\n${lines.map((l) => `  ${jsonLine(l)}`).join(',\n')}\n]\n`);
    else out(lines.map((l) => formatLine(l, options)).join(''));
    return;
  }
  await follow(task, options, out, note);
}

/**
 * Polls the task (and its run) every `pollMs` and prints the lines it has not printed yet, by their
 * position in the attempt's ordered log. The task's state is read *before* its lines, so once a
 * finished state is seen, every line of the attempt is already stored and printed: then it returns.
 * When a retry starts a new attempt, the rest of the old attempt is printed, then the new one.
 * With `json`, each line is printed as one JSON object per line (NDJSON).
 */
async function follow(
  first: Task,
  options: LogsOptions,
  out: (text: string) => void,
  note: (text: string) => void,
): Promise<void> {
  const pathspec = first.pathspec;
  const pinned = options.attempt === undefined ? {} : { attempt: options.attempt };
  const print = (lines: readonly LogLineView[]) => {
    const shown = lines.filter((l) => wanted(options, l.stream));
    if (shown.length === 0) return;
    out(shown.map((l) => (options.json ? `${jsonLine(l)}\n` : formatLine(l, options))).join(''));
  };
  let task = first;
  let attempt = task.attempt;
  // The last line printed; each poll reads only what came after it.
  let lastSeq = -1;
  const printNew = async (t: Task) => {
    const lines = await t.loglines(undefined, { afterSeq: lastSeq });
    print(lines);
    if (lines.length > 0) lastSeq = lines[lines.length - 1]!.seq;
  };
  for (;;) {
    if (task.attempt !== attempt) {
      await printNew(await Task.get(pathspec, { attempt }));
      note(`flowtrail: attempt ${attempt} of ${pathspec} ended; following attempt ${task.attempt}.\n`);
      attempt = task.attempt;
      lastSeq = -1;
    }
    await printNew(task);
    const run = await (await task.parent).parent;
    if (task.finished) return;
    if (options.attempt !== undefined) {
      const mine = (await task.attempts).find((a) => a.attempt === options.attempt);
      if (mine?.finishedAt) return;
    }
    if (run.finished) {
      note(`flowtrail: run ${run.pathspec} is ${run.status}; task ${pathspec} will not finish.\n`);
      return;
    }
    await delay(options.pollMs ?? POLL_MS);
    task = await Task.get(pathspec, pinned);
  }
}
