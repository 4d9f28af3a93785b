/**
 * The `cancel-run` action: the run its template names, or the one the firing is about (its
 * `flowtrail.resource.id` label, else the first run resource of the triggering event), cancelled
 * through the engine's `cancelRun`.
 */
import type { CancelRunAction } from '../../automations/model.ts';
import { ActionFailure } from './action-failure.ts';
import type { ActionContext, ActionDone, ActionServices } from './action-services.ts';
import { inferRun, runPathspecOf, runTarget } from './action-targets.ts';
import { actionField, rendered, templateContext } from './action-templates.ts';

export async function cancelRun(
  action: CancelRunAction,
  context: ActionContext,
  services: ActionServices,
): Promise<ActionDone> {
  const template = action.run;
  const run =
    template === null
      ? inferRun(context)
      : rendered(() =>
          services.templates.renderText(template, templateContext(context), `${actionField(context)}.run`),
        ).trim();
  if (run === null)
    throw new ActionFailure(
      "No run to cancel: the firing has no 'flowtrail.resource.id' label naming a run and its event no flowtrail.run.* resource; name the run in the action's 'run'.",
    );
  if (!runPathspecOf(run))
    throw new ActionFailure(
      `'${run}' is not a run's pathspec (such as NightlyFlow/12); nothing was cancelled.`,
    );
  const target = runTarget(run);
  const { id, name } = context.automation;
  try {
    await services.cancelRun(run, `Cancelled by automation '${name}' (${id})`);
  } catch (error) {
    throw ActionFailure.wrap(error, target);
  }
  return { message: `cancelled ${run}`, target };
}
