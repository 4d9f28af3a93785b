/**
 * A deployment's recent firings, newest first: when, the outcome (started, failed with the reason,
 * pending), what caused it (events, an upstream run, the schedule) and the run it started.
 */
import type { RunRecord } from '../../api/client.ts';
import { formatAgo, formatTime } from '../../format/time.ts';
import { QueryState } from '../query-state.tsx';
import { useFirings } from './deployment-queries.ts';
import { FiringCauses } from './firing-causes.tsx';
import { FiringRun } from './firing-run.tsx';

const FIRINGS_SHOWN = 20;

export function DeploymentFirings({ flow, runs }: { flow: string; runs: ReadonlyMap<number, RunRecord> }) {
  const firings = useFirings(flow, FIRINGS_SHOWN);
  return (
    <section className="panel" aria-label="recent firings">
      <h2>Recent firings</h2>
      <QueryState isPending={firings.isPending} error={firings.error}>
        {() =>
          firings.data && firings.data.length > 0 ? (
            <table className="grid firings-table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Outcome</th>
                  <th>Caused by</th>
                  <th>Run</th>
                </tr>
              </thead>
              <tbody>
                {firings.data.map((f) => (
                  <tr key={f.id} data-firing-id={f.id} data-run-id={f.runId ?? ''}>
                    <td className="when" title={formatAgo(f.createdAt)}>
                      {formatTime(f.createdAt)}
                    </td>
                    <td>
                      <span className={`status status-firing-${f.status}`}>{f.status}</span>
                      {f.message ? <div className="firing-message">{f.message}</div> : null}
                    </td>
                    <td className="name">
                      <FiringCauses causes={f.causes} />
                    </td>
                    <td className="name">
                      <FiringRun runId={f.runId} known={runs} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">No firings yet: nothing has started a run of this deployment.</p>
          )
        }
      </QueryState>
    </section>
  );
}
