/**
 * Runs × steps of one flow (`/flows/$flow/history`): rows are runs, newest first, one keyset page
 * at a time; columns are the flow's steps, fetched once. Each cell is the step's status colour and
 * duration, with a foreach step's task counts — all from one request per page, summarized in SQL.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useMemo } from 'react';
import { unwrap } from '../api/api-error.ts';
import { api, type RunRecord, type Schemas } from '../api/client.ts';
import { QueryState } from '../components/query-state.tsx';
import { flowActivityEvents } from '../components/runs/flow-events.ts';
import { FlowHeader } from '../components/runs/flow-header.tsx';
import { Pager } from '../components/runs/pager.tsx';
import { RunFilters } from '../components/runs/run-filters.tsx';
import { RUNS_PER_PAGE, useRunListUrl, useRunsPage } from '../components/runs/run-list-state.ts';
import { TriggerIcons } from '../components/runs/trigger-icon.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { elapsed, formatDuration, formatTime } from '../format/time.ts';
import { useLiveRefresh } from '../live/use-live-refresh.ts';
import { filtersOf, runListQuery } from '../routes/run-list-search.ts';
import './flow-history-page.css';

type StepSummary = Schemas['StepSummary'];
type CellState = 'failed' | 'running' | 'pending' | 'cancelled' | 'caught' | 'completed';

/** One colour per cell: a failure wins, then work still going, then a cancel, then a caught failure. */
function cellState(s: StepSummary): CellState {
  const c = s.counts;
  if ((c.failed ?? 0) > 0) return 'failed';
  if ((c.running ?? 0) > 0) return 'running';
  if ((c.pending ?? 0) > 0) return (c.completed ?? 0) > 0 ? 'running' : 'pending';
  if ((c.cancelled ?? 0) > 0) return 'cancelled';
  return s.caught > 0 ? 'caught' : 'completed';
}

function cellTitle(step: string, s: StepSummary, duration: number | null): string {
  const counts = Object.entries(s.counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  const caught = s.caught > 0 ? ` (${s.caught} caught failure${s.caught === 1 ? '' : 's'})` : '';
  return `${step}: ${s.tasks} task${s.tasks === 1 ? '' : 's'} — ${counts}${caught}; ${formatDuration(duration)}`;
}

function Cell({ run, step, summary }: { run: RunRecord; step: string; summary: StepSummary | undefined }) {
  if (!summary) return <td className="hcell hcell-none" title={`${step}: did not run`} />;
  const state = cellState(summary);
  const duration = elapsed(summary.startedAt, summary.finishedAt);
  const done =
    (summary.counts.completed ?? 0) + (summary.counts.failed ?? 0) + (summary.counts.cancelled ?? 0);
  return (
    <td className={`hcell hcell-${state}`} title={cellTitle(step, summary, duration)}>
      <Link to="/runs/$flow/$run/$step" params={{ flow: run.flow, run: String(run.runNumber), step }}>
        <span className="hcell-duration">{formatDuration(duration)}</span>
        {summary.tasks > 1 && (
          <span className="hcell-count">
            {done}/{summary.tasks}
            {(summary.counts.failed ?? 0) > 0 && (
              <span className="hcell-failed"> ✗{summary.counts.failed}</span>
            )}
          </span>
        )}
      </Link>
    </td>
  );
}

export function FlowHistoryPage() {
  const { flow, search, onChange } = useRunListUrl('/flows/$flow/history');
  // The columns: fetched once per visit (a new step of a later run is appended from its page).
  const structure = useQuery({
    queryKey: ['flow-steps', flow],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/flows/{flow}/steps', { params: { path: { flow } } })).steps,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const query = runListQuery(search, RUNS_PER_PAGE + 1);
  const history = useQuery({
    queryKey: ['runs', flow, 'history', query],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/flows/{flow}/history', { params: { path: { flow }, query } })),
    placeholderData: keepPreviousData,
  });
  const live = useLiveRefresh({
    filter: flowActivityEvents(flow),
    queryKeys: [['runs', flow, 'history']],
    coalesceMs: 500,
  });
  const page = useRunsPage(history.data?.runs, history.isPlaceholderData, search, onChange);

  const { columns, byRun } = useMemo(() => {
    const byRun = new Map<number, Map<string, StepSummary>>();
    const seen = new Set(structure.data ?? []);
    const columns = [...(structure.data ?? [])];
    for (const s of history.data?.steps ?? []) {
      const steps = byRun.get(s.runId) ?? new Map<string, StepSummary>();
      byRun.set(s.runId, steps);
      steps.set(s.step, s);
      if (!seen.has(s.step)) {
        seen.add(s.step);
        columns.push(s.step);
      }
    }
    return { columns, byRun };
  }, [structure.data, history.data]);

  return (
    <section className="flow-history">
      <FlowHeader flow={flow} search={search} live={live} />
      <RunFilters key={search.user ?? ''} search={search} onChange={onChange} />
      <QueryState
        isPending={history.isPending || structure.isPending}
        error={history.error ?? structure.error}
      >
        {() =>
          page && page.rows.length > 0 ? (
            <>
              <div className="history-scroll">
                <table className="history-matrix" aria-label={`Runs by steps of ${flow}`}>
                  <thead>
                    <tr>
                      <th className="history-run">Run</th>
                      {columns.map((step) => (
                        <th key={step} className="history-step" title={step}>
                          <span>{step}</span>
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {page.rows.map((run) => (
                      <tr key={run.id}>
                        <th
                          className="history-run"
                          scope="row"
                          title={`${flow}/${run.runNumber}, ${formatTime(run.createdAt)}`}
                        >
                          <TriggerIcons run={run} />
                          <Link to="/runs/$flow/$run" params={{ flow, run: String(run.runNumber) }}>
                            {run.runNumber}
                          </Link>{' '}
                          <StatusBadge status={run.status} />
                        </th>
                        {columns.map((step) => (
                          <Cell key={step} run={run} step={step} summary={byRun.get(run.id)?.get(step)} />
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="history-legend">
                {(['completed', 'caught', 'running', 'pending', 'failed', 'cancelled', 'none'] as const).map(
                  (s) => (
                    <span key={s}>
                      <i className={`hcell-${s}`} />{' '}
                      {s === 'caught' ? 'failure caught' : s === 'none' ? 'did not run' : s}
                    </span>
                  ),
                )}
              </div>
              <Pager search={search} page={page} onChange={onChange} />
            </>
          ) : (
            <div className="empty">
              {Object.keys(filtersOf(search)).length > 0
                ? `No run of ${flow} matches these filters.`
                : `${flow} has no runs here.`}
            </div>
          )
        }
      </QueryState>
    </section>
  );
}
