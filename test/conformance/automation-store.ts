/**
 * The conformance suite every `AutomationStore` adapter (with the `DeploymentStore` and
 * `SecretStore` of the same database) must pass: saving and listing automations, their trigger
 * states, the engine's commits under its lease, firings, actions and history; the automations
 * deployments own; secrets. Each test gets a fresh, empty database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firingEventIds } from '../../src/automations/automation-events.ts';
import type { Automation } from '../../src/automations/model.ts';
import { createState, onEvent } from '../../src/automations/trigger-evaluation.ts';
import type { Firing, TriggerState } from '../../src/automations/trigger-state.ts';
import { validateAutomation } from '../../src/automations/validate-automation.ts';
import { ConflictError } from '../../src/core/errors.ts';
import type { FlowtrailEvent } from '../../src/events/model.ts';
import type {
  ActionRecord,
  AutomationFiringRecord,
  AutomationStore,
  SecretStore,
} from '../../src/store/automation-store.ts';
import { ownedAutomationId } from '../../src/store/deployment-automation.ts';
import type { DeploymentRecord, DeploymentStore } from '../../src/store/deployment-store.ts';
import type { EventStore } from '../../src/store/event-store.ts';

export interface AutomationStoreFixture {
  automations: AutomationStore;
  deployments: DeploymentStore;
  secrets: SecretStore;
  /** The event store of the same database (a commit appends the firings' events). */
  events: EventStore;
  /**
   * Runs one SQL statement on the database behind the stores, to build states the ports cannot
   * (a database whose deployments were stored before automations existed).
   */
  exec: (statement: string) => Promise<void>;
  cleanup: () => Promise<void>;
}

const T0 = 1_700_000_000_000;
const LEASE = { owner: 'engine-1', until: T0 + 3_600_000 };

const ids = {
  a: '0190c3a0-0000-7000-8000-00000000000a',
  b: '0190c3a0-0000-7000-8000-00000000000b',
  c: '0190c3a0-0000-7000-8000-00000000000c',
};

/** A real, validated automation: `job.done` on `job.1` runs deployment Nightly. */
function automation(overrides: Record<string, unknown> = {}): Automation {
  return validateAutomation({
    id: ids.a,
    name: 'nightly after job',
    tags: ['ops'],
    trigger: { type: 'event', expect: ['job.done'], match: { 'flowtrail.resource.id': 'job.1' } },
    actions: [{ type: 'run-deployment', deployment: 'Nightly', parameters: { n: '{{ event.payload.n }}' } }],
    ...overrides,
  });
}

function event(id: string, name: string, at: number, payload: Record<string, unknown> = {}): FlowtrailEvent {
  return {
    id,
    occurred: new Date(at),
    event: name,
    resource: { 'flowtrail.resource.id': 'job.1' },
    related: [],
    payload,
    follows: null,
    received: new Date(at),
  };
}

const eventId = (n: number) => `0190c3a0-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

/** Feeds events to a fresh state of `a` (engine clock = each event's time): the state and firings. */
function evaluate(a: Automation, events: FlowtrailEvent[]): { state: TriggerState; firings: Firing[] } {
  let state = createState(a, T0);
  const firings: Firing[] = [];
  for (const e of events) {
    const r = onEvent(state, a, e, e.occurred.getTime());
    state = r.state;
    firings.push(...r.firings);
  }
  return { state, firings };
}

const firingRecord = (f: Firing): AutomationFiringRecord => ({
  id: f.id,
  automation: f.automation,
  firing: f,
  eventIds: firingEventIds(f),
  triggeredAt: f.triggered,
});

const actionRecord = (a: Automation, f: Firing, index = 0): ActionRecord => ({
  id: `${f.id}:actions:${index}`,
  firing: f.id,
  automation: a.id,
  list: 'actions',
  index,
  action: a.actions[index]!,
  status: 'pending',
  attempts: 0,
  message: null,
  target: null,
  createdAt: f.triggered,
  finishedAt: null,
});

function deployment(flow: string, overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    flow,
    file: `/flows/${flow}.ts`,
    bundleSha: 'b'.repeat(64),
    codeSha: 'c'.repeat(64),
    params: {},
    triggers: {
      events: [{ name: 'data_updated', parameters: {} }],
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

export function runAutomationStoreSuite(
  name: string,
  makeFixture: () => Promise<AutomationStoreFixture>,
): void {
  describe(`AutomationStore conformance: ${name}`, () => {
    let fixture: AutomationStoreFixture;
    let store: AutomationStore;
    let deployments: DeploymentStore;
    let events: EventStore;
    beforeEach(async () => {
      fixture = await makeFixture();
      store = fixture.automations;
      deployments = fixture.deployments;
      events = fixture.events;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    /** Takes the lease and commits one evaluation of `a` over `events`; its firings. */
    async function commitFirings(
      a: Automation,
      events: FlowtrailEvent[],
      now: number,
      position: number | null = 1,
    ) {
      const { state, firings } = evaluate(a, events);
      const record = (await store.get(a.id))!;
      expect(await deployments.acquireLease(LEASE.owner, now, LEASE.until)).toBe(true);
      const applied = await store.commitEvaluation(
        {
          owner: LEASE.owner,
          position,
          states: [{ automation: a.id, updatedAt: record.updatedAt, state }],
          firings: firings.map(firingRecord),
          actions: firings.map((f) => actionRecord(a, f)),
        },
        now,
      );
      expect(applied).toBe(true);
      return { state, firings };
    }

    it('creates, reads, replaces, enables and deletes; an existing id is a conflict', async () => {
      const a = automation();
      const created = await store.create(a, T0);
      expect(created).toEqual({ ...a, createdAt: T0, updatedAt: T0, lastFiredAt: null });
      expect(await store.get(a.id)).toEqual(created);
      await expect(store.create(automation({ name: 'again' }), T0 + 1)).rejects.toThrow(ConflictError);
      expect((await store.get(a.id))!.name).toBe('nightly after job');

      const changed = automation({
        name: 'renamed',
        description: 'now with a description',
        tags: ['x', 'y'],
      });
      expect(await store.replace(changed, T0 + 10)).toEqual({
        ...changed,
        createdAt: T0,
        updatedAt: T0 + 10,
        lastFiredAt: null,
      });
      expect(await store.replace(automation({ id: ids.b }), T0 + 10)).toBeUndefined();
      expect(await store.get(ids.b)).toBeUndefined();

      expect(await store.setEnabled(a.id, false, T0 + 20)).toMatchObject({
        enabled: false,
        updatedAt: T0 + 10,
      });
      expect(await store.setEnabled(a.id, true, T0 + 30)).toMatchObject({
        enabled: true,
        updatedAt: T0 + 30,
      });
      // Enabling an enabled automation changes nothing.
      expect(await store.setEnabled(a.id, true, T0 + 40)).toMatchObject({
        enabled: true,
        updatedAt: T0 + 30,
      });
      expect(await store.setEnabled(ids.b, true, T0)).toBeUndefined();

      expect(await store.delete(a.id)).toBe(true);
      expect(await store.delete(a.id)).toBe(false);
      expect(await store.get(a.id)).toBeUndefined();
      // Its id is free again.
      expect((await store.create(a, T0 + 50)).createdAt).toBe(T0 + 50);
    });

    it('lists by name then id, filtered by owner (null: unowned), enabled, tag and related resource', async () => {
      const owned = automation({ id: ids.a, name: 'b owned', ownerResource: 'flowtrail.resource.team' });
      const pauser = automation({
        id: ids.b,
        name: 'a pauser',
        tags: ['ops', 'night'],
        enabled: false,
        trigger: {
          type: 'compound',
          require: 'any',
          triggers: [
            {
              type: 'event',
              expect: ['x'],
              match: { 'flowtrail.resource.id': ['dataset.sales', 'dataset.*'] },
            },
            {
              type: 'event',
              expect: ['y'],
              match: { 'flowtrail.resource.id': '!dataset.stock' },
              matchRelated: {
                'flowtrail.resource.id': 'flowtrail.tag.critical',
                'flowtrail.resource.role': 'tag',
              },
            },
          ],
        },
        actions: [
          { type: 'pause-automation', automation: ids.a },
          { type: 'pause-automation' },
          { type: 'pause-deployment', deployment: 'Loader' },
        ],
      });
      const same = automation({ id: ids.c, name: 'a pauser', tags: [] });
      for (const a of [owned, pauser, same]) await store.create(a, T0);
      const names = async (query: Parameters<AutomationStore['list']>[0]) =>
        (await store.list(query)).map((a) => a.id);

      expect(await names({})).toEqual([ids.b, ids.c, ids.a]);
      expect(await store.list()).toEqual(await store.list({}));
      expect(await names({ owner: 'flowtrail.resource.team' })).toEqual([ids.a]);
      expect(await names({ owner: null })).toEqual([ids.b, ids.c]);
      expect(await names({ enabled: false })).toEqual([ids.b]);
      expect(await names({ enabled: true })).toEqual([ids.c, ids.a]);
      expect(await names({ tag: 'ops' })).toEqual([ids.b, ids.a]);
      expect(await names({ tag: 'night', enabled: true })).toEqual([]);
      expect(await names({ tag: 'nope' })).toEqual([]);
      // Owner, action targets, and literal resource ids of the triggers (not globs, not negated).
      expect(await names({ relatedTo: 'flowtrail.resource.team' })).toEqual([ids.a]);
      expect(await names({ relatedTo: 'flowtrail.deployment.Nightly' })).toEqual([ids.c, ids.a]);
      expect(await names({ relatedTo: `flowtrail.automation.${ids.a}` })).toEqual([ids.b]);
      expect(await names({ relatedTo: 'flowtrail.deployment.Loader' })).toEqual([ids.b]);
      expect(await names({ relatedTo: 'dataset.sales' })).toEqual([ids.b]);
      expect(await names({ relatedTo: 'flowtrail.tag.critical' })).toEqual([ids.b]);
      expect(await names({ relatedTo: 'job.1' })).toEqual([ids.c, ids.a]);
      expect(await names({ relatedTo: 'dataset.*' })).toEqual([]);
      expect(await names({ relatedTo: 'dataset.stock' })).toEqual([]);
      // Replacing re-computes what it relates to.
      await store.replace({ ...same, actions: [{ type: 'do-nothing' }] }, T0 + 1);
      expect(await names({ relatedTo: 'flowtrail.deployment.Nightly' })).toEqual([ids.a]);
      expect(await names({ relatedTo: 'flowtrail.deployment.Nightly', owner: null })).toEqual([]);
    });

    it('round-trips trigger states; replacing or re-enabling clears them, disabling keeps them', async () => {
      const a = automation({
        trigger: {
          type: 'event',
          posture: 'reactive',
          expect: ['job.done'],
          forEach: ['flowtrail.resource.id'],
          threshold: 3,
          within: '10m',
        },
      });
      await store.create(a, T0);
      expect(await store.loadStates([a.id])).toEqual(new Map());
      const { state, firings } = await commitFirings(
        a,
        [event(eventId(1), 'job.done', T0 + 1000)],
        T0 + 1000,
      );
      expect(firings).toEqual([]);
      expect(Object.keys(state.buckets)).toHaveLength(1);
      expect(await store.loadStates([a.id, ids.b])).toEqual(new Map([[a.id, state]]));
      // A state evaluated further, from the loaded one, round-trips too.
      const loaded = (await store.loadStates([a.id])).get(a.id)!;
      const next = onEvent(loaded, a, event(eventId(2), 'job.done', T0 + 2000), T0 + 2000).state;
      expect(
        await store.commitEvaluation(
          {
            owner: LEASE.owner,
            position: 2,
            states: [{ automation: a.id, updatedAt: T0, state: next }],
            firings: [],
            actions: [],
          },
          T0 + 2000,
        ),
      ).toBe(true);
      expect((await store.loadStates([a.id])).get(a.id)).toEqual(next);

      await store.setEnabled(a.id, false, T0 + 3000);
      expect((await store.loadStates([a.id])).get(a.id)).toEqual(next);
      await store.setEnabled(a.id, true, T0 + 4000);
      expect(await store.loadStates([a.id])).toEqual(new Map());

      // A state computed from the version before a replace is dropped.
      const old = createState(a, T0);
      await store.replace(a, T0 + 5000);
      await store.commitEvaluation(
        {
          owner: LEASE.owner,
          position: 3,
          states: [{ automation: a.id, updatedAt: T0 + 4000, state: old }],
          firings: [],
          actions: [],
        },
        T0 + 5000,
      );
      expect(await store.loadStates([a.id])).toEqual(new Map());
      expect((await deployments.engineState()).position).toBe(3);
    });

    it('commits a batch only while the lease is held; a replayed batch inserts nothing twice', async () => {
      const a = automation();
      await store.create(a, T0);
      const events = [1, 2, 3].map((n) => event(eventId(n), 'job.done', T0 + n * 1000, { n }));
      const { state, firings } = evaluate(a, events);
      expect(firings).toHaveLength(3);
      const commit = {
        owner: LEASE.owner,
        position: 42,
        states: [{ automation: a.id, updatedAt: T0, state }],
        firings: firings.map(firingRecord),
        actions: firings.map((f) => actionRecord(a, f)),
      };
      // No lease at all, another owner's lease, a lapsed lease: nothing applied.
      expect(await store.commitEvaluation(commit, T0 + 5000)).toBe(false);
      expect(await deployments.acquireLease('engine-2', T0, T0 + 10_000)).toBe(true);
      expect(await store.commitEvaluation(commit, T0 + 5000)).toBe(false);
      expect(await deployments.acquireLease(LEASE.owner, T0 + 10_001, T0 + 20_000)).toBe(true);
      expect(await store.commitEvaluation(commit, T0 + 20_001)).toBe(false);
      expect((await deployments.engineState()).position).toBe(-1);
      expect(await store.loadStates([a.id])).toEqual(new Map());
      expect(await store.history(a.id)).toEqual([]);
      expect(await store.pendingActions()).toEqual([]);
      expect((await store.get(a.id))!.lastFiredAt).toBeNull();

      expect(await store.commitEvaluation(commit, T0 + 15_000)).toBe(true);
      expect((await deployments.engineState()).position).toBe(42);
      expect((await store.get(a.id))!.lastFiredAt).toBe(T0 + 3000);
      expect(await store.pendingActions()).toEqual(commit.actions);
      // One action ran before the crash; the replayed batch neither duplicates nor resets it.
      await store.finishAction(
        commit.actions[0]!.id,
        { status: 'executed', attempts: 1, message: 'started Nightly/1', target: 'flowtrail.run.Nightly/1' },
        T0 + 16_000,
      );
      expect(await store.commitEvaluation({ ...commit, position: null }, T0 + 17_000)).toBe(true);
      expect((await deployments.engineState()).position).toBe(42);
      const history = await store.history(a.id);
      expect(history.map((h) => h.firing)).toEqual([...commit.firings].reverse());
      expect(history.map((h) => h.actions.map((x) => x.status))).toEqual([
        ['pending'],
        ['pending'],
        ['executed'],
      ]);
      expect(await store.pendingActions()).toEqual(commit.actions.slice(1));
      // lastFiredAt never moves back.
      expect(
        await store.commitEvaluation(
          { ...commit, position: null, firings: [commit.firings[0]!], actions: [] },
          T0 + 17_000,
        ),
      ).toBe(true);
      expect((await store.get(a.id))!.lastFiredAt).toBe(T0 + 3000);
    });

    it("appends the firings' events and keeps the engine ordering in the same commit", async () => {
      const a = automation();
      await store.create(a, T0);
      const [firing] = evaluate(a, [event(eventId(7), 'job.done', T0 + 7)]).firings;
      const triggered = event(eventId(8), 'flowtrail.automation.triggered', T0 + 8);
      const ordering = { version: 1 as const, seen: { [eventId(7)]: T0 + 7 }, parked: [] };
      expect(await store.loadOrdering()).toBeNull();
      const commit = {
        owner: LEASE.owner,
        position: 5,
        states: [],
        firings: [firingRecord(firing!)],
        actions: [],
        events: [triggered],
        ordering,
      };
      // Without the lease, neither the event nor the ordering lands.
      expect(await store.commitEvaluation(commit, T0 + 10)).toBe(false);
      expect(await store.loadOrdering()).toBeNull();
      expect(await events.headPosition()).toBe(0);
      await deployments.acquireLease(LEASE.owner, T0, LEASE.until);
      expect(await store.commitEvaluation(commit, T0 + 10)).toBe(true);
      expect(await store.loadOrdering()).toEqual(ordering);
      const stored = await events.query({ id: [triggered.id] }, { limit: 5 });
      expect(stored.events.map((e) => e.id)).toEqual([triggered.id]);
      // Absent ordering leaves it; a replay does not duplicate the event.
      expect(await store.commitEvaluation({ ...commit, ordering: null }, T0 + 11)).toBe(true);
      expect(await store.loadOrdering()).toEqual(ordering);
      expect((await events.query({ id: [triggered.id] }, { limit: 5 })).events).toHaveLength(1);
    });

    it('runs pending actions to an end, oldest first, and finds firings by id', async () => {
      const a = automation({
        actions: [
          { type: 'do-nothing' },
          { type: 'emit-event', event: 'x.y', resource: { 'flowtrail.resource.id': 'r' } },
        ],
      });
      await store.create(a, T0);
      const { firings } = evaluate(
        a,
        [1, 2].map((n) => event(eventId(n), 'job.done', T0 + n)),
      );
      await deployments.acquireLease(LEASE.owner, T0, LEASE.until);
      const actions = firings.flatMap((f) => [actionRecord(a, f, 0), actionRecord(a, f, 1)]);
      await store.commitEvaluation(
        { owner: LEASE.owner, position: 1, states: [], firings: firings.map(firingRecord), actions },
        T0 + 10,
      );
      expect(firings.map((f) => f.triggered)).toEqual([T0 + 1, T0 + 2]);
      expect((await store.pendingActions()).map((x) => x.id)).toEqual(actions.map((x) => x.id));
      expect(await store.pendingActions(1)).toHaveLength(1);
      const outcome = {
        status: 'failed' as const,
        attempts: 3,
        message: 'HTTP 500 from the hook',
        target: null,
      };
      await store.finishAction(actions[1]!.id, outcome, T0 + 20);
      await store.finishAction(
        actions[0]!.id,
        { status: 'executed', attempts: 1, message: null, target: 'x' },
        T0 + 21,
      );
      expect((await store.pendingActions()).map((x) => x.id).sort()).toEqual(
        [actions[2]!.id, actions[3]!.id].sort(),
      );
      const [first] = await store.history(a.id, { before: firings[1]!.triggered });
      expect(first!.actions).toEqual([
        { ...actions[0]!, status: 'executed', attempts: 1, target: 'x', finishedAt: T0 + 21 },
        { ...actions[1]!, ...outcome, finishedAt: T0 + 20 },
      ]);

      expect(await store.firings([firings[1]!.id, 'nope', firings[0]!.id])).toEqual(
        firings.map(firingRecord),
      );
      expect(await store.firings([])).toEqual([]);
    });

    it('pages history newest first, without skipping firings of the same moment', async () => {
      const a = automation();
      const b = automation({ id: ids.b });
      await store.create(a, T0);
      await store.create(b, T0);
      await deployments.acquireLease(LEASE.owner, T0, LEASE.until);
      // 7 firings, triggered at three moments (a batch of events shares the engine's clock).
      const events = [1, 2, 3, 4, 5, 6, 7].map((n) => event(eventId(n), 'job.done', T0 + n));
      const firings = evaluate(a, events).firings.map((f, i) => ({
        ...f,
        triggered: T0 + 100 * (1 + Math.floor(i / 3)),
      }));
      expect(firings).toHaveLength(7);
      const other = evaluate(b, events.slice(0, 2)).firings;
      await store.commitEvaluation(
        {
          owner: LEASE.owner,
          position: 7,
          states: [],
          firings: [...firings, ...other].map(firingRecord),
          actions: firings.map((f) => actionRecord(a, f)),
        },
        T0 + 500,
      );
      const newestFirst = [...firings].sort((x, y) => y.triggered - x.triggered || (x.id < y.id ? 1 : -1));
      const all = await store.history(a.id, { limit: 100 });
      expect(all.map((h) => h.firing.id)).toEqual(newestFirst.map((f) => f.id));
      expect(all.every((h) => h.actions.length === 1 && h.actions[0]!.firing === h.firing.id)).toBe(true);
      expect(await store.history(a.id)).toHaveLength(7);

      const seen: string[] = [];
      let page = await store.history(a.id, { limit: 2 });
      while (page.length > 0) {
        seen.push(...page.map((h) => h.firing.id));
        const last = page[page.length - 1]!.firing;
        page = await store.history(a.id, { limit: 2, before: last.triggeredAt, beforeId: last.id });
      }
      expect(seen).toEqual(newestFirst.map((f) => f.id));
      // `before` alone: strictly earlier moments.
      expect((await store.history(a.id, { before: T0 + 300 })).map((h) => h.firing.triggeredAt)).toEqual([
        T0 + 200,
        T0 + 200,
        T0 + 200,
        T0 + 100,
        T0 + 100,
        T0 + 100,
      ]);
      expect(await store.history(ids.b)).toHaveLength(2);
      expect(await store.history(ids.c)).toEqual([]);

      // By firing id (what an event caused): newest first, each with its actions, unknown ids ignored.
      const picked = [firings[0]!, firings[4]!, other[1]!];
      const byId = await store.firingHistory([...picked.map((f) => f.id), 'nope']);
      expect(byId.map((h) => h.firing.id)).toEqual(
        [...picked].sort((x, y) => y.triggered - x.triggered || (x.id < y.id ? 1 : -1)).map((f) => f.id),
      );
      expect(byId.map((h) => h.actions.map((x) => x.firing))).toEqual(
        byId.map((h) => (h.firing.automation === a.id ? [h.firing.id] : [])),
      );
      expect(await store.firingHistory([])).toEqual([]);
    });

    it('delete removes firings and actions; a commit for a deleted automation leaves nothing', async () => {
      const a = automation();
      const b = automation({ id: ids.b });
      await store.create(a, T0);
      await store.create(b, T0);
      const { firings } = await commitFirings(a, [event(eventId(1), 'job.done', T0 + 1)], T0 + 10);
      const other = (await commitFirings(b, [event(eventId(1), 'job.done', T0 + 1)], T0 + 10)).firings;
      expect(await store.delete(a.id)).toBe(true);
      expect(await store.history(a.id)).toEqual([]);
      expect(await store.firings(firings.map((f) => f.id))).toEqual([]);
      expect((await store.pendingActions()).map((x) => x.automation)).toEqual([ids.b]);
      expect(await store.history(ids.b)).toHaveLength(1);

      const late = evaluate(a, [event(eventId(2), 'job.done', T0 + 2)]);
      expect(
        await store.commitEvaluation(
          {
            owner: LEASE.owner,
            position: 5,
            states: [{ automation: a.id, updatedAt: T0, state: late.state }],
            firings: late.firings.map(firingRecord),
            actions: late.firings.map((f) => actionRecord(a, f)),
          },
          T0 + 20,
        ),
      ).toBe(true);
      expect((await deployments.engineState()).position).toBe(5);
      expect(await store.get(a.id)).toBeUndefined();
      expect(await store.firings(late.firings.map((f) => f.id))).toEqual([]);
      expect((await store.pendingActions()).map((x) => x.firing)).toEqual(other.map((f) => f.id));
    });

    describe('automations owned by deployments', () => {
      const A = ownedAutomationId('A');

      it('follow their deployment: deploy, pause, resume, re-deploy, triggers removed, delete', async () => {
        await deployments.upsert(deployment('A'));
        await deployments.upsert(
          deployment('NoTriggers', { triggers: { events: [], flows: [], resetWindowMs: 0, schedule: null } }),
        );
        const owned = await store.get(A);
        expect(owned).toMatchObject({
          id: A,
          enabled: true,
          ownerResource: 'flowtrail.deployment.A',
          createdAt: T0,
          updatedAt: T0,
          trigger: { type: 'event', expect: ['data_updated'] },
          actions: [{ type: 'run-deployment', deployment: 'A', parameters: {} }],
        });
        expect((await store.list({ owner: 'flowtrail.deployment.A' })).map((a) => a.id)).toEqual([A]);
        expect((await store.list({ relatedTo: 'flowtrail.deployment.A' })).map((a) => a.id)).toEqual([A]);
        expect(await store.list({ owner: 'flowtrail.deployment.NoTriggers' })).toEqual([]);

        await commitFirings(owned!, [event(eventId(1), 'data_updated', T0 + 1)], T0 + 10);
        expect((await store.loadStates([A])).size).toBe(1);
        expect(await store.history(A)).toHaveLength(1);

        // Pausing disables it and keeps its state; resuming enables it and starts again.
        expect(await deployments.setStatus('A', 'paused', T0 + 20)).toBe(true);
        expect(await store.get(A)).toMatchObject({ enabled: false, updatedAt: T0 });
        expect((await store.loadStates([A])).size).toBe(1);
        expect(await deployments.setStatus('A', 'active', T0 + 30)).toBe(true);
        expect(await store.get(A)).toMatchObject({ enabled: true, updatedAt: T0 + 30 });
        expect((await store.loadStates([A])).size).toBe(0);

        // Re-deploying a paused deployment: new triggers, still disabled, state cleared, history kept.
        await commitFirings((await store.get(A))!, [event(eventId(2), 'data_updated', T0 + 31)], T0 + 40);
        await deployments.setStatus('A', 'paused', T0 + 50);
        await deployments.upsert(
          deployment('A', {
            updatedAt: T0 + 60,
            triggers: {
              events: [{ name: 'x', parameters: {} }],
              flows: ['B'],
              resetWindowMs: 60_000,
              schedule: null,
            },
          }),
        );
        const redeployed = (await store.get(A))!;
        expect(redeployed).toMatchObject({
          enabled: false,
          createdAt: T0,
          updatedAt: T0 + 60,
          lastFiredAt: T0 + 31,
          trigger: { type: 'compound', require: 'all', withinMs: 60_000 },
        });
        expect(await store.loadStates([A])).toEqual(new Map());
        expect(await store.history(A)).toHaveLength(2);
        expect((await store.list({ relatedTo: 'flowtrail.deployment.A' })).map((a) => a.id)).toEqual([A]);

        // Re-deployed without event or flow triggers: it owns none.
        await deployments.upsert(
          deployment('A', {
            updatedAt: T0 + 70,
            triggers: {
              events: [],
              flows: [],
              resetWindowMs: 0,
              schedule: { cron: '@daily', timezone: 'UTC' },
            },
          }),
        );
        expect(await store.get(A)).toBeUndefined();
        expect(await store.history(A)).toEqual([]);

        await deployments.upsert(deployment('A', { updatedAt: T0 + 80 }));
        expect(await store.get(A)).toMatchObject({ enabled: false, createdAt: T0 + 80 }); // still paused
        await deployments.setStatus('A', 'active', T0 + 80);
        await commitFirings((await store.get(A))!, [event(eventId(3), 'data_updated', T0 + 81)], T0 + 90);
        expect(await store.pendingActions()).toHaveLength(1);
        expect(await deployments.delete('A')).toBe(true);
        expect(await store.get(A)).toBeUndefined();
        expect(await store.history(A)).toEqual([]);
        expect(await store.pendingActions()).toEqual([]);
        expect(await store.list()).toEqual([]);
      });

      it('cannot be replaced, enabled, disabled or deleted by themselves, nor made by hand', async () => {
        await deployments.upsert(deployment('A'));
        const owned = (await store.get(A))!;
        for (const attempt of [
          () => store.replace({ ...owned, name: 'mine now' }, T0 + 1),
          () => store.setEnabled(A, false, T0 + 1),
          () => store.setEnabled(A, true, T0 + 1),
          () => store.delete(A),
          () =>
            store.create(
              { ...owned, id: ownedAutomationId('B'), ownerResource: 'flowtrail.deployment.B' },
              T0,
            ),
        ]) {
          const error = await attempt().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(ConflictError);
          expect((error as Error).message).toMatch(/re-deploy .* pause \/ resume the deployment/);
        }
        expect(await store.get(A)).toEqual(owned);
        // A user's automation may name the deployment as its owner: with its own id it stays the user's.
        await store.create(automation({ id: ids.a }), T0);
        const mine = { ...owned, id: ids.a, name: 'mine' };
        expect(await store.replace(mine, T0 + 1)).toMatchObject({
          id: ids.a,
          ownerResource: 'flowtrail.deployment.A',
        });
        expect((await store.list({ owner: 'flowtrail.deployment.A' })).map((a) => a.id)).toEqual([A, ids.a]);
        expect(await store.setEnabled(ids.a, false, T0 + 2)).toMatchObject({ enabled: false });
        expect(await store.delete(ids.a)).toBe(true);
      });

      it('syncOwnedAutomations creates, fixes and removes them, and leaves right ones (and their state) alone', async () => {
        await deployments.upsert(deployment('A'));
        await deployments.upsert(deployment('B', { status: 'paused' }));
        await deployments.upsert(deployment('C'));
        const B = ownedAutomationId('B');
        const C = ownedAutomationId('C');
        const { state } = await commitFirings(
          (await store.get(A))!,
          [event(eventId(1), 'data_updated', T0 + 1)],
          T0 + 10,
        );
        expect(await deployments.syncOwnedAutomations(T0 + 20)).toEqual({
          created: [],
          updated: [],
          deleted: [],
        });
        expect((await store.loadStates([A])).get(A)).toEqual(state);

        // As a database whose deployments were stored before automations existed, plus damage.
        await fixture.exec(`DELETE FROM automations WHERE id = '${B}'`);
        await fixture.exec(`UPDATE automations SET name = 'tampered' WHERE id = '${C}'`);
        await fixture.exec(`UPDATE automations SET enabled = 0 WHERE id = '${A}'`);
        await deployments.upsert(deployment('Gone'));
        const gone = ownedAutomationId('Gone');
        await fixture.exec("DELETE FROM deployments WHERE flow = 'Gone'");
        const mine = automation({ id: ids.a, ownerResource: 'flowtrail.deployment.Gone' });
        await store.create(mine, T0);

        const sync = await deployments.syncOwnedAutomations(T0 + 30);
        expect(sync).toEqual({ created: [B], updated: expect.arrayContaining([A, C]), deleted: [gone] });
        expect(sync.updated).toHaveLength(2);
        expect(await store.get(B)).toMatchObject({ enabled: false, createdAt: T0 + 30, updatedAt: T0 + 30 });
        expect(await store.get(C)).toMatchObject({ name: 'C (deployment triggers)', updatedAt: T0 + 30 });
        expect(await store.get(A)).toMatchObject({ enabled: true, updatedAt: T0 + 30, lastFiredAt: T0 + 1 });
        expect(await store.get(gone)).toBeUndefined();
        expect(await store.get(ids.a)).toMatchObject({ ownerResource: 'flowtrail.deployment.Gone' });
        expect(await deployments.syncOwnedAutomations(T0 + 40)).toEqual({
          created: [],
          updated: [],
          deleted: [],
        });
      });
    });

    it('keeps secrets by name; lists names only', async () => {
      const { secrets } = fixture;
      expect(await secrets.get('hook')).toBeUndefined();
      await secrets.set('hook', { Authorization: 'Bearer s3cret' }, T0);
      await secrets.set('another', { 'X-Key': 'k' }, T0 + 1);
      await secrets.set('hook', { Authorization: 'Bearer n3w', 'X-Extra': 'e' }, T0 + 2);
      expect(await secrets.get('hook')).toEqual({ Authorization: 'Bearer n3w', 'X-Extra': 'e' });
      const listed = await secrets.list();
      expect(listed).toEqual([
        { name: 'another', updatedAt: T0 + 1 },
        { name: 'hook', updatedAt: T0 + 2 },
      ]);
      expect(JSON.stringify(listed)).not.toContain('n3w');
      expect(await secrets.delete('hook')).toBe(true);
      expect(await secrets.delete('hook')).toBe(false);
      expect(await secrets.get('hook')).toBeUndefined();
    });
  });
}
