/**
 * One event (`/events/$eventId`): name, times, id, its resource's labels, related resources with
 * their roles, the payload as pretty-printed JSON text (never HTML), and the runs it started.
 * Resources that are Flowtrail runs or flows link to their pages.
 */
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { unwrap } from '../api/api-error.ts';
import { api, type FlowtrailEventRecord } from '../api/client.ts';
import { QueryState } from '../components/query-state.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { elapsed, formatAgo, formatDuration, formatTime } from '../format/time.ts';
import './event-page.css';

const route = getRouteApi('/events/$eventId');

const ID = 'flowtrail.resource.id';
const ROLE = 'flowtrail.resource.role';

/** A link to the page of a resource Flowtrail knows (`flowtrail.run.Flow/3`, `flowtrail.flow.Flow`). */
function ResourceLink({ id }: { id: string }) {
  const run = /^flowtrail\.run\.([^/]+)\/(\d+)$/.exec(id);
  if (run)
    return (
      <Link to="/runs/$flow/$run" params={{ flow: run[1]!, run: run[2]! }}>
        {id}
      </Link>
    );
  const flow = /^flowtrail\.flow\.([^/]+)$/.exec(id);
  if (flow)
    return (
      <Link to="/flows/$flow" params={{ flow: flow[1]! }}>
        {id}
      </Link>
    );
  return <span>{id}</span>;
}

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
  const started = useQuery({
    queryKey: ['runs', 'triggered-by', event.id],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/runs/triggered-by', { params: { query: { ref: event.id } } })).runs,
  });
  const occurred = new Date(event.occurred).getTime();
  return (
    <>
      <h1 className="event-name">{event.event}</h1>
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
          {event.follows && (
            <div>
              <dt>Follows</dt>
              <dd className="mono">
                <Link to="/events/$eventId" params={{ eventId: event.follows }}>
                  {event.follows}
                </Link>
              </dd>
            </div>
          )}
        </dl>
      </div>

      <h2>Resource</h2>
      <div className="panel">
        <div className="resource-id mono">
          <ResourceLink id={event.resource[ID] ?? ''} />
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
      <div className="panel">
        {Object.keys(event.payload).length === 0 ? (
          <span className="muted">empty</span>
        ) : (
          <pre className="text payload">{JSON.stringify(event.payload, null, 2)}</pre>
        )}
      </div>

      <h2>Runs this event started</h2>
      <QueryState isPending={started.isPending} error={started.error}>
        {() =>
          started.data && started.data.length > 0 ? (
            <table className="grid">
              <thead>
                <tr>
                  <th>Run</th>
                  <th>Status</th>
                  <th>Started</th>
                  <th className="num">Duration</th>
                </tr>
              </thead>
              <tbody>
                {started.data.map((run) => (
                  <tr key={run.id}>
                    <td className="name">
                      <Link to="/runs/$flow/$run" params={{ flow: run.flow, run: String(run.runNumber) }}>
                        {run.flow}/{run.runNumber}
                      </Link>
                    </td>
                    <td>
                      <StatusBadge status={run.status} />
                    </td>
                    <td>{formatTime(run.createdAt)}</td>
                    <td className="num">{formatDuration(elapsed(run.createdAt, run.finishedAt))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <div className="empty">No run was started by this event.</div>
          )
        }
      </QueryState>
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
