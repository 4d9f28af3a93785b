/**
 * Where a `flowtrail run` spends its time, printed to stderr when `FLOWTRAIL_TIMINGS=1`: marks
 * measured from process start (`performance.now()`), or from another origin (a triggered run in
 * the server: its event's arrival), plus time spent committing writes.
 */
export class RunTimings {
  private readonly marks: [string, number][] = [];
  private commitMs = 0;
  private commits = 0;
  private ops = 0;

  /** `origin`: where the marks count from, in `performance.now()` ms; `from` names it. */
  constructor(
    readonly enabled: boolean,
    private readonly origin = 0,
    private readonly from = 'process start',
  ) {}

  /** The first mark of each name counts; `at` (in `performance.now()` ms) when it was earlier than now. */
  mark(name: string, at = performance.now()): void {
    if (!this.enabled || this.marks.some(([n]) => n === name)) return;
    this.marks.push([name, at - this.origin]);
    this.marks.sort((a, b) => a[1] - b[1]);
  }

  /** One committed write batch of `ops` operations that took `ms`. */
  commit(ops: number, ms: number): void {
    this.commits++;
    this.ops += ops;
    this.commitMs += ms;
  }

  /** The report: each mark's time since process start and since the mark before it. */
  report(): string {
    const cpu = process.cpuUsage();
    let last = 0;
    const rows = this.marks.map(([name, at]) => {
      const row = `  ${name.padEnd(24)} ${at.toFixed(0).padStart(7)} ms  (+${(at - last).toFixed(0)} ms)`;
      last = at;
      return row;
    });
    rows.push(
      `  commits                  ${this.commitMs.toFixed(0).padStart(7)} ms  (${this.commits} transactions, ${this.ops} writes)`,
      `  total                    ${(performance.now() - this.origin).toFixed(0).padStart(7)} ms`,
      `  orchestrator             ${((cpu.user + cpu.system) / 1000).toFixed(0).padStart(7)} ms CPU, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
      `  memory now               ${memoryNow()}`,
    );
    return `flowtrail timings (from ${this.from}):\n${rows.join('\n')}\n`;
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Where the orchestrator's memory is at the report: RSS, the V8 heap, and what lives outside it. */
function memoryNow(): string {
  const m = process.memoryUsage();
  return `RSS ${mb(m.rss)}: V8 heap ${mb(m.heapUsed)} used of ${mb(m.heapTotal)}, external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)})`;
}

/** Timings for this process (or from another origin, see {@link RunTimings}): on with `FLOWTRAIL_TIMINGS=1`. */
export function runTimingsFromEnv(origin?: number, from?: string): RunTimings {
  return new RunTimings(process.env.FLOWTRAIL_TIMINGS === '1', origin, from);
}
