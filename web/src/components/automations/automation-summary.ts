/** One-line forms of a trigger, an action and a duration, for lists and history rows. */
import type { AutomationAction, AutomationTrigger } from './automation-types.ts';
import { RESOURCE_ID } from './automation-types.ts';

/** A stored `withinMs` or an input `within` ('10m', seconds) as text: `10m`, `45s`, `every match`. */
export function windowText(within: string | number | null | undefined, withinMs?: number | null): string {
  if (typeof within === 'string') return within;
  const ms = typeof within === 'number' ? within * 1000 : (withinMs ?? null);
  if (ms === null) return 'no window';
  if (ms === 0) return '0';
  for (const [size, unit] of [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1_000, 's'],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms / 1000}s`;
}

function labelText(match: Record<string, string | string[]> | undefined): string {
  const entries = Object.entries(match ?? {});
  if (entries.length === 0) return 'any resource';
  return entries
    .map(([k, v]) => `${k === RESOURCE_ID ? 'resource' : k} ${Array.isArray(v) ? v.join('|') : v}`)
    .join(', ');
}

/** `reactive: dataset.refreshed on resource dataset.sales` / `proactive: no … within 10m`. */
export function triggerSummary(trigger: AutomationTrigger): string {
  switch (trigger.type) {
    case 'event': {
      const names = trigger.expect.join(' | ');
      const on = labelText(trigger.match);
      const threshold = trigger.threshold ?? 1;
      const within = windowText(trigger.within, trigger.withinMs);
      if (trigger.posture === 'proactive')
        return `absence: fewer than ${threshold} × ${names} on ${on} within ${within}`;
      const count = threshold > 1 ? `${threshold} × ` : '';
      const windowed = within !== '0' && within !== 'no window' ? ` within ${within}` : '';
      return `presence: ${count}${names} on ${on}${windowed}`;
    }
    case 'compound':
      return `compound (${trigger.require}) of ${trigger.triggers.length} triggers`;
    case 'sequence':
      return `sequence of ${trigger.triggers.length} triggers`;
  }
}

/** `emit-event dataset.checked`, `run-deployment ETLFlow`, `cancel-run (inferred from the event)`. */
export function actionSummary(action: AutomationAction): string {
  switch (action.type) {
    case 'emit-event':
      return `emit-event ${action.event}`;
    case 'run-deployment':
      return `run-deployment ${action.deployment}`;
    case 'call-webhook':
      return `call-webhook ${action.method ?? 'POST'} ${action.url}`;
    case 'pause-deployment':
    case 'resume-deployment':
      return `${action.type} ${action.deployment ?? '(inferred from the event)'}`;
    case 'pause-automation':
    case 'resume-automation':
      return `${action.type} ${action.automation ?? '(inferred from the event)'}`;
    case 'cancel-run':
      return `cancel-run ${action.run ?? '(inferred from the event)'}`;
    case 'do-nothing':
      return 'do-nothing';
  }
}
