/**
 * The conformance suite every `DeploymentStore` adapter must pass: deployments, the engine's
 * lease and cursor, and its batch commits. Each test gets a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeploymentRecord, DeploymentStore, FiringRecord } from '../../src/store/deployment-store.ts';

export interface DeploymentStoreFixture {
  store: DeploymentStore;
  cleanup: () => Promise<void>;
}

const T0 = 1_700_000_000_000;

function deployment(flow: string, overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    flow,
    file: `/flows/${flow}.ts`,
    bundleSha: 'b'.repeat(64),
    codeSha: 'c'.repeat(64),
    params: { alpha: 0.5 },
    triggers: {
      events: [{ name: 'data_updated', parameters: { alpha: 'alpha' } }],
      flows: [],
      resetWindowMs: 3_600_000,
      schedule: null,
    },
    productionToken: `${flow.toLowerCase()}-1234`,
    status: 'active',
    createdAt: T0,
    updatedAt: T0,
    lastProblem: null,
    nextScheduledAt: null,
    ...overrides,
  };
}

const firing = (id: string, flow = 'A'): FiringRecord => ({
  id,
  flow,
  causes: [{ type: 'event', name: 'data_updated', id: `e-${id}`, timestamp: T0, pathspec: null }],
  status: 'pending',
  runId: null,
  createdAt: T0,
  message: null,
});

export function runDeploymentStoreSuite(
  name: string,
  makeStore: () => Promise<DeploymentStoreFixture>,
): void {
  describe(`DeploymentStore conformance: ${name}`, () => {
    let fixture: DeploymentStoreFixture;
    let store: DeploymentStore;
    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('stores, lists, re-deploys (keeping created time, token and status), pauses and deletes', async () => {
      await store.upsert(deployment('B'));
      await store.upsert(deployment('A', { status: 'active' }));
      expect((await store.list()).map((d) => d.flow)).toEqual(['A', 'B']);
      expect(await store.get('A')).toEqual(deployment('A'));
      expect(await store.setStatus('A', 'paused', T0 + 5)).toBe(true);
      expect(await store.setStatus('Nope', 'paused', T0 + 5)).toBe(false);
      const redeployed = deployment('A', {
        createdAt: T0 + 100,
        updatedAt: T0 + 100,
        productionToken: 'other',
        status: 'active',
        triggers: {
          events: [],
          flows: ['B'],
          resetWindowMs: 60_000,
          schedule: { cron: '@daily', timezone: 'UTC' },
        },
        nextScheduledAt: T0 + 86_400_000,
      });
      await store.upsert(redeployed);
      const a = (await store.get('A'))!;
      expect(a.createdAt).toBe(T0);
      expect(a.productionToken).toBe('a-1234');
      expect(a.status).toBe('paused');
      expect(a.triggers).toEqual(redeployed.triggers);
      expect(a.nextScheduledAt).toBe(T0 + 86_400_000);
      await store.recordProblem('A', { at: T0 + 7, message: 'no field', eventId: 'e1' });
      expect((await store.get('A'))!.lastProblem).toEqual({ at: T0 + 7, message: 'no field', eventId: 'e1' });
      await store.setNextScheduledAt('A', null);
      expect((await store.get('A'))!.nextScheduledAt).toBeNull();
      expect(await store.delete('A')).toBe(true);
      expect(await store.delete('A')).toBe(false);
      expect(await store.get('A')).toBeUndefined();
    });

    it('gives the lease to one owner at a time, until it lapses or is released', async () => {
      expect(await store.acquireLease('one', T0, T0 + 1000)).toBe(true);
      expect(await store.acquireLease('two', T0 + 10, T0 + 1010)).toBe(false);
      expect(await store.acquireLease('one', T0 + 500, T0 + 1500)).toBe(true); // renewal
      expect(await store.acquireLease('two', T0 + 1499, T0 + 2500)).toBe(false);
      expect(await store.acquireLease('two', T0 + 1501, T0 + 2500)).toBe(true); // lapsed
      expect((await store.engineState()).leaseOwner).toBe('two');
      await store.releaseLease('one'); // not the owner: no effect
      expect((await store.engineState()).leaseOwner).toBe('two');
      await store.releaseLease('two');
      expect(await store.acquireLease('three', T0 + 1600, T0 + 2600)).toBe(true);
    });

    it('commits a batch atomically, and nothing without the lease', async () => {
      expect((await store.engineState()).position).toBe(-1);
      await store.upsert(deployment('A'));
      expect(await store.acquireLease('me', T0, T0 + 1000)).toBe(true);
      expect(await store.commitEngine({ position: 10, firings: [], owner: 'me' }, T0 + 1)).toBe(true);
      expect((await store.engineState()).position).toBe(10);
      // A deployment's arrivals are its owned automation's state (none evaluated yet here).
      expect(await store.arrivals('A')).toEqual([]);
      await store.commitEngine({ position: 15, firings: [firing('f1')], owner: 'me' }, T0 + 3);
      expect(await store.pendingFirings()).toEqual([firing('f1')]);
      // The same firing again (a replayed batch) is not duplicated.
      await store.commitEngine({ position: 15, firings: [firing('f1')], owner: 'me' }, T0 + 4);
      expect(await store.firings('A')).toHaveLength(1);
      // Another owner, or a lapsed lease, commits nothing.
      expect(
        await store.commitEngine({ position: 99, firings: [firing('f2')], owner: 'other' }, T0 + 5),
      ).toBe(false);
      expect(
        await store.commitEngine({ position: 99, firings: [firing('f3')], owner: 'me' }, T0 + 2000),
      ).toBe(false);
      expect((await store.engineState()).position).toBe(15);
      expect((await store.firings('A')).map((f) => f.id)).toEqual(['f1']);
      await store.finishFiring('f1', { status: 'started', runId: 7 });
      expect(await store.pendingFirings()).toEqual([]);
      expect((await store.firings('A'))[0]).toMatchObject({ status: 'started', runId: 7, message: null });
    });

    it('keeps owned automations in step itself: syncOwnedAutomations then has nothing to do', async () => {
      const none = { created: [], updated: [], deleted: [] };
      await store.upsert(deployment('A'));
      await store.upsert(
        deployment('B', { triggers: { ...deployment('B').triggers, events: [], flows: ['A'] } }),
      );
      expect(await store.syncOwnedAutomations(T0 + 1)).toEqual(none);
      await store.setStatus('A', 'paused', T0 + 2);
      await store.upsert(
        deployment('B', { updatedAt: T0 + 3, triggers: { ...deployment('B').triggers, events: [] } }),
      );
      expect(await store.delete('A')).toBe(true);
      expect(await store.syncOwnedAutomations(T0 + 4)).toEqual(none);
    });

    it('records a firing with its outcome (an action-started run) beside schedule firings', async () => {
      await store.upsert(deployment('A'));
      const started = { ...firing('a1'), status: 'started' as const, runId: 3 };
      await store.recordFiring(started);
      expect(await store.pendingFirings()).toEqual([]);
      expect(await store.firings('A')).toEqual([started]);
      // Recorded again (the action ran again after a crash): replaced, not duplicated.
      const failed = { ...started, status: 'failed' as const, runId: null, message: 'no such parameter' };
      await store.recordFiring(failed);
      expect(await store.firings('A')).toEqual([failed]);
    });

    it('gives the newest firing of each deployment in one read', async () => {
      expect(await store.latestFirings()).toEqual([]);
      for (const flow of ['A', 'B', 'C']) await store.upsert(deployment(flow));
      const a = [1, 3, 2].map((k) => ({ ...firing(`a${k}`), createdAt: T0 + k }));
      for (const f of a) await store.recordFiring(f);
      const b = { ...firing('b1', 'B'), status: 'failed' as const, message: 'no run' };
      await store.recordFiring(b);
      // C has none; a firing of a deleted deployment is not listed.
      await store.upsert(deployment('D'));
      await store.recordFiring(firing('d1', 'D'));
      await store.delete('D');
      expect(await store.latestFirings()).toEqual([a[1], b]);
    });
  });
}
