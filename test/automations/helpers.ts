import { randomUUID } from 'node:crypto';
import type { Automation } from '../../src/automations/model.ts';
import { onEvent, onTick } from '../../src/automations/trigger-evaluation.ts';
import type { Firing, TriggerState } from '../../src/automations/trigger-state.ts';
import { validateAutomation } from '../../src/automations/validate-automation.ts';
import type { FlowtrailEvent } from '../../src/events/model.ts';

/** A fixed origin for event times (ms), so failures print readable offsets. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const sec = (s: number) => T0 + s * 1000;

export interface EventOptions {
  id?: string;
  resource?: Record<string, string>;
  related?: Record<string, string>[];
  payload?: Record<string, unknown>;
  follows?: string | null;
  /** Received time (default: occurred). */
  received?: number;
}

/** An event named `name` that occurred at `at` (ms). */
export function ev(name: string, at: number, o: EventOptions = {}): FlowtrailEvent {
  return {
    id: o.id ?? randomUUID(),
    occurred: new Date(at),
    event: name,
    resource: { 'flowtrail.resource.id': 'animal.1', ...o.resource },
    related: (o.related ?? []).map((r) => ({
      'flowtrail.resource.id': 'x',
      'flowtrail.resource.role': 'x',
      ...r,
    })) as FlowtrailEvent['related'],
    payload: o.payload ?? {},
    follows: o.follows ?? null,
    received: new Date(o.received ?? at),
  };
}

/** An automation with this trigger (given as JSON) and a do-nothing action. */
export function automationWith(trigger: unknown): Automation {
  return validateAutomation({ name: 'test', trigger, actions: [{ type: 'do-nothing' }] });
}

/** Feeds events one by one (engine clock = each event's occurred) and collects the firings. */
export function feed(state: TriggerState, automation: Automation, events: FlowtrailEvent[]): Firing[] {
  const out: Firing[] = [];
  for (const e of events) out.push(...onEvent(state, automation, e, e.occurred.getTime()).firings);
  return out;
}

export const tick = (state: TriggerState, automation: Automation, at: number): Firing[] =>
  onTick(state, automation, at).firings;
