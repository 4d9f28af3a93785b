/**
 * The `emit-event` action: name, resource, related resources and payload rendered for the firing,
 * then validated like any event a user emits (so a rendered name that is invalid or reserved, or a
 * resource without an id, fails the action with that reason), following the triggering event, and
 * appended to the feed — where other automations may see it.
 */
import { eventResourceId } from '../../automations/automation-events.ts';
import type { EmitEventAction } from '../../automations/model.ts';
import type { TemplateContext, TemplateEngine } from '../../automations/templates.ts';
import { ValidationError } from '../../core/errors.ts';
import { labelPath } from '../../events/describe-value.ts';
import { validateEvent } from '../../events/validate-event.ts';
import { ActionFailure } from './action-failure.ts';
import type { ActionContext, ActionDone, ActionServices } from './action-services.ts';
import { followsTriggering } from './action-targets.ts';
import { actionField, rendered, templateContext } from './action-templates.ts';

function renderLabels(
  labels: Record<string, string>,
  templates: TemplateEngine,
  context: TemplateContext,
  field: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(labels))
    out[key] = templates.renderText(text, context, labelPath(field, key));
  return out;
}

export async function emitEvent(
  action: EmitEventAction,
  context: ActionContext,
  services: ActionServices,
): Promise<ActionDone> {
  const { templates } = services;
  const data = templateContext(context);
  const field = actionField(context);
  const input = rendered(() => ({
    event: templates.renderText(action.event, data, `${field}.event`),
    resource: renderLabels(action.resource, templates, data, `${field}.resource`),
    related: action.related.map((r, i) => renderLabels(r, templates, data, `${field}.related[${i}]`)),
    payload: templates.renderValue(action.payload, data, `${field}.payload`) as Record<string, unknown>,
  }));
  const now = services.now();
  let event: ReturnType<typeof validateEvent>;
  try {
    event = validateEvent({ ...input, follows: followsTriggering(context, now) }, { now: new Date(now) });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ActionFailure(`The rendered event is invalid at '${error.field}': ${error.message}`);
  }
  await services.events.append([event]);
  return {
    message: `emitted ${event.event} (${event.id})`,
    target: { id: eventResourceId(event.id), name: event.event },
  };
}
