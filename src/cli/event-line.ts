/** One line per event, for `events list` and `events tail`: time, name, resource, related, payload. */
import type { FlowtrailEvent, RelatedResource } from '../events/model.ts';
import { RESOURCE_ID, RESOURCE_ROLE } from '../events/model.ts';

const EVENT_WIDTH = 25;
const RESOURCE_WIDTH = 36;
const MAX_RELATED_SHOWN = 4;
const MAX_PAYLOAD_CHARS = 80;

/** `flowtrail.run.HelloFlow/2` in role `run` → `run:HelloFlow/2`; other ids stay whole. */
function relatedLabel(r: RelatedResource): string {
  const role = r[RESOURCE_ROLE];
  const id = r[RESOURCE_ID];
  const own = `flowtrail.${role}.`;
  return `${role}:${id.startsWith(own) && id.length > own.length ? id.slice(own.length) : id}`;
}

/** `flow:HelloFlow run:HelloFlow/2 +3`, or `-` without related resources. */
function relatedSummary(related: readonly RelatedResource[]): string {
  if (related.length === 0) return '-';
  const shown = related.slice(0, MAX_RELATED_SHOWN).map(relatedLabel);
  const rest = related.length - shown.length;
  return rest > 0 ? `${shown.join(',')},+${rest}` : shown.join(',');
}

/** Compact JSON of the payload, cut to one short line; empty for `{}`. */
function payloadSummary(payload: Record<string, unknown>): string {
  if (Object.keys(payload).length === 0) return '';
  const text = JSON.stringify(payload);
  return text.length > MAX_PAYLOAD_CHARS ? `${text.slice(0, MAX_PAYLOAD_CHARS - 1)}…` : text;
}

/** `time  event  resource  related  payload`, columns padded (never cut) so lines mostly align. */
export function eventLine(e: FlowtrailEvent): string {
  return [
    new Date(e.occurred).toISOString(),
    e.event.padEnd(EVENT_WIDTH),
    e.resource[RESOURCE_ID].padEnd(RESOURCE_WIDTH),
    relatedSummary(e.related),
    payloadSummary(e.payload),
  ]
    .join('  ')
    .trimEnd();
}
