/**
 * The home page: every flow with its latest run — two requests whatever the number of flows (the
 * flows, and the newest run of each), kept current by the run lifecycle events of every flow.
 */
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { unwrap } from '../api/api-error.ts';
import { api, type RunRecord } from '../api/client.ts';
import { QueryState } from '../components/query-state.tsx';
import { TriggerIcons } from '../components/runs/trigger-icon.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { elapsed, formatAgo, formatDuration } from '../format/time.ts';
import { useLiveRefresh } from '../live/use-live-refresh.ts';
import './flows-page.css';

function LatestRun({ run }: { run: RunRecord | undefined }) {
  if (!run) return <td colSpan={3}>no runs</td>;
  return (
    <>
      <td className="name">
        <TriggerIcons run={run} />
        <Link to="/runs/$flow/$run" params={{ flow: run.flow, run: String(run.runNumber) }}>
          {run.flow}/{run.runNumber}
        </Link>{' '}
        <StatusBadge status={run.status} />
      </td>
      <td className="when" title={new Date(run.createdAt).toISOString()}>
        {formatAgo(run.createdAt)}
      </td>
      <td className="when">{formatDuration(elapsed(run.createdAt, run.finishedAt))}</td>
    </>
  );
}

export function FlowsPage() {
  const flows = useQuery({
    queryKey: ['flows'],
    queryFn: async () => unwrap(await api.GET('/api/v1/flows')).flows,
  });
  const latest = useQuery({
    queryKey: ['runs', 'latest-per-flow'],
    queryFn: async () => {
      const runs = unwrap(await api.GET('/api/v1/runs/latest-per-flow')).runs;
      return new Map(runs.map((r) => [r.flow, r]));
    },
  });
  useLiveRefresh({
    filter: { event: { prefix: ['flowtrail.run.'] } },
    queryKeys: [['flows'], ['runs', 'latest-per-flow']],
    coalesceMs: 500,
  });
  return (
    <section>
      <h1>Flows</h1>
      <QueryState isPending={flows.isPending || latest.isPending} error={flows.error ?? latest.error}>
        {() =>
          flows.data && flows.data.length > 0 ? (
            <table className="grid flows-table">
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
                    <LatestRun run={latest.data?.get(f.name)} />
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
