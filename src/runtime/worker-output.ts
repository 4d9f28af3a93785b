/** A worker's stdout and stderr: JavaScript writes go over IPC, in order; marks end each task. */
import { END_OF_TASK_MARK } from './protocol.ts';
import { sendToOrchestrator as send } from './worker-channel.ts';

/**
 * Routes JavaScript writes to stdout/stderr through IPC, so lines keep their order across the two
 * streams and their write time. Writes that bypass these methods (native code, child processes)
 * still reach the orchestrator through the pipes.
 */
export function forwardOutput(): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const target = process[stream];
    const original = target.write.bind(target);
    const forward = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const cb = typeof encoding === 'function' ? encoding : callback;
      if (!process.connected) return original(chunk as string, encoding as BufferEncoding, cb as () => void);
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      send({ type: 'output', stream, text, ts: Date.now() });
      if (typeof cb === 'function') queueMicrotask(() => (cb as () => void)());
      return true;
    };
    target.write = forward as typeof target.write;
    marks[stream] = () => original(`${END_OF_TASK_MARK}\n`);
  }
}

const marks: Record<'stdout' | 'stderr', () => void> = { stdout: () => {}, stderr: () => {} };

/** Writes the end-of-task mark to both raw pipes (synchronous on POSIX). */
export function writeEndOfTaskMarks(): void {
  marks.stdout();
  marks.stderr();
}
