/**
 * One character set for event names: what `emitEvent` accepts, `@trigger` accepts, so every event
 * that can be stored can trigger a flow.
 */
import { describe, expect, it } from 'vitest';
import { isEventName } from '../../src/events/event-name.ts';
import {
  artifactEvent,
  deploymentEvent,
  runEvent,
  stepEvent,
  taskEvent,
} from '../../src/events/lifecycle.ts';
import { validateEvent } from '../../src/events/validate-event.ts';
import { emitEvent, FlowSpec, step, trigger, ValidationError } from '../../src/index.ts';

abstract class Linear extends FlowSpec {
  @step({ next: 'end' })
  async start() {}

  @step()
  async end() {}
}

const resource = { 'flowtrail.resource.id': 'bank.acme' };

/** Whether `@trigger` takes the name. */
function triggerAccepts(name: string): boolean {
  try {
    @trigger({ event: name })
    class _Named extends Linear {}
    return true;
  } catch {
    return false;
  }
}

/** Whether event validation takes the name. */
function intakeAccepts(name: string): boolean {
  try {
    validateEvent({ event: name, resource });
    return true;
  } catch {
    return false;
  }
}

describe('event names', () => {
  it('emitEvent refuses a name @trigger refuses, saying which characters names use', async () => {
    expect(triggerAccepts('bank rejected!')).toBe(false);
    const error = await emitEvent({ event: 'bank rejected!', resource }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('event');
    expect((error as Error).message).toContain('letters, digits and _ . : -');
  });

  it('event validation and @trigger agree on every name', () => {
    const names = [
      'dataset.refreshed',
      'data_updated',
      'labels.ready',
      'x:y-z',
      'A9',
      '🙂',
      '👩‍💻.deployed',
      'bank rejected!',
      'has space',
      'a/b',
      'ünïcode',
      'tab\there',
      'semi;colon',
      'star*',
      'x'.repeat(1024),
      'x'.repeat(1025),
    ];
    for (const name of names) expect([name, triggerAccepts(name)]).toEqual([name, intakeAccepts(name)]);
  });

  it("Flowtrail's lifecycle event names are in the set", () => {
    const run = { flow: 'HelloFlow', runNumber: 1, tags: ['nightly'] };
    const lifecycle = [
      ...(['started', 'completed', 'failed', 'crashed', 'cancelled'] as const).map((a) =>
        runEvent(run, a, 0),
      ),
      ...(['started', 'completed'] as const).map((a) => stepEvent(run, 'start', a, 0)),
      ...(['started', 'completed', 'failed', 'retrying', 'cancelled'] as const).map((a) =>
        taskEvent(run, 'start', 1, a, 0),
      ),
      artifactEvent(run, 'start', 1, { name: 'x', sha: 'a'.repeat(64), size: 1, codec: 'raw' }, 0),
      deploymentEvent('HelloFlow', 'trigger_failed', {}, 0),
    ];
    for (const { event: name } of lifecycle) {
      expect([name, isEventName(name)]).toEqual([name, true]);
      expect(validateEvent({ event: name, resource }, { allowReserved: true }).event).toBe(name);
    }
  });
});
