/**
 * Executing one action of one firing, with its story in the feed: `flowtrail.automation.action.triggered`
 * before it acts, then `…action.executed` (related: what it acted on, role `target`) or
 * `…action.failed` (payload `reason`), which follows the `triggered` one. An action's own failure
 * never throws: it is the outcome. Only an unreachable store or service does (the action is then
 * still `pending`, for the engine to try again; run-deployment's idempotency key and webhook
 * receivers' `flowtrail-action-id` make that safe).
 */
import { automationActionEvent } from '../../automations/automation-events.ts';
import type { AutomationAction } from '../../automations/model.ts';
import { ActionFailure } from './action-failure.ts';
import type { ActionContext, ActionDone, ActionOutcome, ActionServices } from './action-services.ts';
import { followsTriggering } from './action-targets.ts';
import { setAutomationState } from './automation-state-action.ts';
import { callWebhook } from './call-webhook-action.ts';
import { cancelRun } from './cancel-run-action.ts';
import { setDeploymentState } from './deployment-state-action.ts';
import { emitEvent } from './emit-event-action.ts';
import { runDeployment } from './run-deployment-action.ts';

function perform(
  action: AutomationAction,
  context: ActionContext,
  services: ActionServices,
): Promise<ActionDone> {
  switch (action.type) {
    case 'run-deployment':
      return runDeployment(action, context, services);
    case 'emit-event':
      return emitEvent(action, context, services);
    case 'call-webhook':
      return callWebhook(action, context, services);
    case 'pause-deployment':
    case 'resume-deployment':
      return setDeploymentState(action, context, services);
    case 'pause-automation':
    case 'resume-automation':
      return setAutomationState(action, context, services);
    case 'cancel-run':
      return cancelRun(action, context, services);
    case 'do-nothing':
      return Promise.resolve({ message: 'did nothing', target: null });
  }
}

/**
 * Executes `context.record`'s action and emits its events through `services.events`.
 *
 * @throws only what an unreachable store or service throws (`StoreError`, `UnavailableError`).
 *
 * @example
 * const outcome = await executeAction({ automation, firing, record, events }, services);
 * await automationStore.finishAction(record.id, outcome, services.now());
 */
export async function executeAction(
  context: ActionContext,
  services: ActionServices,
): Promise<ActionOutcome> {
  const { automation, firing, record } = context;
  const about = { firing: firing.id, action: record.id, type: record.action.type };
  const follows =
    context.follows === undefined ? followsTriggering(context, services.now()) : context.follows;
  const triggered = automationActionEvent(
    automation,
    { ...about, phase: 'triggered', follows },
    services.now(),
  );
  await services.events.append([triggered]);

  let outcome: ActionOutcome;
  let target: ActionDone['target'];
  try {
    const done = await perform(record.action, context, services);
    target = done.target;
    outcome = {
      status: 'executed',
      attempts: done.attempts ?? 1,
      message: done.message,
      target: target?.id ?? null,
    };
  } catch (error) {
    const failure = ActionFailure.wrap(error, null);
    if (!(failure instanceof ActionFailure)) throw failure;
    target = failure.target;
    outcome = {
      status: 'failed',
      attempts: failure.attempts,
      message: failure.message,
      target: target?.id ?? null,
    };
  }
  const finished = automationActionEvent(
    automation,
    {
      ...about,
      phase: outcome.status,
      target,
      reason: outcome.status === 'failed' ? outcome.message : null,
      follows: triggered.id,
    },
    services.now(),
  );
  finished.payload.attempts = outcome.attempts;
  if (outcome.status === 'executed') finished.payload.message = outcome.message;
  await services.events.append([finished]);
  return outcome;
}
