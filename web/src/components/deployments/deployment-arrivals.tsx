/**
 * What a deployment with several dependencies (an AND of events and upstream runs) has received
 * and what it still waits for; each arrival links to its event. A firing consumes them all.
 */
import { Link } from '@tanstack/react-router';
import { formatAgo, formatDuration, formatTime } from '../../format/time.ts';
import { QueryState } from '../query-state.tsx';
import { type DeploymentRecord, useArrivals } from './deployment-queries.ts';

/** The dependency keys the API uses (`event:<name>`, `run:<flow>`), in declaration order. */
function dependencyKeys(d: DeploymentRecord): string[] {
  return [...d.triggers.events.map((e) => `event:${e.name}`), ...d.triggers.flows.map((f) => `run:${f}`)];
}

export function DeploymentArrivals({ deployment }: { deployment: DeploymentRecord }) {
  const arrivals = useArrivals(deployment.flow);
  const keys = dependencyKeys(deployment);
  return (
    <section className="panel" aria-label="arrivals">
      <h2>Waiting for</h2>
      <p className="muted">
        A run starts once every dependency has arrived, each within{' '}
        {formatDuration(deployment.triggers.resetWindowMs)} of the newest.
      </p>
      <QueryState isPending={arrivals.isPending} error={arrivals.error}>
        {() => {
          const arrived = new Map((arrivals.data ?? []).map((a) => [a.dependency, a]));
          return (
            <table className="grid arrivals-table">
              <tbody>
                {keys.map((k) => {
                  const a = arrived.get(k);
                  return (
                    <tr key={k} data-dependency={k} data-arrived={a ? 'yes' : 'no'}>
                      <th scope="row" className="name mono">
                        {k.startsWith('run:') ? `${k.slice(4)} finishing` : k.slice(6)}
                      </th>
                      <td>
                        {a ? (
                          <>
                            arrived{' '}
                            <Link
                              to="/events/$eventId"
                              params={{ eventId: a.eventId }}
                              title={formatTime(a.occurred)}
                            >
                              {formatAgo(a.occurred)}
                            </Link>
                          </>
                        ) : (
                          <span className="muted">not yet</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          );
        }}
      </QueryState>
    </section>
  );
}
