import type { ExceptionRecord } from '../core/errors.ts';
import type { LogStream } from '../store/metadata-store.ts';

export type TaskEnd = 'completed' | 'failed' | 'retrying' | 'caught' | 'cloned';

/** How a run reports what it does; the CLI picks a live TTY view or plain lines. */
export interface ProgressReporter {
  runStarted(pathspec: string, stepOrder: readonly string[]): void;
  taskStarted(step: string, taskId: number, attempt: number): void;
  taskFinished(step: string, taskId: number, end: TaskEnd, exception?: ExceptionRecord): void;
  line(step: string, taskId: number, stream: LogStream, line: string): void;
  runFinished(pathspec: string, status: string, error: ExceptionRecord | null): void;
}

export const silentProgress: ProgressReporter = {
  runStarted() {},
  taskStarted() {},
  taskFinished() {},
  line() {},
  runFinished() {},
};

interface StepCounts {
  done: number;
  running: number;
  failed: number;
}

const stamp = () => new Date().toISOString().slice(11, 23);

/**
 * Prints progress to a stream. On a TTY, a live block of per-step counts sits under the task output;
 * otherwise each event is a plain, timestamped line.
 */
export class ConsoleProgress implements ProgressReporter {
  private pathspec = '';
  private order: readonly string[] = [];
  private readonly counts = new Map<string, StepCounts>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly live: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream | NodeJS.WritableStream = process.stdout,
    options: { live?: boolean; showOutput?: boolean } = {},
  ) {
    this.live = options.live ?? ((out as NodeJS.WriteStream).isTTY === true && process.env.CI !== 'true');
    this.showOutput = options.showOutput ?? true;
  }

  private readonly showOutput: boolean;

  private countsOf(step: string): StepCounts {
    let c = this.counts.get(step);
    if (!c) {
      c = { done: 0, running: 0, failed: 0 };
      this.counts.set(step, c);
    }
    return c;
  }

  private write(text: string): void {
    this.clear();
    this.out.write(text);
    this.scheduleDraw();
  }

  runStarted(pathspec: string, stepOrder: readonly string[]): void {
    this.pathspec = pathspec;
    this.order = stepOrder;
    this.write(`${stamp()} Run ${pathspec} started\n`);
  }

  taskStarted(step: string, taskId: number, attempt: number): void {
    this.countsOf(step).running++;
    if (!this.live)
      this.out.write(`${stamp()} [${step}/${taskId}] started${attempt > 0 ? ` (retry ${attempt})` : ''}\n`);
    else this.scheduleDraw();
  }

  taskFinished(step: string, taskId: number, end: TaskEnd, exception?: ExceptionRecord): void {
    const c = this.countsOf(step);
    c.running = Math.max(0, c.running - 1);
    if (end === 'failed') c.failed++;
    else if (end !== 'retrying') c.done++;
    const why = exception ? `: ${exception.type}: ${exception.message}` : '';
    if (!this.live) this.out.write(`${stamp()} [${step}/${taskId}] ${end}${why}\n`);
    else if (end === 'failed' || end === 'retrying' || end === 'caught')
      this.write(`${stamp()} [${step}/${taskId}] ${end}${why}\n`);
    else this.scheduleDraw();
  }

  line(step: string, taskId: number, stream: LogStream, line: string): void {
    if (!this.showOutput) return;
    const text = `${stamp()} [${step}/${taskId}]${stream === 'stderr' ? ' (stderr)' : ''} ${line}\n`;
    if (this.live) this.write(text);
    else this.out.write(text);
  }

  runFinished(pathspec: string, status: string, error: ExceptionRecord | null): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
    if (this.live) this.draw(false);
    this.out.write(`${stamp()} Run ${pathspec} ${status}${error ? `: ${error.message}` : ''}\n`);
  }

  private scheduleDraw(): void {
    if (!this.live || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.clear();
      this.draw(true);
    }, 80);
  }

  private clear(): void {
    if (!this.live || this.drawn === 0) return;
    this.out.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }

  private draw(keep: boolean): void {
    const lines = this.order
      .filter((s) => this.counts.has(s))
      .map((s) => {
        const c = this.counts.get(s)!;
        return `  ${s.padEnd(16)} ${String(c.done).padStart(6)} done ${String(c.running).padStart(4)} running ${String(c.failed).padStart(4)} failed`;
      });
    const block = [`${this.pathspec}`, ...lines];
    this.out.write(`${block.join('\n')}\n`);
    this.drawn = keep ? block.length : 0;
  }
}
