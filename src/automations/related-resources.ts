/**
 * The resources an automation relates to: what "automations related to X" lists (the UI's panel on
 * a deployment, run or resource page). Computed once when the automation is saved and stored as
 * links, so the lookup is an index probe, not an evaluation of every automation.
 *
 * - its owner (`ownerResource`);
 * - the deployments its actions run, pause or resume (`flowtrail.deployment.F`);
 * - the automations its actions pause or resume by id (`flowtrail.automation.<id>`);
 * - the resource ids its event triggers name literally (no glob characters, not negated) in
 *   `match` or `matchRelated` under `flowtrail.resource.id`.
 */

import type { LabelSpec } from '../events/filter.ts';
import { globLiteral } from '../events/glob.ts';
import { parseLabelPattern, patternList } from '../events/label-pattern.ts';
import { resourceIds } from '../events/lifecycle.ts';
import { RESOURCE_ID } from '../events/model.ts';
import type { Automation, AutomationAction } from './model.ts';
import { placeTriggers } from './trigger-match.ts';

/** The literal, positive resource ids of a label spec. */
function literalIds(spec: LabelSpec): string[] {
  const value = Object.hasOwn(spec, RESOURCE_ID) ? spec[RESOURCE_ID] : undefined;
  if (value === undefined) return [];
  const ids: string[] = [];
  for (const p of patternList(value)) {
    const { negated, glob } = parseLabelPattern(p);
    const literal = negated ? undefined : globLiteral(glob);
    if (literal) ids.push(literal);
  }
  return ids;
}

function actionTarget(action: AutomationAction): string | null {
  switch (action.type) {
    case 'run-deployment':
      return resourceIds.deployment(action.deployment);
    case 'pause-deployment':
    case 'resume-deployment':
      return action.deployment === null ? null : resourceIds.deployment(action.deployment);
    case 'pause-automation':
    case 'resume-automation':
      return action.automation === null ? null : resourceIds.automation(action.automation);
    default:
      return null;
  }
}

/**
 * The resource ids an automation relates to, sorted and without repeats.
 *
 * @example
 * relatedResources(automation); // ['flowtrail.deployment.NightlyFlow', 'flowtrail.run.NightlyFlow/12']
 */
export function relatedResources(automation: Automation): string[] {
  const ids = new Set<string>();
  if (automation.ownerResource !== null) ids.add(automation.ownerResource);
  for (const action of [
    ...automation.actions,
    ...automation.actionsOnTrigger,
    ...automation.actionsOnResolve,
  ]) {
    const target = actionTarget(action);
    if (target !== null) ids.add(target);
  }
  for (const { trigger } of placeTriggers(automation.trigger)) {
    if (trigger.type !== 'event') continue;
    for (const id of literalIds(trigger.match)) ids.add(id);
    for (const spec of trigger.matchRelated) for (const id of literalIds(spec)) ids.add(id);
  }
  return [...ids].sort();
}
