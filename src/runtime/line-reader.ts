import { END_OF_TASK_MARK } from './protocol.ts';

/** Splits a stream's text into lines, and notices the end-of-task mark. */
export class LineReader {
  private buffer = '';
  private bufferTs = 0;
  constructor(
    private readonly emit: (line: string, ts: number) => void,
    private readonly onMark: () => void = () => {},
  ) {}

  /** `ts` is when the chunk was written (its first unfinished line keeps the earliest time). */
  push(chunk: string, ts: number): void {
    if (this.buffer.length === 0) this.bufferTs = ts;
    this.buffer += chunk;
    for (;;) {
      const nl = this.buffer.indexOf('\n');
      if (nl < 0) break;
      const line = this.buffer.slice(0, nl);
      const lineTs = this.bufferTs;
      this.buffer = this.buffer.slice(nl + 1);
      this.bufferTs = ts;
      const mark = line.indexOf(END_OF_TASK_MARK);
      if (mark >= 0) {
        // Output without a final newline ends just before the mark.
        if (mark > 0) this.emit(line.slice(0, mark), lineTs);
        this.onMark();
      } else {
        this.emit(line, lineTs);
      }
    }
  }

  /** Emits what is left (end of a task, or the worker died mid-line). */
  flush(): void {
    if (this.buffer.length > 0) this.emit(this.buffer, this.bufferTs);
    this.buffer = '';
  }
}
