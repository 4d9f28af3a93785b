/** The home page: every flow with its latest run. */
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { unwrap } from '../api/api-error.ts';
import { api, type RunRecord } from '../api/client.ts';
import { QueryState } from '../components/query-state.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { elapsed, formatAgo, formatDuration } from '../format/time.ts';

function LatestRun({ flow }: { flow: string }) {
  const latest = useQuery({
    queryKey: ['runs', flow, 'latest'],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/flows/{flow}/runs', { params: { path: { flow }, query: { limit: 1 } } }))
        .runs[0] ?? null,
  });
  const run: RunRecord | null | undefined = latest.data;
  if (!run) return <td colSpan={3}>{latest.isPending ? '…' : 'no runs'}</td>;
  return (
    <>
      <td>
        <Link to="/runs/$flow/$run" params={{ flow, run: String(run.runNumber) }}>
          {flow}/{run.runNumber}
        </Link>{' '}
        <StatusBadge status={run.status} />
      </td>
      <td title={new Date(run.createdAt).toISOString()}>{formatAgo(run.createdAt)}</td>
      <td>{formatDuration(elapsed(run.createdAt, run.finishedAt))}</td>
    </>
  );
}

export function FlowsPage() {
  const flows = useQuery({
    queryKey: ['flows'],
    queryFn: async () => unwrap(await api.GET('/api/v1/flows')).flows,
  });
  return (
    <section>
      <h1>Flows</h1>
      <QueryState isPending={flows.isPending} error={flows.error}>
        {() =>
          flows.data && flows.data.length > 0 ? (
            <table className="grid">
              <thead>
                <tr>
                  <th>Flow</th>
                  <th>Runs</th>
                  <th>Latest run</th>
                  <th>Started</th>
                  <th>Duration</th>
                </tr>
              </thead>
              <tbody>
                {flows.data.map((f) => (
                  <tr key={f.name}>
                    <td className="name">
                      <Link to="/flows/$flow" params={{ flow: f.name }}>
                        {f.name}
                      </Link>
                    </td>
                    <td className="num">{f.lastRunNumber}</td>
                    <LatestRun flow={f.name} />
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <div className="empty">
              No flows yet. Run one with <code>npx flowtrail run examples/hello.ts</code>; it shows up here.
            </div>
          )
        }
      </QueryState>
    </section>
  );
}
