/** The automation shapes the UI handles, named from the generated API types. */
import type { Schemas } from '../../api/client.ts';

export type AutomationRecord = Schemas['Automation'];
export type AutomationInput = Schemas['AutomationInput'];
export type AutomationTrigger = Schemas['AutomationTrigger'];
export type EventTrigger = Schemas['EventTrigger'];
export type AutomationAction = Schemas['AutomationAction'];
export type ActionType = AutomationAction['type'];
export type HistoryEntry = Schemas['AutomationHistoryEntry'];

/** Every action type, in the order the editor offers them. */
export const ACTION_TYPES: readonly ActionType[] = [
  'emit-event',
  'run-deployment',
  'call-webhook',
  'pause-deployment',
  'resume-deployment',
  'pause-automation',
  'resume-automation',
  'cancel-run',
  'do-nothing',
];

/** The label on which a trigger matches its resource (and the editor's "resource id" field). */
export const RESOURCE_ID = 'flowtrail.resource.id';

/** The flow of a deployment's own automation (`ownerResource` `flowtrail.deployment.F`), or null. */
export function ownerDeployment(a: Pick<AutomationRecord, 'ownerResource'>): string | null {
  const prefix = 'flowtrail.deployment.';
  return a.ownerResource?.startsWith(prefix) ? a.ownerResource.slice(prefix.length) : null;
}
