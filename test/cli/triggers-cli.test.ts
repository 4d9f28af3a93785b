import { describe, expect, it } from 'vitest';
import { tempHome } from '../../src/testing/index.ts';
import { example, fixture, runCliSync } from '../helpers.ts';

const cli = (args: string[], home: string) =>
  runCliSync(args, { ...process.env, FLOWTRAIL_HOME: home, FLOWTRAIL_USER: 'cli-tester' });

const json = <T>(text: string): T => JSON.parse(text) as T;

interface ShownRun {
  parameters: Record<string, unknown>;
  trigger: { type: string; name: string; id: string; pathspec: string | null }[];
}
const showRun = (pathspec: string, home: string): ShownRun =>
  json<ShownRun>(cli(['show', pathspec, '--json'], home).stdout);

describe('local trigger simulation', () => {
  it('--trigger-event emits the event, maps its payload to parameters and records it on the run', async () => {
    await using home = await tempHome();
    const r = cli(
      [
        'run',
        example('chain/etl.ts'),
        '--quiet',
        '--json',
        '--trigger-event',
        '{"event":"data_updated","payload":{"table":"orders"}}',
      ],
      home.path,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = { run: showRun('ETLFlow/1', home.path) };
    expect(result.run.parameters).toEqual({ table: 'orders' });
    expect(result.run.trigger).toEqual([
      expect.objectContaining({ type: 'event', name: 'data_updated', pathspec: null }),
    ]);
    // The event is in the feed, with the payload.
    const listed = cli(['events', 'list', '--event', 'data_updated', '--json'], home.path);
    const events = json<{ events: { id: string; payload: unknown }[] }>(listed.stdout).events;
    expect(events.map((e) => e.id)).toEqual([result.run.trigger[0]!.id]);
    expect(events[0]!.payload).toEqual({ table: 'orders' });
  });

  it('--trigger RUN records a successful upstream run; trail prints the chain both ways', async () => {
    await using home = await tempHome();
    expect(cli(['run', example('chain/etl.ts'), '--quiet'], home.path).code).toBe(0);
    const training = cli(
      ['run', example('chain/training.ts'), '--quiet', '--trigger', 'ETLFlow/1'],
      home.path,
    );
    expect(training.stderr).toBe('');
    const run = showRun('TrainingFlow/1', home.path);
    expect(cli(['show', 'TrainingFlow/1'], home.path).stdout).toMatch(/Triggered by:?\s+run ETLFlow\/1/);
    expect(run.trigger).toEqual([
      expect.objectContaining({ type: 'run', name: 'ETLFlow', pathspec: 'ETLFlow/1' }),
    ]);
    expect(
      cli(['run', example('chain/prediction.ts'), '--quiet', '--trigger', 'TrainingFlow/1'], home.path).code,
    ).toBe(0);

    const back = cli(['trail', 'PredictionFlow/1'], home.path);
    expect(back.stderr).toBe('');
    expect(back.stdout).toMatch(
      /Started by \(backwards\):\n\s+└─ run TrainingFlow\/1 \[completed\][^\n]*\n\s+└─ run ETLFlow\/1/,
    );
    expect(back.stdout).toMatch(/Started \(forwards\):\n\s+\(nothing\)/);
    const forward = cli(['trail', 'ETLFlow/1', '--json'], home.path);
    const tree = json<{ forward: { name: string; next: { name: string }[] }[] }>(forward.stdout).forward;
    expect(tree.map((n) => n.name)).toEqual(['TrainingFlow/1']);
    expect(tree[0]!.next.map((n) => n.name)).toEqual(['PredictionFlow/1']);
  });

  it('step code reads current.trigger (null when started by hand)', async () => {
    await using home = await tempHome();
    expect(cli(['run', fixture('current-trigger.ts'), '--quiet'], home.path).code).toBe(0);
    const r = cli(
      ['run', fixture('current-trigger.ts'), '--quiet', '--trigger-event', '{"event":"data_updated"}'],
      home.path,
    );
    expect(r.stderr).toBe('');
    const seenIn = (p: string) =>
      json<{ artifacts: { seen: Record<string, unknown> | null } }>(
        cli(['dump', p, '--json'], home.path).stdout,
      ).artifacts.seen;
    expect(seenIn('CurrentTriggerFlow/1/start')).toBeNull();
    const seen = seenIn('CurrentTriggerFlow/2/start')!;
    expect(seen).toMatchObject({ name: 'data_updated', type: 'event', byName: true });
    expect(showRun('CurrentTriggerFlow/2', home.path).trigger[0]!.id).toBe(seen.id);
  });

  it('refuses --trigger of a run that did not succeed, and bad --trigger-event JSON', async () => {
    await using home = await tempHome();
    const missing = cli(['run', example('chain/training.ts'), '--trigger', 'ETLFlow/9'], home.path);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--trigger ETLFlow\/9: there is no such run/);
    const bad = cli(['run', example('chain/etl.ts'), '--trigger-event', '{oops'], home.path);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--trigger-event is not JSON/);
  });
});

describe('deploy and deployments', () => {
  it('deploys, lists, shows, pauses, resumes and deletes; refuses a loop', async () => {
    await using home = await tempHome();
    const d = cli(['deploy', example('chain/etl.ts'), example('chain/training.ts')], home.path);
    expect(d.stderr).toBe('');
    expect(d.stdout).toMatch(
      /Deployed ETLFlow \(namespace production:etlflow-[0-9a-f]{8}\): starts on event data_updated\./,
    );
    expect(d.stdout).toMatch(/Deployed TrainingFlow .*starts on ETLFlow finishing\./);
    const list = cli(['deployments', 'list'], home.path);
    expect(list.stdout).toMatch(/ETLFlow\s+active\s+event data_updated/);
    const shown = cli(['deployments', 'show', 'ETLFlow'], home.path);
    expect(shown.stdout).toContain('table ← payload.table');
    expect(shown.stdout).toMatch(/event:data_updated\s+not yet/);
    expect(cli(['deployments', 'pause', 'ETLFlow'], home.path).stdout).toBe('Paused ETLFlow.\n');
    expect(
      json<{ status: string }[]>(cli(['deployments', 'list', '--json'], home.path).stdout)[0]!.status,
    ).toBe('paused');
    expect(cli(['deployments', 'resume', 'ETLFlow'], home.path).stdout).toBe('Resumed ETLFlow.\n');
    const again = cli(['deploy', example('chain/etl.ts')], home.path);
    expect(again.stdout).toMatch(/Re-deployed ETLFlow/);
    expect(cli(['deployments', 'delete', 'TrainingFlow'], home.path).code).toBe(0);
    const gone = cli(['deployments', 'show', 'TrainingFlow'], home.path);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/no deployment of 'TrainingFlow'/);
    expect(cli(['deploy', fixture('loop-a.ts')], home.path).code).toBe(0);
    const loop = cli(['deploy', fixture('loop-b.ts')], home.path);
    expect(loop.code).not.toBe(0);
    expect(loop.stderr).toMatch(/trigger itself in a loop/);
  });
});
