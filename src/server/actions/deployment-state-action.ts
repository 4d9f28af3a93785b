/**
 * The `pause-deployment` / `resume-deployment` actions: the named deployment, or the one the
 * firing is about (a deployment resource, or the flow of a run resource), set `paused` / `active`.
 * Setting the state it already has is no failure. Like every pause, it emits
 * `flowtrail.deployment.paused` / `resumed`.
 */
import type { DeploymentStateAction } from '../../automations/model.ts';
import { resourceIds } from '../../events/lifecycle.ts';
import { setDeploymentStatus } from '../../store/deployment-status.ts';
import { ActionFailure } from './action-failure.ts';
import type { ActionContext, ActionDone, ActionServices } from './action-services.ts';
import { inferDeployment } from './action-targets.ts';

export async function setDeploymentState(
  action: DeploymentStateAction,
  context: ActionContext,
  services: ActionServices,
): Promise<ActionDone> {
  const flow = action.deployment ?? inferDeployment(context);
  if (flow === null)
    throw new ActionFailure(
      "No deployment to act on: the triggering event has no flowtrail.deployment.* or flowtrail.run.* resource; name the deployment in the action's 'deployment'.",
    );
  const target = { id: resourceIds.deployment(flow), name: flow };
  const pause = action.type === 'pause-deployment';
  let found: boolean;
  try {
    found = await setDeploymentStatus(
      services.deployments,
      services.events,
      flow,
      pause ? 'paused' : 'active',
      services.now(),
    );
  } catch (error) {
    throw ActionFailure.wrap(error, target);
  }
  if (!found)
    throw new ActionFailure(
      `No deployment '${flow}' in ${services.deployments.location}; deploy the flow first (flowtrail deploy).`,
      { target },
    );
  return { message: `${pause ? 'paused' : 'resumed'} deployment ${flow}`, target };
}
