import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../src/events/validate-event.ts';
import { type FlowtrailEvent, metadata, streamEvents } from '../../src/index.ts';
import { subscribeEvents } from '../../src/store/event-subscription.ts';
import { openEmbeddedStores, tempHome } from '../../src/testing/index.ts';

const ev = (name: string, owner: string) =>
  validateEvent({
    event: name,
    resource: { 'flowtrail.resource.id': `dataset.${name}` },
    related: [{ 'flowtrail.resource.id': owner, 'flowtrail.resource.role': 'owner' }],
  });

describe('live subscription', () => {
  it('delivers the backfill, then live events, each once, honouring related filters', async () => {
    await using home = await tempHome();
    await using stores = openEmbeddedStores(home.path);
    await stores.events.append([ev('a1', 'team.a'), ev('b1', 'team.b'), ev('a2', 'team.a')]);
    metadata(home.path);
    const ac = new AbortController();
    const got: FlowtrailEvent[] = [];
    const reading = (async () => {
      for await (const e of streamEvents(
        { related: { id: ['team.a'], role: ['owner'] } },
        { signal: ac.signal, pollMs: 20 },
      )) {
        got.push(e);
        if (got.length === 2) {
          // Live part: one matching, one not, and a duplicate id of an already delivered event.
          const dup = { ...got[0]!, received: new Date() };
          await stores.events.append([ev('b2', 'team.b'), ev('a3', 'team.a'), dup]);
        }
        if (got.length === 3) ac.abort();
      }
    })();
    const timeout = setTimeout(() => ac.abort(), 10_000);
    await reading;
    clearTimeout(timeout);
    expect(got.map((e) => e.event)).toEqual(['a1', 'a2', 'a3']);
    expect(new Set(got.map((e) => e.id)).size).toBe(3);
  });

  it('sees events written by another process', async () => {
    await using home = await tempHome();
    await using writer = openEmbeddedStores(home.path);
    metadata(home.path);
    await writer.events.append([ev('first', 'team.a')]);
    const ac = new AbortController();
    const got: string[] = [];
    const { spawn } = await import('node:child_process');
    const reading = (async () => {
      for await (const e of streamEvents({}, { signal: ac.signal, pollMs: 20 })) {
        got.push(e.event);
        if (got.length === 1) {
          const child = spawn(
            process.execPath,
            [
              '--import',
              'tsx',
              '-e',
              `import { openEmbeddedStores } from './src/testing/index.ts'; import { validateEvent } from './src/events/validate-event.ts';
               const s = openEmbeddedStores(${JSON.stringify(home.path)});
               await s.events.append([validateEvent({ event: 'from.child', resource: { 'flowtrail.resource.id': 'x' } })]);
               await s.close();`,
            ],
            { stdio: 'inherit' },
          );
          await new Promise((r) => child.once('exit', r));
        }
        if (got.length === 2) ac.abort();
      }
    })();
    const timeout = setTimeout(() => ac.abort(), 20_000);
    await reading;
    clearTimeout(timeout);
    expect(got).toEqual(['first', 'from.child']);
  });
});

describe('subscribeEvents polling', () => {
  it('leaves no abort listener behind per poll', async () => {
    await using h = await tempHome();
    await using stores = openEmbeddedStores(h.path);
    const ac = new AbortController();
    const seen = (async () => {
      for await (const _ of subscribeEvents(stores.events, {}, { pollMs: 1, signal: ac.signal })) {
        // no events are written
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    // Dozens of polls have slept on the signal by now; at most the current sleep listens.
    expect(getEventListeners(ac.signal, 'abort').length).toBeLessThanOrEqual(1);
    ac.abort();
    await seen;
  });
});
