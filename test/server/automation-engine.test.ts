/**
 * Automations evaluated by a real server's trigger engine, on SQLite and on PostgreSQL: the
 * reference's checks (prefect-events.md §7) end to end — events appended to the store, the
 * engine's commits, the firings and their actions read back from the automation store. The pure
 * trigger semantics are covered case by case in test/automations/; here each kind runs once
 * through the engine, plus what only the engine can get wrong: restarts mid-window, two servers.
 *
 * Proactive windows here are 1.5–3 s, built as `Automation` objects directly: the 10 s floor is a
 * rule of saving (validation), not of the engine, and waiting 10 s per case would make the suite slow.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Automation, Trigger } from '../../src/automations/model.ts';
import { validateAutomation } from '../../src/automations/validate-automation.ts';
import { newEventId } from '../../src/events/event-id.ts';
import type { FlowtrailEvent } from '../../src/events/model.ts';
import type { FiringHistoryEntry } from '../../src/store/automation-store.ts';
import { sleep } from '../helpers.ts';
import { postgresTests } from '../store/postgres-test-db.ts';
import { postgresDatabases, startTestServer, type TestServer } from './server-fixture.ts';

/** An event appended now (received now), `occurredOffsetMs` from now. */
function event(
  name: string,
  options: { resource?: string; occurredOffsetMs?: number; payload?: Record<string, unknown> } = {},
): FlowtrailEvent {
  const now = Date.now();
  return {
    id: newEventId(),
    occurred: new Date(now + (options.occurredOffsetMs ?? 0)),
    event: name,
    resource: { 'flowtrail.resource.id': options.resource ?? 'sensor.1' },
    related: [],
    payload: options.payload ?? {},
    follows: null,
    received: new Date(now),
  };
}

async function save(
  t: TestServer,
  trigger: unknown,
  extra: Record<string, unknown> = {},
): Promise<Automation> {
  const automation = validateAutomation({
    name: 'engine test',
    trigger,
    actions: [{ type: 'do-nothing' }],
    ...extra,
  });
  await t.server.stores.automations.create(automation, Date.now());
  return automation;
}

/** A proactive event trigger with a window shorter than saving allows (see the header). */
async function saveProactive(
  t: TestServer,
  trigger: Partial<Extract<Trigger, { type: 'event' }>> & { withinMs: number },
): Promise<Automation> {
  const base = validateAutomation({
    name: 'proactive engine test',
    trigger: { type: 'event', expect: ['x'], posture: 'proactive', within: 10 },
    actions: [{ type: 'do-nothing' }],
  });
  const automation: Automation = {
    ...base,
    trigger: { ...(base.trigger as Extract<Trigger, { type: 'event' }>), ...trigger },
  };
  await t.server.stores.automations.create(automation, Date.now());
  return automation;
}

const append = (t: TestServer, ...events: FlowtrailEvent[]) => t.server.stores.events.append(events);

async function history(t: TestServer, id: string): Promise<FiringHistoryEntry[]> {
  return t.server.stores.automations.history(id, { limit: 500 });
}

/** Waits until the automation has `n` firings whose actions all ended, then a little more (to see extra ones). */
async function firings(t: TestServer, id: string, n: number, settleMs = 300): Promise<FiringHistoryEntry[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const h = await history(t, id);
    if (h.length >= n && h.every((f) => f.actions.every((a) => a.status !== 'pending'))) break;
    if (Date.now() > deadline) throw new Error(`expected ${n} firings of ${id}, have ${h.length}`);
    await sleep(25);
  }
  await sleep(settleMs);
  return history(t, id);
}

function engineSuite(name: string, start: (dir?: string) => Promise<TestServer>) {
  describe(`automations in the engine (${name})`, () => {
    it('50 rapid events with within 0 fire 50 times, each action executed once', async () => {
      const t = await start();
      try {
        const a = await save(t, { type: 'event', expect: ['ping'] });
        await sleep(50);
        await append(t, ...Array.from({ length: 50 }, () => event('ping')));
        const h = await firings(t, a.id, 50);
        expect(h).toHaveLength(50);
        expect(h.flatMap((f) => f.actions.map((x) => x.status))).toEqual(Array(50).fill('executed'));
        // Every firing is also an event in the feed, related to the event that made it.
        const triggered = await t.server.stores.events.query(
          { event: { name: ['flowtrail.automation.triggered'] } },
          { limit: 100 },
        );
        expect(triggered.events).toHaveLength(50);
      } finally {
        await t.stop();
      }
    });

    it('a threshold within a window fires once per window; forEach keys count apart', async () => {
      const t = await start();
      try {
        const a = await save(t, {
          type: 'event',
          expect: ['error'],
          threshold: 3,
          within: '1h',
          forEach: ['flowtrail.resource.id'],
        });
        await sleep(50);
        await append(t, ...Array.from({ length: 7 }, () => event('error', { resource: 'db.a' })));
        await append(t, ...Array.from({ length: 2 }, () => event('error', { resource: 'db.b' })));
        const h = await firings(t, a.id, 1);
        // 7 events in one window: one firing (the window stays spent until it ends); db.b has 2 < 3.
        expect(h).toHaveLength(1);
        expect(h[0]!.firing.firing.labels).toEqual({ 'flowtrail.resource.id': 'db.a' });
        await append(t, event('error', { resource: 'db.b' }));
        const after = await firings(t, a.id, 2);
        expect(after.map((f) => f.firing.firing.labels['flowtrail.resource.id']).sort()).toEqual([
          'db.a',
          'db.b',
        ]);
      } finally {
        await t.stop();
      }
    });

    it('after + expect: only an armed window counts', async () => {
      const t = await start();
      try {
        const a = await save(t, { type: 'event', after: ['door.opened'], expect: ['alarm'], within: '1h' });
        await sleep(50);
        await append(t, event('alarm', { occurredOffsetMs: -3000 }));
        await append(t, event('door.opened', { occurredOffsetMs: -2000 }));
        await append(t, event('alarm', { occurredOffsetMs: -1000 }));
        const h = await firings(t, a.id, 1);
        expect(h).toHaveLength(1);
      } finally {
        await t.stop();
      }
    });

    it('compound any / all / 2-of-3 and sequences (in order fires; out of order and expired do not)', async () => {
      const t = await start();
      try {
        const leaf = (name: string) => ({ type: 'event', expect: [name] });
        const any = await save(t, { type: 'compound', require: 'any', triggers: [leaf('a'), leaf('b')] });
        const all = await save(t, {
          type: 'compound',
          require: 'all',
          within: '1h',
          triggers: [leaf('a'), leaf('b')],
        });
        const two = await save(t, {
          type: 'compound',
          require: 2,
          triggers: [leaf('a'), leaf('b'), leaf('c')],
        });
        const seq = await save(t, { type: 'sequence', within: '1h', triggers: [leaf('s1'), leaf('s2')] });
        const backwards = await save(t, {
          type: 'sequence',
          within: '1h',
          triggers: [leaf('r1'), leaf('r2')],
        });
        const expired = await save(t, { type: 'sequence', within: '1m', triggers: [leaf('e1'), leaf('e2')] });
        await sleep(50);
        await append(t, event('a', { occurredOffsetMs: -5000 }));
        await append(t, event('b', { occurredOffsetMs: -4000 }));
        await append(t, event('s1', { occurredOffsetMs: -3000 }), event('s2', { occurredOffsetMs: -2000 }));
        // r2 occurred before r1: out of order, even though r1 is appended first.
        await append(t, event('r1', { occurredOffsetMs: -1000 }), event('r2', { occurredOffsetMs: -2000 }));
        // e1 and e2 are two minutes apart by occurred: too far for a 1 min sequence.
        await append(t, event('e1', { occurredOffsetMs: -120_000 }), event('e2'));
        expect(await firings(t, any.id, 2)).toHaveLength(2);
        expect(await firings(t, all.id, 1)).toHaveLength(1);
        expect(await firings(t, two.id, 1)).toHaveLength(1);
        expect(await firings(t, seq.id, 1)).toHaveLength(1);
        expect(await history(t, backwards.id)).toHaveLength(0);
        expect(await history(t, expired.id)).toHaveLength(0);
      } finally {
        await t.stop();
      }
    });

    it('proactive: fires once per empty window, not while the events come', async () => {
      const t = await start();
      try {
        const a = await saveProactive(t, { expect: ['x'], withinMs: 1500 });
        const first = await firings(t, a.id, 1, 0);
        expect(first).toHaveLength(1);
        // Keep the events coming for longer than two windows: no firing meanwhile.
        const stopAt = Date.now() + 3200;
        while (Date.now() < stopAt) {
          await append(t, event('x'));
          await sleep(200);
        }
        expect(await history(t, a.id)).toHaveLength(1);
        // Then silence: the next empty window fires, once.
        const later = await firings(t, a.id, 2, 0);
        expect(later).toHaveLength(2);
        const [newest] = later;
        expect(newest!.firing.firing.triggered - newest!.firing.firing.at).toBeLessThan(1000);
      } finally {
        await t.stop();
      }
    });

    it('the heartbeat pattern: the key that stops beating fires, the one that beats does not', async () => {
      const t = await start();
      try {
        const a = await saveProactive(t, {
          after: ['heartbeat'],
          expect: ['heartbeat'],
          forEach: ['flowtrail.resource.id'],
          withinMs: 1500,
        });
        await sleep(50);
        await append(
          t,
          event('heartbeat', { resource: 'worker.a' }),
          event('heartbeat', { resource: 'worker.b' }),
        );
        const until = Date.now() + 2500;
        while (Date.now() < until) {
          await append(t, event('heartbeat', { resource: 'worker.a' }));
          await sleep(200);
        }
        const h = await firings(t, a.id, 1, 0);
        expect(h.map((f) => f.firing.firing.labels['flowtrail.resource.id'])).toEqual(['worker.b']);
      } finally {
        await t.stop();
      }
    });

    it('a restart in the middle of a window misses no firing and doubles none', async () => {
      const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-engine-restart-'));
      let t = await start(dir);
      try {
        const reactive = await save(t, { type: 'event', expect: ['tick'], threshold: 3, within: '1h' });
        const proactive = await saveProactive(t, { expect: ['never'], withinMs: 2500 });
        await sleep(50);
        await append(t, event('tick'), event('tick'));
        await sleep(300);
        await t.server.close();
        // Down across the proactive deadline; the third tick comes after the restart.
        await sleep(2800);
        t = await start(dir);
        await append(t, event('tick'));
        expect(await firings(t, reactive.id, 1)).toHaveLength(1);
        const p = await firings(t, proactive.id, 1, 0);
        expect(p).toHaveLength(1);
        await t.server.close();
        t = await start(dir);
        await sleep(500);
        expect(await history(t, reactive.id)).toHaveLength(1);
        // The proactive window after the restart has not ended yet: still one firing.
        expect(await history(t, proactive.id)).toHaveLength(1);
      } finally {
        await t.stop();
        await fsp.rm(dir, { recursive: true, force: true });
      }
    }, 60_000);
  });
}

engineSuite('SQLite', async (dir) => startTestServer(dir ? { dir } : {}));

postgresTests('automations in the engine on PostgreSQL', (db) => {
  const freshDatabase = postgresDatabases(db);
  const databases = new Map<string, string>();
  engineSuite('PostgreSQL', async (dir) => {
    const key = dir ?? '';
    let database = dir ? databases.get(key) : undefined;
    if (!database) {
      database = freshDatabase();
      if (dir) databases.set(key, database);
    }
    return startTestServer({ database, ...(dir ? { dir } : {}) });
  });

  it('two servers on one database: exactly one evaluates; the standby takes over', async () => {
    const database = freshDatabase();
    const shared = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-pg-automations-'));
    const options = { database, artifacts: path.join(shared, 'artifacts'), triggerLeaseMs: 1000 };
    const a = await startTestServer(options);
    const b = await startTestServer(options);
    try {
      const automation = await save(a, { type: 'event', expect: ['job.done'] });
      await sleep(300);
      const engines = [a.server.engine!, b.server.engine!];
      expect(engines.filter((e) => e.active)).toHaveLength(1);
      await append(b, ...Array.from({ length: 20 }, () => event('job.done')));
      expect(await firings(a, automation.id, 20)).toHaveLength(20);
      const [working, standby] = engines[0]!.active ? [a, b] : [b, a];
      await working.server.close();
      await sleep(1500);
      expect(standby.server.engine!.active).toBe(true);
      await append(standby, ...Array.from({ length: 5 }, () => event('job.done')));
      expect(await firings(standby, automation.id, 25)).toHaveLength(25);
    } finally {
      await a.server.close();
      await b.server.close();
      await fsp.rm(shared, { recursive: true, force: true });
    }
  }, 60_000);
});
