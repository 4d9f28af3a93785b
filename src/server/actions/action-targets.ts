/**
 * What an action acts on when it names no target: the firing's `flowtrail.resource.id` label first
 * (so a proactive trigger with `forEach: ['flowtrail.resource.id']` knows its resource even when no
 * event came), then the triggering event's primary resource, then its related resources in order.
 */
import { eventFromJSON } from '../../automations/event-json.ts';
import { MINUTE_MS } from '../../core/duration.ts';
import { isValidFlowName, type Pathspec, parsePathspec, pathspecLevel } from '../../core/pathspec.ts';
import { resourceIds } from '../../events/lifecycle.ts';
import { type FlowtrailEvent, RESOURCE_ID } from '../../events/model.ts';
import type { ActionContext } from './action-services.ts';

/** `flowtrail.run.` — `resourceIds.run` with the pathspec left out. */
const RUN_PREFIX = 'flowtrail.run.';
const DEPLOYMENT_PREFIX = resourceIds.deployment('');
const AUTOMATION_PREFIX = resourceIds.automation('');

/**
 * The event a firing acted on: the one its trigger counted last (as loaded, else as the firing
 * kept it), else the latest of its events; null for a proactive firing that saw none.
 */
export function triggeringEvent(context: Pick<ActionContext, 'firing' | 'events'>): FlowtrailEvent | null {
  const kept = context.firing.firing.event;
  if (kept) return context.events.find((e) => e.id === kept.id) ?? eventFromJSON(kept);
  return context.events.at(-1) ?? null;
}

/** Only a leader this recent is followed: one the engine may have forgotten would park the follower. */
const FOLLOWS_WINDOW_MS = 5 * MINUTE_MS;

/**
 * The id an event caused by the firing follows: the triggering event's, when it was received less
 * than 5 minutes ago. An older leader (a proactive window's last event, a replayed backlog) may be
 * gone from the engine's seen set, and its follower would then wait for it (`automations/ordering.ts`).
 */
export function followsTriggering(
  context: Pick<ActionContext, 'firing' | 'events'>,
  now: number,
): string | null {
  const event = triggeringEvent(context);
  return event && now - event.received.getTime() < FOLLOWS_WINDOW_MS ? event.id : null;
}

/** Resource ids the firing points at, most specific first. */
function candidateIds(context: ActionContext): string[] {
  const ids: string[] = [];
  const label = context.firing.firing.labels[RESOURCE_ID];
  if (label) ids.push(label);
  const event = triggeringEvent(context);
  if (event) ids.push(event.resource[RESOURCE_ID], ...event.related.map((r) => r[RESOURCE_ID]));
  return ids;
}

/** A run's pathspec, if `text` is one (`Flow/12`). */
export function runPathspecOf(text: string): Pathspec | null {
  try {
    const parsed = parsePathspec(text);
    return pathspecLevel(parsed) === 'run' ? parsed : null;
  } catch {
    return null;
  }
}

const runOfResource = (id: string) =>
  id.startsWith(RUN_PREFIX) ? runPathspecOf(id.slice(RUN_PREFIX.length)) : null;

/** A run as an action's target. */
export const runTarget = (pathspec: string): { id: string; name: string } => ({
  id: `${RUN_PREFIX}${pathspec}`,
  name: pathspec,
});

/** The run (`Flow/12`) the firing is about, or null. */
export function inferRun(context: ActionContext): string | null {
  for (const id of candidateIds(context)) if (runOfResource(id)) return id.slice(RUN_PREFIX.length);
  return null;
}

/** The deployment (its flow's name) the firing is about: a deployment resource or a run's flow. */
export function inferDeployment(context: ActionContext): string | null {
  for (const id of candidateIds(context)) {
    const run = runOfResource(id);
    if (run) return run.flow;
    if (id.startsWith(DEPLOYMENT_PREFIX) && isValidFlowName(id.slice(DEPLOYMENT_PREFIX.length)))
      return id.slice(DEPLOYMENT_PREFIX.length);
  }
  return null;
}

/** The automation (its id) the firing is about: a `flowtrail.automation.<id>` resource. */
export function inferAutomation(context: ActionContext): string | null {
  for (const id of candidateIds(context))
    if (id.startsWith(AUTOMATION_PREFIX) && id.length > AUTOMATION_PREFIX.length)
      return id.slice(AUTOMATION_PREFIX.length);
  return null;
}
