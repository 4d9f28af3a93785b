/**
 * The runs of one flow (`/flows/$flow`): status, start, duration, user, tags; filtered in the store
 * by the URL's search params; keyset pages; the trigger mark on triggered runs; new runs appear
 * live (the flow's `flowtrail.run.*` events refresh the list).
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { unwrap } from '../api/api-error.ts';
import { api, type RunRecord } from '../api/client.ts';
import { QueryState } from '../components/query-state.tsx';
import { flowRunEvents } from '../components/runs/flow-events.ts';
import { FlowHeader } from '../components/runs/flow-header.tsx';
import { Pager } from '../components/runs/pager.tsx';
import { RunFilters } from '../components/runs/run-filters.tsx';
import { RUNS_PER_PAGE, useRunListUrl, useRunsPage } from '../components/runs/run-list-state.ts';
import { TriggerIcons } from '../components/runs/trigger-icon.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { elapsed, formatAgo, formatDuration, formatTime } from '../format/time.ts';
import { useLiveRefresh } from '../live/use-live-refresh.ts';
import { filtersOf, runListQuery } from '../routes/run-list-search.ts';
import './flow-runs-page.css';

function RunRow({ run, onTag }: { run: RunRecord; onTag: (tag: string) => void }) {
  const run_ = String(run.runNumber);
  return (
    <tr>
      <td className="num run-cell">
        <Link to="/runs/$flow/$run" params={{ flow: run.flow, run: run_ }}>
          {run.runNumber}
        </Link>
      </td>
      <td>
        <StatusBadge status={run.status} />
      </td>
      <td title={formatAgo(run.createdAt)}>{formatTime(run.createdAt)}</td>
      <td className="num">{formatDuration(elapsed(run.createdAt, run.finishedAt))}</td>
      <td className="run-trigger">
        {run.trigger.length > 0 ? <TriggerIcons run={run} named /> : <span className="muted">by hand</span>}
      </td>
      <td className="run-user" title={run.user}>
        {run.user}
      </td>
      <td className="run-tags">
        {run.tags.map((tag) => (
          <button
            key={tag}
            type="button"
            className="tag-chip"
            title={`${tag} — show only runs with this tag`}
            onClick={() => onTag(tag)}
          >
            <span className="tag-chip-text">{tag}</span>
          </button>
        ))}
      </td>
    </tr>
  );
}

export function FlowRunsPage() {
  const { flow, search, onChange } = useRunListUrl('/flows/$flow');
  const query = runListQuery(search, RUNS_PER_PAGE + 1);
  const runs = useQuery({
    queryKey: ['runs', flow, 'list', query],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/flows/{flow}/runs', { params: { path: { flow }, query } })).runs,
    placeholderData: keepPreviousData,
  });
  const live = useLiveRefresh({ filter: flowRunEvents(flow), queryKeys: [['runs', flow]] });
  const page = useRunsPage(runs.data, runs.isPlaceholderData, search, onChange);
  const filtered = Object.keys(filtersOf(search)).length > 0;
  const addTag = (tag: string) => {
    const tags = search.tag ?? [];
    if (!tags.includes(tag)) onChange({ ...filtersOf(search), tag: [...tags, tag] });
  };
  return (
    <section className="flow-runs">
      <FlowHeader flow={flow} search={search} live={live} />
      <RunFilters key={search.user ?? ''} search={search} onChange={onChange} />
      <QueryState isPending={runs.isPending} error={runs.error}>
        {() =>
          page && page.rows.length > 0 ? (
            <>
              <table className="grid runs-table">
                <thead>
                  <tr>
                    <th className="num">Run</th>
                    <th>Status</th>
                    <th>Started</th>
                    <th className="num">Duration</th>
                    <th>Triggered by</th>
                    <th>User</th>
                    <th>Tags</th>
                  </tr>
                </thead>
                <tbody>
                  {page.rows.map((run) => (
                    <RunRow key={run.id} run={run} onTag={addTag} />
                  ))}
                </tbody>
              </table>
              <Pager search={search} page={page} onChange={onChange} />
            </>
          ) : filtered ? (
            <div className="empty">
              No run of {flow} matches these filters.{' '}
              <button type="button" onClick={() => onChange({})}>
                Clear filters
              </button>
            </div>
          ) : (
            <div className="empty">
              {flow} has no runs here. Runs appear as they start: <code>npx flowtrail run &lt;file&gt;</code>.
            </div>
          )
        }
      </QueryState>
    </section>
  );
}
