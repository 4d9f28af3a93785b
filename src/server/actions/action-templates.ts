/**
 * Rendering an action's templates for its firing. A template that does not render (a limit
 * broken, an error inside it) is the action's own failure, named by its field
 * (`actions[0].parameters.n`), not an error of the engine.
 */
import { firingContext, type TemplateContext } from '../../automations/templates.ts';
import { ValidationError } from '../../core/errors.ts';
import { ActionFailure } from './action-failure.ts';
import type { ActionContext } from './action-services.ts';

/** What the action's templates see. */
export const templateContext = (context: ActionContext): TemplateContext =>
  firingContext(context.automation, context.firing.firing);

/** The action's path in its automation (`actions[0]`, `actionsOnTrigger[1]`), for messages. */
export const actionField = (context: ActionContext): string =>
  `${context.record.list}[${context.record.index}]`;

/** Runs a render; a template error becomes the action's failure. */
export function rendered<T>(render: () => T): T {
  try {
    return render();
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ActionFailure(`Template rendering failed: ${error.message}`);
    throw error;
  }
}
