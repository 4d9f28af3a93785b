import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleProgress } from '../../src/runtime/progress.ts';

function capture(live: boolean) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c) => {
    text += String(c);
  });
  return { progress: new ConsoleProgress(out, { live }), read: () => text };
}

describe('progress display', () => {
  it('on a terminal: a live block of per-step counts (done / running / failed), redrawn in place', async () => {
    const { progress, read } = capture(true);
    progress.runStarted('FanFlow/1', ['start', 'work', 'end']);
    progress.taskStarted('start', 1, 0);
    progress.taskFinished('start', 1, 'completed');
    for (let i = 2; i <= 4; i++) progress.taskStarted('work', i, 0);
    progress.taskFinished('work', 2, 'completed');
    progress.taskFinished('work', 3, 'failed', { type: 'Error', message: 'boom', stack: '' });
    await new Promise((r) => setTimeout(r, 120));
    const text = read();
    expect(text).toMatch(/start\s+1 done\s+0 running\s+0 failed/);
    expect(text).toMatch(/work\s+1 done\s+1 running\s+1 failed/);
    expect(text).toContain('[work/3] failed: Error: boom');
    progress.runFinished('FanFlow/1', 'failed', null);
    expect(read()).toContain('\x1b['); // cursor movement: the block is redrawn in place, not appended
    expect(read()).toContain('Run FanFlow/1 failed');
  });

  it('elsewhere: one plain timestamped line per event, no escape codes', () => {
    const { progress, read } = capture(false);
    progress.runStarted('FanFlow/1', ['start']);
    progress.taskStarted('start', 1, 0);
    progress.line('start', 1, 'stdout', 'hello');
    progress.taskFinished('start', 1, 'completed');
    progress.runFinished('FanFlow/1', 'completed', null);
    const lines = read().trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[2]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \[start\/1\] hello$/);
    expect(read()).not.toContain('\x1b[');
  });
});
