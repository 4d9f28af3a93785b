/**
 * The `run-deployment` action: its parameters rendered for the firing (a whole-value template
 * keeps its type), then a run started by the engine with the action record's id as the
 * idempotency key — one run per action of a firing, however often the action is executed again
 * (after a crash, a lost answer).
 */
import type { RunDeploymentAction } from '../../automations/model.ts';
import type { ActionContext, ActionDone, ActionServices } from './action-services.ts';
import { runTarget } from './action-targets.ts';
import { actionField, rendered, templateContext } from './action-templates.ts';

export async function runDeployment(
  action: RunDeploymentAction,
  context: ActionContext,
  services: ActionServices,
): Promise<ActionDone> {
  const parameters = rendered(() =>
    services.templates.renderValue(
      action.parameters,
      templateContext(context),
      `${actionField(context)}.parameters`,
    ),
  ) as Record<string, unknown>;
  const { runPathspec } = await services.startDeploymentRun({
    deployment: action.deployment,
    parameters,
    idempotencyKey: context.record.id,
    automation: context.automation,
    firing: context.firing,
    events: context.events,
  });
  return { message: `started ${runPathspec}`, target: runTarget(runPathspec) };
}
