/**
 * One event (`/events/$eventId`): name, times, id, `follows` and the events that follow it; the
 * Flowtrail objects it names as links; its resource and every related resource with all their
 * labels; the payload as a tree or raw JSON (text, never HTML); what it caused (the runs it
 * started; the automations part fills its slots for firings and the Automate button).
 */
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { unwrap } from '../api/api-error.ts';
import { api, type FlowtrailEventRecord } from '../api/client.ts';
import { AutomateSlot, AutomationFiringsSlot } from '../components/events/event-automation-slots.tsx';
import { EventFollowers } from '../components/events/event-followers.tsx';
import { EventObjects } from '../components/events/event-objects.tsx';
import { EventRuns } from '../components/events/event-runs.tsx';
import { PayloadPanel } from '../components/events/payload-view.tsx';
import { ResourceLink } from '../components/events/resource-link.tsx';
import { QueryState } from '../components/query-state.tsx';
import { formatAgo, formatTime } from '../format/time.ts';
import './event-page.css';

const route = getRouteApi('/events/$eventId');

const ID = 'flowtrail.resource.id';
const ROLE = 'flowtrail.resource.role';

function Labels({ labels, skip }: { labels: Record<string, string>; skip: readonly string[] }) {
  const rows = Object.entries(labels).filter(([k]) => !skip.includes(k));
  if (rows.length === 0) return <span className="muted">no other labels</span>;
  return (
    <dl className="labels">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function EventDetails({ event }: { event: FlowtrailEventRecord }) {
  const { payload } = route.useSearch();
  const occurred = new Date(event.occurred).getTime();
  const resourceId = event.resource[ID] ?? '';
  return (
    <>
      <header className="event-header">
        <h1 className="event-name">{event.event}</h1>
        <AutomateSlot event={event} />
      </header>
      <div className="panel">
        <dl className="facts">
          <div>
            <dt>Occurred</dt>
            <dd title={event.occurred}>
              {formatTime(occurred)} <span className="muted">({formatAgo(occurred)})</span>
            </dd>
          </div>
          <div>
            <dt>Received</dt>
            <dd title={event.received}>{formatTime(event.received)}</dd>
          </div>
          <div>
            <dt>Id</dt>
            <dd className="mono">{event.id}</dd>
          </div>
          <div>
            <dt>Follows</dt>
            <dd className="mono">
              {event.follows ? (
                <Link to="/events/$eventId" params={{ eventId: event.follows }}>
                  {event.follows}
                </Link>
              ) : (
                <span className="muted">—</span>
              )}
            </dd>
          </div>
        </dl>
      </div>

      <h2>Flowtrail objects</h2>
      <div className="panel">
        <EventObjects event={event} />
      </div>

      <h2>Resource</h2>
      <div className="panel">
        <div className="resource-id mono">
          <ResourceLink id={resourceId} />{' '}
          <Link to="/events" search={{ resource: [resourceId] }} className="event-resource-feed">
            its events
          </Link>
        </div>
        <Labels labels={event.resource} skip={[ID]} />
      </div>

      <h2>Related resources ({event.related.length})</h2>
      {event.related.length === 0 ? (
        <div className="empty">None.</div>
      ) : (
        <table className="grid related">
          <thead>
            <tr>
              <th>Role</th>
              <th>Resource</th>
              <th>Labels</th>
            </tr>
          </thead>
          <tbody>
            {event.related.map((r) => (
              <tr key={`${r[ROLE]} ${r[ID]}`}>
                <td>{r[ROLE]}</td>
                <td className="mono name">
                  <ResourceLink id={r[ID] ?? ''} />
                </td>
                <td>
                  <Labels labels={r} skip={[ID, ROLE]} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Payload</h2>
      <PayloadPanel event={event} view={payload ?? 'tree'} />

      <h2>What it caused</h2>
      <h3>Runs this event started</h3>
      <EventRuns eventId={event.id} />
      <AutomationFiringsSlot event={event} />

      <h2>Events that follow it</h2>
      <div className="panel">
        <EventFollowers event={event} />
      </div>
    </>
  );
}

export function EventPage() {
  const { eventId } = route.useParams();
  const found = useQuery({
    queryKey: ['event', eventId],
    queryFn: async () =>
      unwrap(await api.POST('/api/v1/events/filter', { body: { filter: { id: [eventId] }, limit: 1 } }))
        .events[0] ?? null,
  });
  return (
    <section className="event-page">
      <QueryState isPending={found.isPending} error={found.error}>
        {() =>
          found.data ? (
            <EventDetails event={found.data} />
          ) : (
            <div className="empty">
              No event with id <code>{eventId}</code> is stored (it may have been removed by retention).
            </div>
          )
        }
      </QueryState>
    </section>
  );
}
