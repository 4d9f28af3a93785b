/**
 * A deployment's `@trigger` / `@triggerOnFinish` as the automation it owns: one evaluation path
 * for every trigger. The automation is derived from the deployment (never edited by itself), so it
 * is rewritten whenever the deployment is (re-)deployed, paused or resumed, and deleted with it.
 *
 * - one dependency: a reactive event trigger that fires on every match;
 * - several: a compound trigger requiring all of them, each within the reset window of the newest
 *   (the AND of issue 6: the latest arrival of each dependency counts, a firing consumes them all).
 *
 * Its single action starts a run of the deployment; the engine maps the trigger events' payloads to
 * parameters with the deployment's own mappings (`mapTriggerParameters`) for an owned automation.
 */
import { createHash } from 'node:crypto';
import type { Automation, EventTrigger, Trigger } from '../automations/model.ts';
import type { TriggerState } from '../automations/trigger-state.ts';
import { flowOfPathspec } from '../core/pathspec.ts';
import { RUN_COMPLETED_EVENT, resourceIds } from '../events/lifecycle.ts';
import { RESOURCE_ID } from '../events/model.ts';
import type { ArrivedDependency, DeploymentRecord } from './deployment-store.ts';

/** The owner resource of a deployment's automation. */
export const deploymentResource = resourceIds.deployment;

/** A stable UUID-shaped id (version 8, name-based) for the automation a deployment owns. */
export function ownedAutomationId(flow: string): string {
  const h = createHash('sha256').update(`flowtrail.deployment\n${flow}`).digest('hex');
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The flow whose deployment owns this automation (its id is that deployment's
 * {@link ownedAutomationId}), or null for an automation users own.
 */
export function owningDeployment(automation: Pick<Automation, 'id' | 'ownerResource'>): string | null {
  const prefix = deploymentResource('');
  const owner = automation.ownerResource;
  if (owner === null || !owner.startsWith(prefix)) return null;
  const flow = owner.slice(prefix.length);
  return automation.id === ownedAutomationId(flow) ? flow : null;
}

const reactive = (expect: string, match: Record<string, string>): EventTrigger => ({
  type: 'event',
  match,
  matchRelated: [],
  after: [],
  expect: [expect],
  forEach: [],
  posture: 'reactive',
  threshold: 1,
  withinMs: 0,
});

/** The automation a deployment owns, or null when it has no event or flow trigger. */
export function ownedAutomationOf(deployment: DeploymentRecord): Automation | null {
  const { events, flows, resetWindowMs } = deployment.triggers;
  const leaves: Trigger[] = [
    ...events.map((e) => reactive(e.name, {})),
    ...flows.map((f) => reactive(RUN_COMPLETED_EVENT, { [RESOURCE_ID]: `flowtrail.run.${f}/*` })),
  ];
  if (leaves.length === 0) return null;
  const trigger: Trigger =
    leaves.length === 1
      ? leaves[0]!
      : { type: 'compound', triggers: leaves, require: 'all', withinMs: resetWindowMs };
  return {
    id: ownedAutomationId(deployment.flow),
    name: `${deployment.flow} (deployment triggers)`,
    description: `The @trigger / @triggerOnFinish of deployment ${deployment.flow}; re-deploy the flow to change them.`,
    enabled: deployment.status === 'active',
    tags: [],
    trigger,
    actions: [{ type: 'run-deployment', deployment: deployment.flow, parameters: {} }],
    actionsOnTrigger: [],
    actionsOnResolve: [],
    ownerResource: deploymentResource(deployment.flow),
  };
}

/** The dependency keys of a deployment, in the order of its automation's trigger leaves. */
export function dependencyKeys(deployment: DeploymentRecord): string[] {
  return [
    ...deployment.triggers.events.map((e) => `event:${e.name}`),
    ...deployment.triggers.flows.map((f) => `run:${f}`),
  ];
}

/**
 * What has arrived and waits for the others (AND), read from the owned automation's trigger state:
 * the latest firing of each of its compound trigger's children. A single dependency never waits.
 */
export function ownedArrivals(deployment: DeploymentRecord, state: TriggerState | null): ArrivedDependency[] {
  const keys = dependencyKeys(deployment);
  if (keys.length < 2 || state === null) return [];
  const out: ArrivedDependency[] = [];
  for (const composite of Object.values(state.composites)) {
    if (composite.trigger !== 'trigger') continue;
    for (const { index, firing } of composite.children) {
      const dependency = keys[index];
      if (dependency === undefined) continue;
      out.push({
        flow: deployment.flow,
        dependency,
        eventId: firing.event?.id ?? firing.id,
        occurred: firing.at,
      });
    }
  }
  return out.sort((a, b) => a.dependency.localeCompare(b.dependency));
}

/** A deployment's trigger events in the order of its dependencies (how its runs record their causes). */
export function inDependencyOrder<E extends { event: string; resource: Record<string, string> }>(
  deployment: DeploymentRecord,
  events: readonly E[],
): E[] {
  const keys = dependencyKeys(deployment);
  const rank = (e: E): number => {
    const id = e.resource[RESOURCE_ID] ?? '';
    const key =
      e.event === RUN_COMPLETED_EVENT && id.startsWith('flowtrail.run.')
        ? `run:${flowOfPathspec(id.slice('flowtrail.run.'.length))}`
        : `event:${e.event}`;
    const i = keys.indexOf(key);
    return i < 0 ? keys.length : i;
  };
  return [...events].sort((a, b) => rank(a) - rank(b));
}
