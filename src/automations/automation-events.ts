/**
 * The events Flowtrail emits about automations: their saving (`created`, `updated`, `deleted`),
 * each firing (`flowtrail.automation.triggered`) and each action's course
 * (`flowtrail.automation.action.triggered|executed|failed`). The resource is always the automation
 * (`flowtrail.automation.<id>`), so one filter on it shows an automation's whole story in the feed.
 */
import { related, resourceIds, systemEvent } from '../events/lifecycle.ts';
import type { FlowtrailEvent, RelatedResource } from '../events/model.ts';
import type { Automation, AutomationAction } from './model.ts';
import type { Firing } from './trigger-state.ts';

/** The resource id of an event, for an automation's `related` list. */
export const eventResourceId = (eventId: string): string => `flowtrail.event.${eventId}`;

const automationResource = (automation: Pick<Automation, 'id' | 'name'>) => ({
  'flowtrail.resource.id': resourceIds.automation(automation.id),
  'flowtrail.resource.name': automation.name,
});

/** The ids of the events behind a firing, oldest first (its own event and its children's). */
export function firingEventIds(firing: Firing): string[] {
  const ids: string[] = [];
  const visit = (f: Firing) => {
    for (const child of f.children) visit(child);
    if (f.event && !ids.includes(f.event.id)) ids.push(f.event.id);
  };
  visit(firing);
  return ids;
}

export function automationChangedEvent(
  automation: Pick<Automation, 'id' | 'name' | 'ownerResource'>,
  change: 'created' | 'updated' | 'deleted',
  at: number,
): FlowtrailEvent {
  const rel: RelatedResource[] = automation.ownerResource
    ? [related(automation.ownerResource, 'owner', automation.ownerResource)]
    : [];
  return systemEvent(`flowtrail.automation.${change}`, automationResource(automation), rel, {}, at);
}

/**
 * A firing of an automation: related to each triggering event (role `triggering-event`), follows
 * the latest of them; the payload holds the firing's id, trigger path, labels and, per event
 * trigger that took part, how many events it counted.
 */
export function automationTriggeredEvent(
  automation: Pick<Automation, 'id' | 'name'>,
  firing: Firing,
  at: number,
): FlowtrailEvent {
  const ids = firingEventIds(firing);
  const rel = ids.map((id) => related(eventResourceId(id), 'triggering-event', id));
  return systemEvent(
    'flowtrail.automation.triggered',
    automationResource(automation),
    rel,
    {
      firing: firing.id,
      trigger: firing.trigger,
      labels: firing.labels,
      at: new Date(firing.at).toISOString(),
      events: ids.length,
    },
    at,
    ids.at(-1) ?? null,
  );
}

export type ActionPhase = 'triggered' | 'executed' | 'failed';

/**
 * An action's course. `target` is what it acted on (a run it started, a deployment it paused),
 * related with role `target`; a failed action carries `reason`.
 */
export function automationActionEvent(
  automation: Pick<Automation, 'id' | 'name'>,
  input: {
    phase: ActionPhase;
    firing: string;
    /** The action record's id (`firing:list:index`). */
    action: string;
    type: AutomationAction['type'];
    target?: { id: string; name: string } | null;
    reason?: string | null;
    /** The `flowtrail.automation.triggered` (or previous action) event this one follows. */
    follows?: string | null;
  },
  at: number,
): FlowtrailEvent {
  const rel: RelatedResource[] = input.target ? [related(input.target.id, 'target', input.target.name)] : [];
  const payload: Record<string, unknown> = { firing: input.firing, action: input.action, type: input.type };
  if (input.reason) payload.reason = input.reason;
  return systemEvent(
    `flowtrail.automation.action.${input.phase}`,
    automationResource(automation),
    rel,
    payload,
    at,
    input.follows ?? null,
  );
}
