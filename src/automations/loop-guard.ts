/**
 * The loop guard: refuses an automation that would start a deployment on the events every run of
 * that same deployment emits (its runs' `started`/`completed`, their steps' and tasks'), so each
 * run would start the next one forever. It asks the real matcher: it builds the lifecycle events
 * a run of the deployment emits and checks whether a reactive trigger that fires on one event
 * alone would count them. Narrowing to `flowtrail.run.failed` or `crashed` (retry on failure),
 * or to another flow, passes. Matching on tags is not seen through (a deployed run's tags are not
 * known here).
 */
import { ValidationError } from '../core/errors.ts';
import { type RunIdentity, runEvent, stepEvent, taskEvent } from '../events/lifecycle.ts';
import type { FlowtrailEvent } from '../events/model.ts';
import type { Automation, AutomationAction, EventTrigger, Trigger } from './model.ts';
import { nameMatches, resourcesMatch } from './trigger-match.ts';

/** The events every successful run of a flow emits. */
function runEvents(flow: string): FlowtrailEvent[] {
  const run: RunIdentity = { flow, runNumber: 1, tags: [] };
  return [
    runEvent(run, 'started', 0),
    runEvent(run, 'completed', 0),
    stepEvent(run, 'start', 'started', 0),
    stepEvent(run, 'start', 'completed', 0),
    taskEvent(run, 'start', 1, 'started', 0),
    taskEvent(run, 'start', 1, 'completed', 0),
  ];
}

/** Reactive event triggers whose firing alone fires the automation, with their paths. */
function singleEventTriggers(trigger: Trigger, path: string): { path: string; trigger: EventTrigger }[] {
  if (trigger.type === 'event') return trigger.posture === 'reactive' ? [{ path, trigger }] : [];
  const oneChildFires =
    trigger.triggers.length === 1 ||
    (trigger.type === 'compound' && (trigger.require === 'any' || trigger.require === 1));
  return oneChildFires
    ? trigger.triggers.flatMap((t, i) => singleEventTriggers(t, `${path}.triggers[${i}]`))
    : [];
}

/**
 * @throws ValidationError naming the trigger's `expect` when a run-deployment action would be
 * started again by the runs it starts.
 */
export function checkRunLoops(automation: Automation): void {
  const lists: [string, AutomationAction[]][] = [
    ['actions', automation.actions],
    ['actionsOnTrigger', automation.actionsOnTrigger],
  ];
  const triggers = singleEventTriggers(automation.trigger, 'trigger');
  for (const [list, actions] of lists)
    actions.forEach((action, i) => {
      if (action.type !== 'run-deployment') return;
      for (const event of runEvents(action.deployment))
        for (const { path, trigger } of triggers)
          if (nameMatches(trigger.expect, event.event) && resourcesMatch(trigger, event))
            throw new ValidationError(
              `${path}.expect`,
              `This automation would loop: '${list}[${i}]' starts deployment '${action.deployment}', and '${path}' fires on its runs' own '${event.event}' events. Narrow '${path}.expect' (e.g. to ['flowtrail.run.failed']) or '${path}.match' to another flow.`,
              { rule: 'loop', deployment: action.deployment, event: event.event },
            );
    });
}
