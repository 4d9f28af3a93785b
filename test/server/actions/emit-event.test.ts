/** The emit-event action: templated fields, `follows` the triggering event, validated like any user event. */
import { describe, expect, it } from 'vitest';
import type { EmitEventAction } from '../../../src/automations/model.ts';
import { executeAction } from '../../../src/server/actions/execute-action.ts';
import { actionHarness, actionStory, datasetEvent, T0 } from './action-fixture.ts';

const emit = (overrides: Partial<EmitEventAction> = {}): EmitEventAction => ({
  type: 'emit-event',
  event: 'report.{{ event.payload.region }}.requested',
  resource: {
    'flowtrail.resource.id': 'report.{{ event.resource["flowtrail.resource.name"] }}',
    'acme.owner': '{{ automation.name }}',
  },
  related: [
    {
      'flowtrail.resource.id': '{{ event.resource["flowtrail.resource.id"] }}',
      'flowtrail.resource.role': 'source',
    },
  ],
  payload: { rows: '{{ event.payload.rows }}', note: 'rows: {{ event.payload.rows }}', fixed: true },
  ...overrides,
});

describe('emit-event', () => {
  it('appends the rendered event, following the triggering one, and relates it as the target', async () => {
    await using h = await actionHarness();
    const context = await h.context(emit());

    const outcome = await executeAction(context, h.services);

    const emitted = (await h.emitted()).filter((e) => e.event === 'report.eu.requested');
    expect(emitted).toHaveLength(1);
    const [event] = emitted;
    expect(event!.resource).toEqual({ 'flowtrail.resource.id': 'report.sales', 'acme.owner': 'on-dataset' });
    expect(event!.related).toEqual([
      { 'flowtrail.resource.id': 'dataset.sales', 'flowtrail.resource.role': 'source' },
    ]);
    expect(event!.payload).toEqual({ rows: 42, note: 'rows: 42', fixed: true });
    expect(event!.follows).toBe(context.events[0]!.id);
    expect(event!.occurred.getTime()).toBeGreaterThan(T0);

    expect(outcome).toEqual({
      status: 'executed',
      attempts: 1,
      message: `emitted report.eu.requested (${event!.id})`,
      target: `flowtrail.event.${event!.id}`,
    });
    const story = actionStory(await h.emitted());
    expect(story.map((e) => [e.event, e.target])).toEqual([
      ['flowtrail.automation.action.triggered', null],
      ['flowtrail.automation.action.executed', `flowtrail.event.${event!.id}`],
    ]);
  });

  it('does not follow a triggering event received long ago (its leader may be forgotten)', async () => {
    await using h = await actionHarness();
    const old = datasetEvent({ occurred: new Date(T0 - 86_400_000) });
    old.received = new Date(T0 - 3_600_000);
    const outcome = await executeAction(await h.context(emit(), { event: old }), h.services);
    const [event] = (await h.emitted()).filter((e) => e.event === 'report.eu.requested');
    expect(outcome.status).toBe('executed');
    expect(event!.follows).toBeNull();
  });

  it('fails with the validation reason when the rendered name is invalid or reserved', async () => {
    await using h = await actionHarness();
    const spaced = await executeAction(
      await h.context(emit({ event: 'report {{ event.payload.region }}' })),
      h.services,
    );
    expect(spaced.status).toBe('failed');
    expect(spaced.message).toMatch(/^The rendered event is invalid at 'event': /);

    const reserved = await executeAction(
      await h.context(emit({ event: 'flowtrail.{{ event.payload.region }}' })),
      h.services,
    );
    expect(reserved.status).toBe('failed');
    expect(reserved.message).toContain("reserved prefix 'flowtrail.'");
    const failed = actionStory(await h.emitted()).filter(
      (e) => e.event === 'flowtrail.automation.action.failed',
    );
    expect(failed.map((e) => e.payload.reason)).toEqual([spaced.message, reserved.message]);
  });

  it('fails when the resource renders without an id', async () => {
    await using h = await actionHarness();
    const outcome = await executeAction(
      await h.context(emit({ resource: { 'flowtrail.resource.id': '{{ event.payload.missing }}' } })),
      h.services,
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(`The rendered event is invalid at 'resource["flowtrail.resource.id"]'`);
  });
});
