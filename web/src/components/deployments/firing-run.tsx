/**
 * The run a firing started, as a link to its page. Firings name runs by id; the page's recent runs
 * usually hold it (a deployment's runs are its firings' runs), else it is read by id — only for a
 * firing older than the runs shown.
 */
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { unwrap } from '../../api/api-error.ts';
import { api, type RunRecord } from '../../api/client.ts';
import { StatusBadge } from '../status-badge.tsx';

function RunLink({ run }: { run: RunRecord }) {
  return (
    <>
      <Link to="/runs/$flow/$run" params={{ flow: run.flow, run: String(run.runNumber) }}>
        {run.flow}/{run.runNumber}
      </Link>{' '}
      <StatusBadge status={run.status} />
    </>
  );
}

function RunById({ runId }: { runId: number }) {
  const run = useQuery({
    queryKey: ['runs', 'by-id', runId],
    queryFn: async () => unwrap(await api.GET('/api/v1/runs/{runId}', { params: { path: { runId } } })),
  });
  if (run.data) return <RunLink run={run.data} />;
  return <span className="muted">{run.error ? `run id ${runId} (gone)` : `run id ${runId}`}</span>;
}

export function FiringRun({ runId, known }: { runId: number | null; known: ReadonlyMap<number, RunRecord> }) {
  if (runId === null) return <span className="muted">no run</span>;
  const run = known.get(runId);
  return run ? <RunLink run={run} /> : <RunById runId={runId} />;
}
