/**
 * The `pause-automation` / `resume-automation` actions: the named automation, or the one the
 * firing is about (a `flowtrail.automation.<id>` resource), disabled / enabled. Setting the state
 * it already has is no failure.
 */
import type { AutomationStateAction } from '../../automations/model.ts';
import { resourceIds } from '../../events/lifecycle.ts';
import { ActionFailure } from './action-failure.ts';
import type { ActionContext, ActionDone, ActionServices } from './action-services.ts';
import { inferAutomation } from './action-targets.ts';

export async function setAutomationState(
  action: AutomationStateAction,
  context: ActionContext,
  services: ActionServices,
): Promise<ActionDone> {
  const id = action.automation ?? inferAutomation(context);
  if (id === null)
    throw new ActionFailure(
      "No automation to act on: the triggering event has no flowtrail.automation.* resource; name the automation's id in the action's 'automation'.",
    );
  const pause = action.type === 'pause-automation';
  let record: Awaited<ReturnType<ActionServices['automations']['setEnabled']>>;
  try {
    record = await services.automations.setEnabled(id, !pause, services.now());
  } catch (error) {
    throw ActionFailure.wrap(error, { id: resourceIds.automation(id), name: id });
  }
  if (record === undefined)
    throw new ActionFailure(`No automation '${id}' in ${services.automations.location}.`, {
      target: { id: resourceIds.automation(id), name: id },
    });
  return {
    message: `${pause ? 'paused' : 'resumed'} automation '${record.name}'`,
    target: { id: resourceIds.automation(id), name: record.name },
  };
}
