import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFlow, tempHome } from '../../src/testing/index.ts';
import { fixture, readHome, withEnv } from '../helpers.ts';

describe('task logs', () => {
  it('stores stdout and stderr lines in order with timestamps, readable while the task runs', async () => {
    await using home = await tempHome();
    const gate = path.join(home.path, 'gate');
    await using stores = readHome(home.path);
    const running = withEnv({ LOG_GATE_FILE: gate }, () =>
      runFlow({ file: fixture('logs.ts'), home: home.path }),
    );
    // While the task waits at the gate, its first lines are already in the store.
    let early: string[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const run = await stores.metadata.latestRun({ flow: 'LogsFlow' });
      const task = run && (await stores.metadata.listTasks(run.id, { step: 'start' }))[0];
      if (run && task) {
        early = (await stores.metadata.readLogs(run.id, task.taskId, { attempt: 0 })).map((l) => l.line);
        if (early.length >= 3) {
          expect(task.status).toBe('running');
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(early).toEqual([
      'first line: héllo wörld 🌍',
      'an error line: ошибка',
      'no newline at first... then the rest',
    ]);
    fs.writeFileSync(gate, '');
    const result = await running;
    expect(result.status).toBe('completed');
    const task = (await stores.metadata.listTasks(result.run.id, { step: 'start' }))[0]!;
    const lines = await stores.metadata.readLogs(result.run.id, task.taskId);
    expect(lines.map((l) => [l.stream, l.line])).toEqual([
      ['stdout', 'first line: héllo wörld 🌍'],
      ['stderr', 'an error line: ошибка'],
      ['stdout', 'no newline at first... then the rest'],
      ...[0, 1, 2, 3, 4].map((i) => ['stdout', `line ${i}`]),
      ['stdout', 'trailing without newline'],
    ]);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i));
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.ts).toBeGreaterThanOrEqual(lines[i - 1]!.ts);
    expect(lines[0]!.ts).toBeGreaterThanOrEqual(result.run.createdAt);
    const stderr = await stores.metadata.readLogs(result.run.id, task.taskId, { stream: 'stderr' });
    expect(stderr.map((l) => l.line)).toEqual(['an error line: ошибка']);
  });
});
