import { describe, expectTypeOf, it } from 'vitest';
import {
  type AutomationInput,
  type AutomationRecord,
  automationHistory,
  createAutomation,
  type FiringHistoryEntry,
  replaceAutomation,
} from '../../src/index.ts';

describe('automation API types', () => {
  it('a saved record is a valid input (read, change, write back)', () => {
    expectTypeOf<AutomationRecord>().toExtend<AutomationInput>();
    expectTypeOf(replaceAutomation).parameter(1).toEqualTypeOf<AutomationInput>();
    expectTypeOf(createAutomation).returns.resolves.toEqualTypeOf<AutomationRecord>();
    expectTypeOf(automationHistory).returns.resolves.toEqualTypeOf<FiringHistoryEntry[]>();
  });

  it('refuses inputs the validator would refuse', () => {
    // @ts-expect-error: an event trigger needs `expect`
    void createAutomation({ name: 'n', trigger: { type: 'event' }, actions: [] });
    // @ts-expect-error: 'metric' is no trigger type
    void createAutomation({ name: 'n', trigger: { type: 'metric' }, actions: [] });
    const trigger = { type: 'event', expect: ['*'] } as const;
    // @ts-expect-error: run-deployment needs its deployment
    void createAutomation({ name: 'n', trigger, actions: [{ type: 'run-deployment' }] });
  });
});
