/**
 * One entry of the feed: the time, the event name (to its page), the resource by name (or id) and
 * the related resources with their roles. Resource chips add a filter on that resource. One line
 * each, cut with an ellipsis (the full text is the chip's title), so every row has the same height.
 */
import { Link } from '@tanstack/react-router';
import type { FlowtrailEventRecord } from '../../api/client.ts';
import { formatAgo, formatTime } from '../../format/time.ts';

const ID = 'flowtrail.resource.id';
const ROLE = 'flowtrail.resource.role';
const NAME = 'flowtrail.resource.name';
/** Related resources shown on a row; the rest are counted. */
const RELATED_SHOWN = 6;

export type AddFilter = (kind: 'resource' | 'related', value: string) => void;

function displayName(labels: Record<string, string>): string {
  return labels[NAME] || labels[ID] || '';
}

export function EventRow({ event, onFilter }: { event: FlowtrailEventRecord; onFilter: AddFilter }) {
  const occurred = new Date(event.occurred).getTime();
  const resourceId = event.resource[ID] ?? '';
  const shown = event.related.slice(0, RELATED_SHOWN);
  return (
    <div className="event-row" data-event-id={event.id}>
      <div className="event-row-time" title={`${event.occurred} (${formatAgo(occurred)})`}>
        {formatTime(occurred)}
      </div>
      <div className="event-row-main">
        <Link
          to="/events/$eventId"
          params={{ eventId: event.id }}
          className="event-row-name"
          title={event.event}
        >
          {event.event}
        </Link>
        <div className="event-row-resources">
          <button
            type="button"
            className="res-chip res-chip-primary"
            title={`${resourceId} — show only events of this resource`}
            onClick={() => onFilter('resource', resourceId)}
          >
            {displayName(event.resource)}
          </button>
          {shown.map((r) => (
            <button
              key={`${r[ROLE]} ${r[ID]}`}
              type="button"
              className="res-chip"
              title={`${r[ROLE]}: ${r[ID]} — show only events related to it in this role`}
              onClick={() => onFilter('related', `${r[ROLE] ?? ''}:${r[ID] ?? ''}`)}
            >
              <span className="res-chip-role">{r[ROLE]}</span> {displayName(r)}
            </button>
          ))}
          {event.related.length > RELATED_SHOWN && (
            <span className="muted">+{event.related.length - RELATED_SHOWN} more</span>
          )}
        </div>
      </div>
    </div>
  );
}
