/**
 * One attempt's output on a `flowtrail worker`: lines numbered in arrival order and written to the
 * metadata store (the service, in remote mode) every 100 ms, the rest before the outcome is
 * reported, so an attempt's log is complete when the orchestrator records how it ended.
 */
import type { FlowtrailEvent } from '../../../events/model.ts';
import type { LogLine, LogStream } from '../../../store/metadata-store.ts';
import type { TaskWork, WireEvent } from '../../protocol.ts';
import type { WriteQueue } from '../../write-queue.ts';
import type { AttemptSink } from './attempt-process.ts';

const FLUSH_MS = 100;

export class AttemptLog implements AttemptSink {
  private pending: LogLine[] = [];
  private seq = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly writes: WriteQueue,
    private readonly runId: number,
    private readonly work: TaskWork,
  ) {
    this.timer = setInterval(() => this.push(), FLUSH_MS);
  }

  line(stream: LogStream, line: string, ts: number): void {
    this.pending.push({
      runId: this.runId,
      taskId: this.work.taskId,
      attempt: this.work.attempt,
      seq: this.seq++,
      stream,
      ts,
      line,
    });
  }

  /** An event of step code: committed before the step goes on (as in the local executor). */
  emit(event: WireEvent): Promise<void> {
    const revived = { ...event, occurred: new Date(event.occurred), received: new Date() } as FlowtrailEvent;
    return this.writes.pushAndWait({ op: 'events.append', events: [revived] });
  }

  private push(): void {
    if (this.pending.length === 0) return;
    this.writes.push({ op: 'logs.append', lines: this.pending });
    this.pending = [];
  }

  /** Writes what is left and waits for the commit. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const lines = this.pending;
    this.pending = [];
    // Lines pushed earlier are committed in order before (or with) these.
    if (lines.length > 0) await this.writes.pushAndWait({ op: 'logs.append', lines });
    else await this.writes.drain();
  }
}
