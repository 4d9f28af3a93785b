/**
 * A step of a run: its tasks in a virtualized table (index, task, status, start, duration,
 * attempts) with a status filter kept in the URL and applied in the store. Live while the run runs.
 */
import { Link, useNavigate } from '@tanstack/react-router';
import { QueryState } from '../components/query-state.tsx';
import { runKey, TASK_STATUSES, type TaskStatus, useRun, useRunSummary } from '../components/run/run-data.ts';
import { StatusBadge } from '../components/status-badge.tsx';
import { TaskTable } from '../components/step/task-table.tsx';
import { formatDuration } from '../format/time.ts';
import { useLiveRefresh } from '../live/use-live-refresh.ts';
import '../components/step/step-page.css';

export function StepPage({
  flow,
  run,
  step,
  status,
}: {
  flow: string;
  run: number;
  step: string;
  status: TaskStatus | undefined;
}) {
  const navigate = useNavigate();
  const record = useRun(flow, run);
  const summary = useRunSummary(flow, run, record.data?.id);
  const running = record.data?.status === 'running';
  const live = useLiveRefresh({
    filter: running
      ? { anyResource: { id: [`flowtrail.step.${flow}/${run}/${step}`, `flowtrail.run.${flow}/${run}`] } }
      : null,
    queryKeys: [[...runKey(flow, run)]],
  });
  const s = summary.data?.find((x) => x.step === step);
  return (
    <section className="step-page">
      <div className="crumbs">
        <Link to="/runs/$flow/$run" params={{ flow, run: String(run) }}>
          {flow}/{run}
        </Link>{' '}
        / step
      </div>
      <h1>
        {step} <span className={`live live-${live}`}>{live === 'live' ? 'live' : ''}</span>
      </h1>
      <QueryState isPending={record.isPending || summary.isPending} error={record.error ?? summary.error}>
        {() =>
          !s || !record.data ? (
            <div className="empty">
              Run {flow}/{run} has no step '{step}' (yet).
            </div>
          ) : (
            <>
              <div className="step-summary-line">
                <span>{s.total.toLocaleString()} tasks</span>
                {TASK_STATUSES.filter((k) => (s.counts[k] ?? 0) > 0).map((k) => (
                  <span key={k}>
                    <StatusBadge status={k} /> {(s.counts[k] ?? 0).toLocaleString()}
                  </span>
                ))}
                <span>
                  durations {formatDuration(s.minDurationMs)} – {formatDuration(s.maxDurationMs)}
                </span>
              </div>
              <div className="toolbar">
                <label>
                  Status
                  <select
                    aria-label="status filter"
                    value={status ?? ''}
                    onChange={(e) =>
                      void navigate({
                        to: '/runs/$flow/$run/$step',
                        params: { flow, run: String(run), step },
                        search: e.target.value ? { status: e.target.value as TaskStatus } : {},
                      })
                    }
                  >
                    <option value="">all ({s.total.toLocaleString()})</option>
                    {TASK_STATUSES.map((k) => (
                      <option key={k} value={k}>
                        {k} ({(s.counts[k] ?? 0).toLocaleString()})
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <TaskTable
                key={status ?? 'all'}
                flow={flow}
                run={run}
                runId={record.data.id}
                step={step}
                status={status}
                total={status ? (s.counts[status] ?? 0) : s.total}
              />
              {s.inForeach ? (
                <p className="step-note">
                  Index is the task's position in the foreach list (nested: outer.inner). The item values
                  themselves are not kept per task by the store; open a task to see its artifacts.
                </p>
              ) : null}
            </>
          )
        }
      </QueryState>
    </section>
  );
}
