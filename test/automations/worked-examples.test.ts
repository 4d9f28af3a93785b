/**
 * The worked examples of docs/automations.md (`examples/automations/*.json`): each validates as it
 * is, and each fires on what its description says — and not otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createState } from '../../src/automations/trigger-evaluation.ts';
import { validateAutomation } from '../../src/automations/validate-automation.ts';
import { runEvent, taskEvent } from '../../src/events/lifecycle.ts';
import { repoRoot } from '../helpers.ts';
import { ev, feed, sec, T0, tick } from './helpers.ts';

const example = (name: string) =>
  validateAutomation(JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples/automations', name), 'utf8')));
const MIN = 60;

describe('worked examples', () => {
  it('a zombie task: started, no end within 10 minutes → fires once for that task', () => {
    const a = example('zombie-task.json');
    const run = { flow: 'TrainFlow', runNumber: 3, tags: [] };
    const done = { flow: 'TrainFlow', runNumber: 3, tags: [] };
    const state = createState(a, T0);
    feed(state, a, [
      taskEvent(run, 'train', 1, 'started', sec(0)),
      taskEvent(done, 'train', 2, 'started', sec(1)),
      taskEvent(done, 'train', 2, 'completed', sec(60)),
    ]);
    const fired = tick(state, a, sec(10 * MIN + 5));
    expect(fired.map((f) => f.labels['flowtrail.resource.id'])).toEqual([
      'flowtrail.task.TrainFlow/3/train/1',
    ]);
    // The cancel-run action finds the run among the event's related resources.
    expect(
      fired[0]!.event!.related.some((r) => r['flowtrail.resource.id'] === 'flowtrail.run.TrainFlow/3'),
    ).toBe(true);
    expect(tick(state, a, sec(30 * MIN))).toEqual([]);
  });

  it('a missed nightly run: fires for a day without NightlyFlow completing, not for a day with one', () => {
    const a = example('missed-nightly.json');
    const state = createState(a, T0);
    const night = { flow: 'NightlyFlow', runNumber: 1, tags: [] };
    feed(state, a, [runEvent(night, 'completed', sec(3 * 3600))]);
    expect(tick(state, a, sec(24 * 3600))).toEqual([]);
    // The next day nothing completes (another flow's run does not count).
    feed(state, a, [runEvent({ flow: 'OtherFlow', runNumber: 1, tags: [] }, 'completed', sec(30 * 3600))]);
    expect(tick(state, a, sec(48 * 3600))).toHaveLength(1);
  });

  it('both datasets refreshed within an hour → one firing; an hour and more apart → none', () => {
    const a = example('both-datasets.json');
    const refreshed = (id: string, at: number) =>
      ev('dataset.refreshed', at, { resource: { 'flowtrail.resource.id': id } });
    const state = createState(a, T0);
    expect(
      feed(state, a, [refreshed('dataset.prices', sec(0)), refreshed('dataset.volumes', sec(40 * MIN))]),
    ).toHaveLength(1);
    const late = createState(a, T0);
    expect(
      feed(late, a, [refreshed('dataset.prices', sec(0)), refreshed('dataset.volumes', sec(61 * MIN))]),
    ).toEqual([]);
  });
});
