import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { newEventId } from '../../src/events/event-id.ts';
import { taskContextRelated } from '../../src/events/lifecycle.ts';
import type { EventStore } from '../../src/store/event-store.ts';
import type { MetadataStore, RunRecord, TriggerCause } from '../../src/store/metadata-store.ts';
import { openSqliteStores } from '../../src/store/sql/sqlite/sqlite-stores.ts';
import { chainDown, chainUp } from '../../src/store/trigger-chain.ts';
import { newRunRecord } from '../helpers.ts';

let dir: string;
let metadata: MetadataStore;
let events: EventStore;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-chain-'));
  ({ metadata, events } = openSqliteStores(path.join(dir, 'flowtrail.db')));
});
afterEach(async () => {
  await metadata.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000;
const eventCause = (id: string, name: string): TriggerCause => ({
  type: 'event',
  name,
  id,
  timestamp: T0,
  pathspec: null,
});
const runCause = (run: RunRecord): TriggerCause => ({
  type: 'run',
  name: run.flow,
  id: newEventId(),
  timestamp: T0,
  pathspec: `${run.flow}/${run.runNumber}`,
});

it('walks a chain up through upstream runs to the first event, and down through completions and emitted events', async () => {
  const first = newEventId();
  const etl = await metadata.createRun(newRunRecord('ETL', { trigger: [eventCause(first, 'data_updated')] }));
  const train = await metadata.createRun(newRunRecord('Train', { trigger: [runCause(etl)] }));
  const predict = await metadata.createRun(newRunRecord('Predict', { trigger: [runCause(train)] }));
  // A step of Train emits an event; a run of Report starts from it.
  const emitted = newEventId();
  const at = new Date(T0 + 5);
  await events.append([
    {
      id: emitted,
      occurred: at,
      event: 'model_ready',
      resource: { 'flowtrail.resource.id': 'model.m1' },
      related: taskContextRelated({ flow: 'Train', runNumber: train.runNumber, tags: [] }, 'start', 1),
      payload: {},
      follows: null,
      received: at,
    },
  ]);
  const report = await metadata.createRun(
    newRunRecord('Report', { trigger: [eventCause(emitted, 'model_ready')] }),
  );

  const up = await chainUp(metadata, predict, 5);
  expect(up).toMatchObject([
    {
      kind: 'run',
      pathspec: 'Train/1',
      next: [{ kind: 'run', pathspec: 'ETL/1', next: [{ kind: 'event', name: 'data_updated', id: first }] }],
    },
  ]);
  // Hops are a limit.
  expect((await chainUp(metadata, predict, 1))[0]!.next).toEqual([]);

  const down = await chainDown(metadata, events, etl, 5);
  expect(down).toMatchObject([
    {
      kind: 'run',
      pathspec: 'Train/1',
      next: [
        { kind: 'run', pathspec: 'Predict/1', next: [] },
        { kind: 'event', name: 'model_ready', id: emitted, next: [{ kind: 'run', pathspec: 'Report/1' }] },
      ],
    },
  ]);
  expect(report.flow).toBe('Report');
  // Lifecycle events of the run are not "emitted" events; a run started by hand has nothing up.
  expect(await chainUp(metadata, await metadata.createRun(newRunRecord('Solo')), 3)).toEqual([]);
  // An upstream run that no longer exists is shown as its cause, named.
  const orphan = await metadata.createRun(
    newRunRecord('Orphan', { trigger: [{ ...runCause(etl), pathspec: 'Gone/9', name: 'Gone' }] }),
  );
  expect(await chainUp(metadata, orphan, 3)).toMatchObject([
    { kind: 'event', name: 'Gone/9 (run not found)' },
  ]);
});
