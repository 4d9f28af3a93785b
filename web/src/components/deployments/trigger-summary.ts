/**
 * What starts a deployment, in words: its owned automation's trigger (the form every
 * `@trigger` / `@triggerOnFinish` takes) and its schedule. Plain text, rendered as text.
 */
import type { Schemas } from '../../api/client.ts';
import { formatDuration } from '../../format/time.ts';

type Trigger = Schemas['AutomationTrigger'];
type EventTrigger = Schemas['EventTrigger'];
type TriggerSpec = Schemas['Deployment']['triggers'];

const RESOURCE_ID = 'flowtrail.resource.id';
const RUN_COMPLETED = 'flowtrail.run.completed';

const within = (ms: number | null | undefined) =>
  ms === null || ms === undefined || ms === 0 ? '' : ` within ${formatDuration(ms)}`;

function eventSummary(t: EventTrigger): string {
  const names = t.expect.join(' or ');
  const match = Object.entries(t.match ?? {});
  // A @triggerOnFinish: a run of the upstream flow completing.
  const run = match.length === 1 && match[0]?.[0] === RESOURCE_ID ? String(match[0][1]) : null;
  const upstream = run?.match(/^flowtrail\.run\.(.+)\/\*$/)?.[1];
  const what =
    t.expect.length === 1 && t.expect[0] === RUN_COMPLETED && upstream
      ? `${upstream} finishing`
      : `event ${names}${match.map(([k, v]) => ` where ${k} = ${Array.isArray(v) ? v.join('|') : v}`).join('')}`;
  const threshold = t.threshold ?? 1;
  if (t.posture === 'proactive') return `fewer than ${threshold} × ${what}${within(t.withinMs)}`;
  return threshold > 1 ? `${threshold} × ${what}${within(t.withinMs)}` : what;
}

/** An automation trigger in one line: `event a AND event b (within 1h 00m)`. */
export function triggerSummary(t: Trigger): string {
  if (t.type === 'event') return eventSummary(t);
  const parts = t.triggers.map((c) => (c.type === 'event' ? triggerSummary(c) : `(${triggerSummary(c)})`));
  const tail = t.withinMs ? ` (${within(t.withinMs).trim()})` : '';
  if (t.type === 'sequence') return `${parts.join(' THEN ')}${tail}`;
  if (t.require === 'all') return `${parts.join(' AND ')}${tail}`;
  if (t.require === 'any') return `${parts.join(' OR ')}${tail}`;
  return `${t.require} of: ${parts.join(', ')}${tail}`;
}

/** The schedule of a deployment, or null: `cron '0 6 * * *' Europe/Paris`. */
export function scheduleSummary(triggers: TriggerSpec): string | null {
  const s = triggers.schedule;
  return s ? `cron '${s.cron}' ${s.timezone}` : null;
}

/** The dependencies of a deployment as stored (before its automation exists or when it differs). */
export function dependencySummary(triggers: TriggerSpec): string | null {
  const parts = [
    ...triggers.events.map((e) => `event ${e.name}`),
    ...triggers.flows.map((f) => `${f} finishing`),
  ];
  if (parts.length === 0) return null;
  return parts.length > 1
    ? `${parts.join(' AND ')} (within ${formatDuration(triggers.resetWindowMs)})`
    : parts[0]!;
}
