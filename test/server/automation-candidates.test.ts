import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateAutomation } from '../../src/automations/validate-automation.ts';
import { exactLabelValues } from '../../src/events/label-pattern.ts';
import { AutomationEvaluator } from '../../src/server/engine/automation-evaluator.ts';
import { openSqliteStores } from '../../src/store/sql/sqlite/sqlite-stores.ts';
import { ev, sec, T0 } from '../automations/helpers.ts';

describe('exact label values (the candidate index)', () => {
  it('lists the values only exact, positive patterns allow', () => {
    const key = 'flowtrail.resource.id';
    expect(exactLabelValues({ [key]: 'host.1' }, key)).toEqual(['host.1']);
    expect(exactLabelValues({ [key]: ['host.1', 'host.2'] }, key)).toEqual(['host.1', 'host.2']);
    expect(exactLabelValues({ [key]: 'host.[*]' }, key)).toBeNull(); // a class is not a literal
    expect(exactLabelValues({ [key]: 'host.*' }, key)).toBeNull();
    expect(exactLabelValues({ [key]: '!host.1' }, key)).toBeNull();
    expect(exactLabelValues({ [key]: ['host.1', '!host.2'] }, key)).toBeNull();
    expect(exactLabelValues({ other: 'x' }, key)).toBeNull();
  });
});

describe('the engine evaluates an event with the automations about its resource', () => {
  it('exact ids, lists, globs, several triggers and none: each fires for what it matches, in load order', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-candidates-'));
    const stores = openSqliteStores(path.join(dir, 'flowtrail.db'));
    try {
      const on = (match: Record<string, unknown>) => ({ type: 'event', expect: ['ping'], match });
      const specs: [string, unknown][] = [
        ['exact', on({ 'flowtrail.resource.id': 'host.1' })],
        ['list', on({ 'flowtrail.resource.id': ['host.2', 'host.3'] })],
        ['glob', on({ 'flowtrail.resource.id': 'host.*' })],
        ['any', on({})],
        // One leaf names a resource, the other does not: it must see every resource.
        [
          'mixed',
          {
            type: 'compound',
            require: 'any',
            triggers: [on({ 'flowtrail.resource.id': 'host.1' }), on({ kind: 'db' })],
          },
        ],
        ['other name', { type: 'event', expect: ['pong'], match: { 'flowtrail.resource.id': 'host.1' } }],
      ];
      const names = new Map<string, string>();
      for (const [name, trigger] of specs) {
        const a = validateAutomation({ name, trigger, actions: [{ type: 'do-nothing' }] });
        names.set((await stores.automations.create(a, T0)).id, name);
      }
      const evaluator = new AutomationEvaluator(stores.automations);
      await evaluator.refresh();
      const fired = (resource: Record<string, string>, name = 'ping') => {
        evaluator.evaluate([ev(name, sec(10), { resource, received: sec(10) })], sec(10));
        const { decisions } = evaluator.commit('test', null);
        evaluator.committed();
        // In the store's list order (by name), the order the engine loaded them in.
        return decisions.map((d) => names.get(d.automation.id));
      };
      expect(fired({ 'flowtrail.resource.id': 'host.1' })).toEqual(['any', 'exact', 'glob', 'mixed']);
      expect(fired({ 'flowtrail.resource.id': 'host.3' })).toEqual(['any', 'glob', 'list']);
      expect(fired({ 'flowtrail.resource.id': 'host.9', kind: 'db' })).toEqual(['any', 'glob', 'mixed']);
      expect(fired({ 'flowtrail.resource.id': 'db.1' })).toEqual(['any']);
      expect(fired({ 'flowtrail.resource.id': 'host.1' }, 'pong')).toEqual(['other name']);
    } finally {
      await stores.metadata.close();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
