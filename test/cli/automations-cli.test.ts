/**
 * `flowtrail automations …` and `flowtrail secrets …`: spawned `bin/flowtrail.js` against a
 * temporary home (a deployment and an event written straight into its store), and once against a
 * server (`FLOWTRAIL_SERVICE_URL`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths } from '../../src/core/config.ts';
import type { FlowtrailEvent } from '../../src/events/model.ts';
import { validateEvent } from '../../src/events/validate-event.ts';
import type { AutomationRecord, FiringHistoryEntry } from '../../src/store/automation-store.ts';
import { openDatabaseStores } from '../../src/store/open.ts';
import { type TempHome, tempHome } from '../../src/testing/index.ts';
import { deploymentRecord } from '../automations/deployment-record.ts';
import { type CliResult, runCli } from '../helpers.ts';
import { startTestServer } from '../server/server-fixture.ts';

let home: TempHome;
let event: FlowtrailEvent;
let file: string;

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  FLOWTRAIL_HOME: home.path,
  FLOWTRAIL_USER: 'tester',
  FLOWTRAIL_SERVICE_URL: '',
  ...extra,
});
const cli = (args: string[], extra?: NodeJS.ProcessEnv): Promise<CliResult> => runCli(args, env(extra));

async function json<T>(args: string[], extra?: NodeJS.ProcessEnv): Promise<T> {
  const r = await cli([...args, '--json'], extra);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** A call that must fail with exit 2 and one stderr line naming `field`. */
async function invalid(args: string[], field: string): Promise<string> {
  const r = await cli(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(field);
  return lines[0]!;
}

const automationJson = (extra: Record<string, unknown> = {}) => ({
  name: 'retry failed nightly',
  trigger: {
    type: 'event',
    expect: ['flowtrail.run.failed'],
    match: { 'flowtrail.resource.id': 'flowtrail.run.NightlyFlow/*' },
  },
  actions: [{ type: 'run-deployment', deployment: 'NightlyFlow' }],
  ...extra,
});

async function writeJson(name: string, value: unknown): Promise<string> {
  const p = path.join(home.path, name);
  await fs.writeFile(p, JSON.stringify(value));
  return p;
}

beforeAll(async () => {
  home = await tempHome();
  const stores = await openDatabaseStores({ kind: 'sqlite', file: homePaths(home.path).database });
  await stores.deployments.upsert(deploymentRecord('NightlyFlow'));
  event = validateEvent({
    event: 'dataset.refreshed',
    resource: { 'flowtrail.resource.id': 'dataset.sales', 'flowtrail.resource.name': 'sales' },
  });
  await stores.events.append([event]);
  await stores.close();
  file = await writeJson('retry.json', automationJson());
});
afterAll(async () => {
  await home?.[Symbol.asyncDispose]();
});

describe('flowtrail automations (a home)', () => {
  it('create FILE, show, list, disable, enable, history, delete', async () => {
    const created = await cli(['automations', 'create', file]);
    expect(created.code, created.stderr).toBe(0);
    const id =
      /automation (\S+) 'retry failed nightly' \(enabled\): flowtrail\.run\.failed on flowtrail\.run\.NightlyFlow\/\*/.exec(
        created.stdout,
      )?.[1];
    expect(id, created.stdout).toBeDefined();

    const shown = await json<AutomationRecord>(['automations', 'show', id!]);
    expect(shown).toMatchObject({ id, name: 'retry failed nightly', enabled: true });
    const text = await cli(['automations', 'show', id!]);
    expect(text.stdout).toContain('run deployment NightlyFlow');

    expect((await json<AutomationRecord>(['automations', 'disable', id!])).enabled).toBe(false);
    const listed = await cli(['automations', 'list', '--disabled']);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+retry failed nightly\\s+disabled`));
    expect((await cli(['automations', 'enable', id!])).stdout).toContain(`Enabled automation ${id}`);
    expect((await json<AutomationRecord[]>(['automations', 'list', '--unowned'])).map((a) => a.id)).toContain(
      id,
    );
    expect(await json<FiringHistoryEntry[]>(['automations', 'history', id!, '--limit', '5'])).toEqual([]);
    expect((await cli(['automations', 'history', id!])).stdout).toContain('has not fired yet');

    expect((await cli(['automations', 'delete', id!])).stdout).toBe(`Deleted automation ${id}.\n`);
    const gone = await cli(['automations', 'show', id!]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/There is no automation .* \[NOT_FOUND\]/);
  });

  it('create --from-event: a trigger on the event; --absence --within: on its absence', async () => {
    const drafted = await json<AutomationRecord>(['automations', 'create', '--from-event', event.id]);
    expect(drafted).toMatchObject({
      name: 'dataset.refreshed on sales',
      trigger: {
        match: { 'flowtrail.resource.id': 'dataset.sales' },
        expect: ['dataset.refreshed'],
        posture: 'reactive',
      },
      actions: [{ type: 'do-nothing' }],
    });
    const actions = await writeJson('actions.json', [{ type: 'run-deployment', deployment: 'NightlyFlow' }]);
    const absent = await json<AutomationRecord>([
      'automations',
      'create',
      '--from-event',
      event.id,
      '--absence',
      '--within',
      '10m',
      '--name',
      'sales went quiet',
      '--actions',
      actions,
    ]);
    expect(absent).toMatchObject({
      name: 'sales went quiet',
      trigger: { posture: 'proactive', withinMs: 600_000 },
      actions: [{ type: 'run-deployment', deployment: 'NightlyFlow' }],
    });
  });

  it('bad input exits 2 naming the field', async () => {
    await invalid(
      [
        'automations',
        'create',
        await writeJson('bad-type.json', automationJson({ trigger: { type: 'metric' } })),
      ],
      'trigger.type',
    );
    await invalid(
      [
        'automations',
        'create',
        await writeJson(
          'bad-dep.json',
          automationJson({ actions: [{ type: 'run-deployment', deployment: 'Nope' }] }),
        ),
      ],
      'actions[0].deployment',
    );
    await invalid(
      ['automations', 'create', '--from-event', event.id, '--absence', '--within', '5s'],
      'trigger.within',
    );
    await invalid(['automations', 'create', '--from-event', event.id, '--absence'], '--within');
    await invalid(['automations', 'create'], 'FILE');
    await invalid(['automations', 'create', path.join(home.path, 'missing.json')], 'missing.json');
    await invalid(
      ['automations', 'history', '0190a6f2-3c4d-7a1b-8e2f-0123456789ab', '--limit', '0'],
      '--limit',
    );
  });

  it('flowtrail secrets set, list, delete (values never printed)', async () => {
    expect(
      (await cli(['secrets', 'set', 'pager', '--value', '{"Authorization": "Bearer s3cr3t"}'])).stdout,
    ).toBe('Stored secret pager.\n');
    const listed = await json<{ name: string }[]>(['secrets', 'list']);
    expect(listed.map((s) => s.name)).toEqual(['pager']);
    expect(JSON.stringify(listed)).not.toContain('s3cr3t');
    await invalid(['secrets', 'set', 'pager', '--value', '{"bad header": "x"}'], 'value.bad header');
    await invalid(['secrets', 'set', 'pager'], '--value');
    expect((await cli(['secrets', 'delete', 'pager'])).stdout).toBe('Deleted secret pager.\n');
    expect((await cli(['secrets', 'delete', 'pager'])).code).toBe(1);
  });
});

describe('flowtrail automations (remote mode)', () => {
  it('create and list go to the service', async () => {
    const t = await startTestServer();
    try {
      await t.server.stores.deployments.upsert(deploymentRecord('NightlyFlow'));
      const remote = { FLOWTRAIL_SERVICE_URL: t.server.url, FLOWTRAIL_API_KEY: t.keys.write };
      const a = await json<AutomationRecord>(['automations', 'create', file], remote);
      expect(await t.server.stores.automations.get(a.id)).toEqual(a);
      expect((await json<AutomationRecord[]>(['automations', 'list'], remote)).map((x) => x.id)).toEqual([
        a.id,
      ]);
    } finally {
      await t.stop();
    }
  });
});
