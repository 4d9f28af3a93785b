/**
 * An event → the automation that reacts to more of it: what the web UI's "Automate" button and
 * `flowtrail automations create --from-event ID` prefill. The trigger is on that event's resource
 * (its id matched exactly) and name; reactive by default (fire on every match), or proactive (fire
 * when no such event comes within a window). Pure: no store, no validation — the caller validates
 * the draft (`validateAutomation`), so a bad option is named where it lands (`trigger.within`).
 */
import { exactLabelPattern } from '../events/label-pattern.ts';
import { type FlowtrailEvent, RESOURCE_ID, RESOURCE_NAME } from '../events/model.ts';
import type { AutomationActionInput, AutomationInput, DurationInput } from './automation-input.ts';
import type { Posture } from './model.ts';

export interface AutomationDraftOptions {
  /** `reactive` (default): fire on every such event. `proactive`: fire when none comes within `within`. */
  posture?: Posture;
  /** The window: required for `proactive` (at least 10 s); reactive default 0 (every event fires). */
  within?: DurationInput;
  /** Default: `<event> on <resource name>` (proactive: `no <event> on <resource name> within <within>`). */
  name?: string;
  /** Default: one `do-nothing` action (the automation only records its firings). */
  actions?: readonly AutomationActionInput[];
}

const MAX_NAME = 200;

/**
 * The automation input drafted from an event.
 *
 * @example
 * draftFromEvent(event, { posture: 'proactive', within: '10m' });
 * // { name: 'no dataset.refreshed on sales within 10m', trigger: { type: 'event', posture: 'proactive',
 * //   match: { 'flowtrail.resource.id': 'dataset.sales' }, expect: ['dataset.refreshed'], within: '10m', … }, … }
 */
export function draftFromEvent(
  event: Pick<FlowtrailEvent, 'id' | 'event' | 'resource'>,
  options: AutomationDraftOptions = {},
): AutomationInput {
  const posture = options.posture ?? 'reactive';
  const resourceId = event.resource[RESOURCE_ID] ?? '';
  const resourceName = event.resource[RESOURCE_NAME] || resourceId;
  const within = options.within ?? (posture === 'reactive' ? 0 : undefined);
  const name =
    posture === 'reactive'
      ? `${event.event} on ${resourceName}`
      : `no ${event.event} on ${resourceName}${within === undefined ? '' : ` within ${within}`}`;
  return {
    name: options.name ?? (name.length > MAX_NAME ? `${name.slice(0, MAX_NAME - 1)}…` : name),
    description: `Drafted from event ${event.id} (${event.event} on ${resourceId}).`,
    trigger: {
      type: 'event',
      match: { [RESOURCE_ID]: exactLabelPattern(resourceId) },
      expect: [event.event],
      posture,
      threshold: 1,
      ...(within === undefined ? {} : { within }),
    },
    actions: options.actions ?? [{ type: 'do-nothing' }],
  };
}
