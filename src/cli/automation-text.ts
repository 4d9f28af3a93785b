/** Automations, triggers, actions and firings in a line each, for `flowtrail automations …`. */
import type { AutomationAction, EventTrigger, Trigger } from '../automations/model.ts';
import { formatDuration } from '../core/duration.ts';
import { RESOURCE_ID } from '../events/model.ts';
import type { ActionRecord, AutomationRecord, FiringHistoryEntry } from '../store/automation-store.ts';
import { formatTime } from './format.ts';

const time = (ms: number | null) => (ms === null ? '-' : formatTime(new Date(ms)));
const pattern = (v: string | readonly string[]) => (typeof v === 'string' ? v : v.join('|'));

function describeEventTrigger(t: EventTrigger): string {
  const parts = [`${t.posture === 'proactive' ? 'no ' : ''}${t.expect.join('|')}`];
  if (t.threshold > 1) parts.push(`×${t.threshold}`);
  const match = Object.entries(t.match).map(([k, v]) =>
    k === RESOURCE_ID ? pattern(v) : `${k}=${pattern(v)}`,
  );
  if (match.length > 0) parts.push(`on ${match.join(', ')}`);
  if (t.matchRelated.length > 0) parts.push(`(+${t.matchRelated.length} related)`);
  if (t.after.length > 0) parts.push(`after ${t.after.join('|')}`);
  if (t.withinMs > 0) parts.push(`within ${formatDuration(t.withinMs)}`);
  if (t.forEach.length > 0) parts.push(`per ${t.forEach.join(', ')}`);
  return parts.join(' ');
}

/** `flowtrail.run.failed on flowtrail.run.NightlyFlow/*`, `all of (a; b) within 1h`. */
export function describeTrigger(t: Trigger): string {
  if (t.type === 'event') return describeEventTrigger(t);
  const within = t.withinMs === null ? '' : ` within ${formatDuration(t.withinMs)}`;
  const children = t.triggers.map(describeTrigger);
  return t.type === 'sequence'
    ? `(${children.join(') then (')})${within}`
    : `${t.require} of (${children.join('; ')})${within}`;
}

export function describeAction(a: AutomationAction): string {
  switch (a.type) {
    case 'run-deployment':
      return `run deployment ${a.deployment}`;
    case 'emit-event':
      return `emit ${a.event}`;
    case 'call-webhook':
      return `${a.method} ${a.url}${a.headersSecret ? ` (headers: secret ${a.headersSecret})` : ''}`;
    case 'pause-deployment':
    case 'resume-deployment':
      return `${a.type.split('-')[0]} deployment ${a.deployment ?? "of the event's run"}`;
    case 'pause-automation':
    case 'resume-automation':
      return `${a.type.split('-')[0]} automation ${a.automation ?? 'the event is about'}`;
    case 'cancel-run':
      return `cancel run ${a.run ?? "of the firing's event"}`;
    case 'do-nothing':
      return 'nothing (record the firing)';
  }
}

/** The rows of `automations list`. */
export function automationRows(all: readonly AutomationRecord[]): string[][] {
  return all.map((a) => [
    a.id,
    a.name,
    a.enabled ? 'enabled' : 'disabled',
    describeTrigger(a.trigger),
    a.ownerResource ?? '-',
    time(a.lastFiredAt),
  ]);
}

/** What `automations show` prints besides the fields: the actions, one per line. */
export function actionLines(a: AutomationRecord): string[] {
  const lists = [
    ['on every firing', a.actions],
    ['on trigger', a.actionsOnTrigger],
    ['on resolve', a.actionsOnResolve],
  ] as const;
  return lists.flatMap(([label, actions]) =>
    actions.length === 0
      ? []
      : [`Actions ${label}:`, ...actions.map((x, i) => `  ${i}. ${describeAction(x)}`)],
  );
}

export const detailFields = (a: AutomationRecord): [string, string][] => [
  ['id', a.id],
  ['state', a.enabled ? 'enabled' : 'disabled'],
  ['trigger', describeTrigger(a.trigger)],
  ...(a.description ? [['description', a.description] as [string, string]] : []),
  ['tags', a.tags.length > 0 ? a.tags.join(', ') : '-'],
  ['owner', a.ownerResource ?? '-'],
  ['created', time(a.createdAt)],
  ['updated', time(a.updatedAt)],
  ['last fired', time(a.lastFiredAt)],
];

const actionOutcome = (r: ActionRecord) =>
  `${r.action.type} ${r.status}${r.message ? ` (${r.message})` : ''}`;

/** The rows of `automations history`. */
export function historyRows(entries: readonly FiringHistoryEntry[]): string[][] {
  return entries.map(({ firing, actions }) => [
    time(firing.triggeredAt),
    firing.firing.trigger,
    Object.entries(firing.firing.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ') || '-',
    String(firing.eventIds.length),
    actions.map(actionOutcome).join('; ') || '-',
  ]);
}
