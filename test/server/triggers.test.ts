/**
 * Deployments and the trigger engine of a real server (SQLite store), end to end: the seed's
 * ETL → Training → Prediction chain, several dependencies (AND), a payload missing a mapped
 * required parameter, and a restart mid-stream.
 */
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowtrailEvent } from '../../src/events/model.ts';
import { validateEvent } from '../../src/events/validate-event.ts';
import {
  defaultMetadata,
  defaultNamespace,
  Flow,
  metadata,
  namespace,
  Run,
  runsTriggeredBy,
} from '../../src/index.ts';
import { deployFlow } from '../../src/runtime/deploy.ts';
import type { RunRecord } from '../../src/store/metadata-store.ts';
import { runFlow } from '../../src/testing/index.ts';
import { example, fixture, repoRoot, runCli } from '../helpers.ts';
import { postgresTests } from '../store/postgres-test-db.ts';
import { postgresDatabases, startTestServer, type TestServer } from './server-fixture.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function deploy(t: TestServer, file: string, params: Record<string, unknown> = {}) {
  return deployFlow({
    file,
    params,
    home: t.dir,
    deployments: t.server.stores.deployments,
    artifacts: t.server.stores.artifacts,
  });
}

/** Waits until `flow` has `count` finished runs (or throws after `ms`). */
async function finishedRuns(t: TestServer, flow: string, count: number, ms = 60_000): Promise<RunRecord[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const runs = (await t.server.stores.metadata.listRuns(flow)).filter((r) => r.status !== 'running');
    if (runs.length >= count) return runs;
    if (Date.now() > deadline) throw new Error(`${flow} has ${runs.length} finished runs, expected ${count}`);
    await sleep(50);
  }
}

const emit = async (
  t: TestServer,
  event: string,
  payload: Record<string, unknown> = {},
): Promise<FlowtrailEvent> => {
  const e = validateEvent({ event, resource: { 'flowtrail.resource.id': `dataset.${event}` }, payload });
  await t.client('write').events.append([e]);
  return e;
};

describe('the seed walkthrough: ETLFlow → TrainingFlow → PredictionFlow', () => {
  let t: TestServer;
  let emitted: FlowtrailEvent;

  beforeAll(async () => {
    t = await startTestServer();
    for (const file of ['etl.ts', 'training.ts', 'prediction.ts']) await deploy(t, example(`chain/${file}`));
    emitted = await emit(t, 'data_updated', { table: 'orders' });
    await finishedRuns(t, 'PredictionFlow', 1);
    process.env.FLOWTRAIL_API_KEY = t.keys.read;
    metadata(t.server.url);
  }, 120_000);

  afterAll(async () => {
    defaultMetadata();
    defaultNamespace();
    delete process.env.FLOWTRAIL_API_KEY;
    await t.stop();
  });

  it('ran all three flows, in order, in the production namespace, with the mapped parameter', async () => {
    const [etl] = await t.server.stores.metadata.listRuns('ETLFlow');
    const [training] = await t.server.stores.metadata.listRuns('TrainingFlow');
    const [prediction] = await t.server.stores.metadata.listRuns('PredictionFlow');
    for (const r of [etl!, training!, prediction!]) expect(r.status).toBe('completed');
    expect(etl!.createdAt).toBeLessThanOrEqual(training!.createdAt);
    expect(training!.finishedAt!).toBeLessThanOrEqual(prediction!.createdAt);
    expect(etl!.params).toEqual({ table: 'orders' });
    const deployment = await t.server.stores.deployments.get('ETLFlow');
    expect(etl!.systemTags).toContain(`production:${deployment!.productionToken}`);
  });

  it('walks back from PredictionFlow to the ETL run in one await; its trigger is the emitted event', async () => {
    namespace(null);
    const etl = await Flow.get('PredictionFlow').latestRun.trigger.run.trigger.run;
    expect(etl.pathspec).toBe('ETLFlow/1');
    const trigger = (await etl.trigger)!;
    expect(trigger.event.name).toBe('data_updated');
    expect(trigger.event.id).toBe(emitted.id);
    expect(trigger.event.type).toBe('event');
    expect(trigger.event.timestamp).toEqual(emitted.occurred);
    expect(await trigger.event.payload).toEqual({ table: 'orders' });
    expect(await Run.get('ETLFlow/1').trigger.get('data_updated').id).toBe(emitted.id);
    // Lookup by flow name gives the upstream run's data.
    const weights = await Run.get('PredictionFlow/1').trigger.get('TrainingFlow').data.model;
    expect((weights as { weights: number[] }).weights).toEqual([0.5, 0.25]);
  });

  it('walks forwards from the event: it started all three runs', async () => {
    namespace(null);
    const chain: string[] = [];
    let refs = [emitted.id];
    while (refs.length > 0) {
      const next: string[] = [];
      for (const ref of refs)
        for (const run of await runsTriggeredBy(ref)) {
          chain.push(run.pathspec);
          next.push(run.pathspec);
        }
      refs = next;
    }
    expect(chain).toEqual(['ETLFlow/1', 'TrainingFlow/1', 'PredictionFlow/1']);
    expect((await (await Run.get('ETLFlow/1')).triggered()).map((r) => r.pathspec)).toEqual([
      'TrainingFlow/1',
    ]);
  });

  it('a run started by hand has no trigger', async () => {
    namespace(null);
    const run = await Run.get('ETLFlow/1');
    expect(await (await Run.get('PredictionFlow/1')).trigger).not.toBeNull();
    expect(run).toBeDefined();
  });
});

describe('several dependencies, failures and restarts', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('a flow with two event dependencies starts only when both arrived; lookup by each name works', async () => {
    await deploy(t, fixture('two-events.ts'));
    const a = await emit(t, 'prices_ready', { day: '2026-11-01' });
    await sleep(600);
    expect(await t.server.stores.metadata.listRuns('TwoEventsFlow')).toEqual([]);
    const arrivals = await t.server.stores.deployments.arrivals('TwoEventsFlow');
    expect(arrivals.map((x) => x.dependency)).toEqual(['event:prices_ready']);
    const b = await emit(t, 'volumes_ready', { day: '2026-11-01' });
    const [run] = await finishedRuns(t, 'TwoEventsFlow', 1);
    expect(run!.trigger.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
    expect(run!.params).toEqual({ day: '2026-11-01' });
    expect(await t.server.stores.deployments.arrivals('TwoEventsFlow')).toEqual([]);
    metadata(t.dir);
    try {
      namespace(null);
      const pathspec = `TwoEventsFlow/${run!.runNumber}`;
      expect(await Run.get(pathspec).trigger.get('prices_ready').id).toBe(a.id);
      expect(await Run.get(pathspec).trigger.get('volumes_ready').id).toBe(b.id);
      expect(await Run.get(pathspec).trigger.get('volumes_ready').payload).toEqual({ day: '2026-11-01' });
    } finally {
      defaultMetadata();
      defaultNamespace();
    }
  }, 60_000);

  it('a triggerOnFinish with two flows starts after both; the trigger exposes both runs by flow name', async () => {
    await deploy(t, fixture('two-flows.ts'));
    const hello = await runFlow({ file: example('hello.ts'), home: t.dir });
    await sleep(400);
    expect(await t.server.stores.metadata.listRuns('TwoFlowsFlow')).toEqual([]);
    const debug = await runFlow({ file: fixture('debug.ts'), home: t.dir });
    await finishedRuns(t, 'TwoFlowsFlow', 1);
    metadata(t.dir);
    try {
      namespace(null);
      const trigger = (await Run.get('TwoFlowsFlow/1').trigger)!;
      expect(trigger.events.map((e) => [e.type, e.name, e.pathspec])).toEqual([
        ['run', 'HelloFlow', hello.pathspec],
        ['run', 'DebugFlow', debug.pathspec],
      ]);
      expect((await trigger.runs).map((r) => r.pathspec)).toEqual([hello.pathspec, debug.pathspec]);
      expect((await Run.get('TwoFlowsFlow/1').trigger.get('DebugFlow').run).pathspec).toBe(debug.pathspec);
      expect(await Run.get('TwoFlowsFlow/1').trigger.get('HelloFlow').data.message).toBeDefined();
      await expect(Run.get('TwoFlowsFlow/1').trigger.get('NoSuchFlow')).rejects.toThrow(
        /was not triggered by 'NoSuchFlow'; it was triggered by: 'HelloFlow', 'DebugFlow'/,
      );
    } finally {
      defaultMetadata();
      defaultNamespace();
    }
  }, 60_000);

  it('a payload missing a mapped required parameter starts no run; the reason is an event and in deployments show', async () => {
    await deploy(t, fixture('required-param.ts'));
    const bad = await emit(t, 'report_requested', { other: 1 });
    const deadline = Date.now() + 20_000;
    let problem = (await t.server.stores.deployments.get('RequiredParamFlow'))!.lastProblem;
    while (!problem && Date.now() < deadline) {
      await sleep(50);
      problem = (await t.server.stores.deployments.get('RequiredParamFlow'))!.lastProblem;
    }
    expect(problem?.message).toMatch(/no payload field 'region'.*required parameter 'region'/);
    expect(problem?.eventId).toBe(bad.id);
    expect(await t.server.stores.metadata.listRuns('RequiredParamFlow')).toEqual([]);
    const { events } = await t.server.stores.events.query({
      event: { name: ['flowtrail.deployment.trigger_failed'] },
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ eventIds: [bad.id] });
    const [firing] = await t.server.stores.deployments.firings('RequiredParamFlow');
    expect(firing).toMatchObject({ status: 'failed' });
    // What `flowtrail deployments show` prints.
    const shown = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [
          path.join(repoRoot, 'bin/flowtrail.js'),
          'deployments',
          'show',
          'RequiredParamFlow',
          '--database',
          t.dir,
        ],
        { encoding: 'utf8', timeout: 60_000 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    expect(shown).toMatch(
      /Last problem \([^)]+\): Event 'report_requested' \([0-9a-f-]+\) has no payload field 'region'/,
    );
    expect(shown).toMatch(/failed\s+report_requested — Event 'report_requested'/);
    // A good payload then starts it, and clears the problem.
    await emit(t, 'report_requested', { region: 'emea' });
    const [run] = await finishedRuns(t, 'RequiredParamFlow', 1);
    expect(run!.params).toEqual({ region: 'emea' });
    expect((await t.server.stores.deployments.get('RequiredParamFlow'))!.lastProblem).toBeNull();
  }, 60_000);

  it('restarting the server mid-stream neither loses nor duplicates a triggered run', async () => {
    const dir = path.join(t.dir, 'restart');
    await fsp.mkdir(dir, { recursive: true });
    let server = await startTestServer({ dir });
    await deploy(server, fixture('two-events.ts'));
    const sent: string[] = [];
    // 6 pairs of events; the server is stopped and started again in the middle of them.
    for (let i = 0; i < 6; i++) {
      if (i === 3) {
        await server.server.close();
        // Events keep arriving while no engine runs (written straight to the store).
        for (const name of ['prices_ready', 'volumes_ready']) {
          const e = validateEvent({
            event: name,
            resource: { 'flowtrail.resource.id': 'x' },
            payload: { day: `d${i}` },
          });
          const { openSqliteStores } = await import('../../src/store/sql/sqlite/sqlite-stores.ts');
          const s = openSqliteStores(path.join(dir, 'flowtrail.db'));
          await s.events.append([e]);
          await s.metadata.close();
          sent.push(e.id);
        }
        server = await startTestServer({ dir });
        continue;
      }
      sent.push((await emit(server, 'prices_ready', { day: `d${i}` })).id);
      sent.push((await emit(server, 'volumes_ready', { day: `d${i}` })).id);
      await sleep(150);
    }
    const runs = await finishedRuns(server, 'TwoEventsFlow', 6);
    await sleep(500);
    const all = await server.server.stores.metadata.listRuns('TwoEventsFlow');
    expect(all).toHaveLength(6);
    expect(all.map((r) => r.params.day).sort()).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5']);
    const causes = all.flatMap((r) => r.trigger.map((c) => c.id));
    expect(new Set(causes).size).toBe(12);
    expect(new Set(causes)).toEqual(new Set(sent));
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    await server.server.close();
  }, 120_000);

  it('an arrival older than the reset window does not count towards the AND', async () => {
    await deploy(t, fixture('windowed.ts'));
    const old = validateEvent({
      event: 'left_ready',
      resource: { 'flowtrail.resource.id': 'left' },
      occurred: new Date(Date.now() - 10 * 60_000),
    });
    await t.client('write').events.append([old]);
    await emit(t, 'right_ready');
    await sleep(600);
    expect(await t.server.stores.metadata.listRuns('WindowedFlow')).toEqual([]);
    const fresh = await emit(t, 'left_ready');
    const [run] = await finishedRuns(t, 'WindowedFlow', 1);
    expect(run!.trigger.map((c) => c.name)).toEqual(['left_ready', 'right_ready']);
    expect(run!.trigger[0]!.id).toBe(fresh.id);
  }, 60_000);

  it('fires a schedule when it is due, once, and moves it to the next time', async () => {
    const { deployment } = await deploy(t, fixture('scheduled.ts'));
    expect(deployment.nextScheduledAt).toBeGreaterThan(Date.now());
    const due = Date.now() - 1000;
    await t.server.stores.deployments.setNextScheduledAt('ScheduledFlow', due);
    const [run] = await finishedRuns(t, 'ScheduledFlow', 1);
    expect(run!.trigger).toEqual([
      {
        type: 'event',
        name: 'flowtrail.schedule',
        id: `schedule-ScheduledFlow-${due}`,
        timestamp: due,
        pathspec: null,
      },
    ]);
    const next = (await t.server.stores.deployments.get('ScheduledFlow'))!.nextScheduledAt!;
    expect(next).toBeGreaterThan(Date.now());
    expect(new Date(next).toISOString()).toMatch(/^\d{4}-01-01T00:00:00\.000Z$/);
    await sleep(300);
    expect(await t.server.stores.metadata.listRuns('ScheduledFlow')).toHaveLength(1);
  }, 60_000);

  it('deploys through the service in remote mode (FLOWTRAIL_SERVICE_URL), and the server runs it', async () => {
    // Asynchronous: the server answering it lives in this very process.
    const cli = (args: string[], key: string) =>
      runCli(args, {
        ...process.env,
        FLOWTRAIL_SERVICE_URL: t.server.url,
        FLOWTRAIL_API_KEY: key,
        FLOWTRAIL_HOME: path.join(t.dir, 'client'),
      });
    const denied = await cli(['deploy', fixture('remote-deployed.ts')], t.keys.read);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/needs a 'write' key.*\[FORBIDDEN\]/);
    const deployed = await cli(['deploy', fixture('remote-deployed.ts')], t.keys.write);
    expect(deployed.stderr).toBe('');
    expect(deployed.stdout).toMatch(/Deployed RemoteDeployedFlow .*starts on event remote_ping/);
    expect(deployed.stdout).toContain(`service@${t.server.url}`);
    expect((await t.server.stores.deployments.get('RemoteDeployedFlow'))?.status).toBe('active');
    expect((await cli(['deployments', 'list'], t.keys.read)).stdout).toMatch(/RemoteDeployedFlow\s+active/);
    await emit(t, 'remote_ping');
    await finishedRuns(t, 'RemoteDeployedFlow', 1);
    expect((await cli(['deployments', 'show', 'RemoteDeployedFlow'], t.keys.read)).stdout).toMatch(
      /started\s+run #\d+ remote_ping/,
    );
    expect((await cli(['deployments', 'pause', 'RemoteDeployedFlow'], t.keys.write)).stdout).toBe(
      'Paused RemoteDeployedFlow.\n',
    );
    expect((await t.server.stores.deployments.get('RemoteDeployedFlow'))?.status).toBe('paused');
    expect((await cli(['deployments', 'delete', 'RemoteDeployedFlow'], t.keys.write)).code).toBe(0);
    expect(await t.server.stores.deployments.get('RemoteDeployedFlow')).toBeUndefined();
  }, 60_000);

  it('refuses a deployment that would trigger itself in a loop', async () => {
    await deploy(t, fixture('loop-a.ts'));
    await expect(deploy(t, fixture('loop-b.ts'))).rejects.toThrow(
      /LoopBFlow would make it trigger itself in a loop: LoopBFlow → LoopAFlow → LoopBFlow/,
    );
    expect(await t.server.stores.deployments.get('LoopBFlow')).toBeUndefined();
  });
});

postgresTests('triggers on PostgreSQL', (db) => {
  const freshDatabase = postgresDatabases(db);

  it('two servers on one database: exactly one engine works; the chain runs once; the other takes over', async () => {
    const database = freshDatabase();
    const shared = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-pg-triggers-'));
    const options = { database, artifacts: path.join(shared, 'artifacts'), triggerLeaseMs: 1000 };
    const a = await startTestServer(options);
    const b = await startTestServer(options);
    try {
      for (const file of ['etl.ts', 'training.ts', 'prediction.ts'])
        await deploy(a, example(`chain/${file}`));
      await sleep(300);
      const engines = [a.server.engine!, b.server.engine!];
      expect(engines.filter((e) => e.active)).toHaveLength(1);
      const first = await emit(b, 'data_updated', { table: 'first' });
      await finishedRuns(a, 'PredictionFlow', 1);
      // Exactly one run of each, whichever engine started them.
      for (const flow of ['ETLFlow', 'TrainingFlow', 'PredictionFlow'])
        expect(await a.server.stores.metadata.listRuns(flow)).toHaveLength(1);
      const [etl] = await a.server.stores.metadata.listRuns('ETLFlow');
      expect(etl!.trigger.map((c) => c.id)).toEqual([first.id]);
      const [prediction] = await a.server.stores.metadata.listRuns('PredictionFlow');
      expect(prediction!.trigger[0]!.pathspec).toBe('TrainingFlow/1');
      // Stop the working server: the other takes the lease over once it lapses.
      const [working, standby] = engines[0]!.active ? [a, b] : [b, a];
      await working.server.close();
      await sleep(1500);
      expect(standby.server.engine!.active).toBe(true);
      await emit(standby, 'data_updated', { table: 'second' });
      await finishedRuns(standby, 'PredictionFlow', 2);
      const etlRuns = await standby.server.stores.metadata.listRuns('ETLFlow');
      expect(etlRuns.map((r) => r.params.table)).toEqual(['second', 'first']);
    } finally {
      await a.server.close();
      await b.server.close();
      await fsp.rm(shared, { recursive: true, force: true });
    }
  }, 120_000);
});
