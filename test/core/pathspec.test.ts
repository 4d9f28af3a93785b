import { describe, expect, it } from 'vitest';
import {
  childPathspec,
  flowOfPathspec,
  formatPathspec,
  PATHSPEC_LEVELS,
  parsePathspec,
  pathspecLevel,
  runPathspec,
  stepPathspec,
  taskPathspec,
} from '../../src/core/pathspec.ts';

describe('pathspec builders', () => {
  it('build run, step, task and child pathspecs', () => {
    expect(runPathspec('ETLFlow', 3)).toBe('ETLFlow/3');
    expect(stepPathspec('ETLFlow', 3, 'start')).toBe('ETLFlow/3/start');
    expect(taskPathspec('ETLFlow', 3, 'start', 12)).toBe('ETLFlow/3/start/12');
    expect(childPathspec('ETLFlow/3/start/12', 'message')).toBe('ETLFlow/3/start/12/message');
    expect(childPathspec('ETLFlow', 4)).toBe('ETLFlow/4');
  });

  it('formats every level and round-trips through parsePathspec', () => {
    for (const pathspec of [
      'HelloFlow',
      'HelloFlow/2',
      'HelloFlow/2/start',
      'HelloFlow/2/start/1',
      'HelloFlow/2/start/1/x',
    ]) {
      const parsed = parsePathspec(pathspec);
      expect(formatPathspec(parsed)).toBe(pathspec);
      expect(pathspecLevel(parsed)).toBe(PATHSPEC_LEVELS[pathspec.split('/').length - 1]);
    }
    expect(formatPathspec({ flow: 'F', run: 0, step: 's', task: 0 })).toBe('F/0/s/0');
  });

  it('reads the flow of a pathspec', () => {
    expect(flowOfPathspec('ETLFlow/3')).toBe('ETLFlow');
    expect(flowOfPathspec('ETLFlow')).toBe('ETLFlow');
    expect(flowOfPathspec('ETLFlow/3/start/1')).toBe('ETLFlow');
  });
});
