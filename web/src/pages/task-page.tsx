/**
 * A task (`/runs/Flow/3/step/7`): its status and timings, its attempts (pick one with
 * `?attempt=N`; logs and artifacts follow it), the picked attempt's exception with its stack and
 * environment, its stdout/stderr live, searchable and downloadable, and its artifacts previewed by
 * type. Follows the task's events on the server's stream while it is not finished.
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useCallback } from 'react';
import { unwrap } from '../api/api-error.ts';
import { api } from '../api/client.ts';
import { QueryState } from '../components/query-state.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { ArtifactPanel } from '../components/task/artifact-panel.tsx';
import { AttemptPicker } from '../components/task/attempt-picker.tsx';
import { EnvironmentView } from '../components/task/environment-view.tsx';
import { ExceptionView } from '../components/task/exception-view.tsx';
import { LogViewer } from '../components/task/log-viewer.tsx';
import { TaskTimings } from '../components/task/task-timings.tsx';
import { useLogLines } from '../components/task/use-log-lines.ts';
import { useLiveRefresh } from '../live/use-live-refresh.ts';
import type { LogStreamTab, TaskSearch } from '../routes/task-route.tsx';
import '../components/task/task.css';

export interface TaskParams {
  flow: string;
  run: string;
  step: string;
  task: string;
}

type Schemas = import('../api/client.ts').Schemas;

function useTaskSearch(): (patch: Partial<TaskSearch>) => void {
  const navigate = useNavigate();
  return useCallback(
    (patch) =>
      void navigate({
        to: '.',
        search: (prev: TaskSearch) => {
          const next: TaskSearch = { ...prev, ...patch };
          for (const k of Object.keys(next) as (keyof TaskSearch)[])
            if (next[k] === undefined) delete next[k];
          return next;
        },
        replace: true,
      }),
    [navigate],
  );
}

function TaskBody({
  params,
  search,
  run,
  task,
  attempts,
}: {
  params: TaskParams;
  search: TaskSearch;
  run: Schemas['Run'];
  task: Schemas['Task'];
  attempts: readonly Schemas['Attempt'][];
}) {
  const setSearch = useTaskSearch();
  const runId = run.id;
  const taskId = task.taskId;
  const latest = attempts[attempts.length - 1]?.attempt ?? 0;
  const attemptNo = search.attempt ?? task.finalAttempt ?? latest;
  const attempt = attempts.find((a) => a.attempt === attemptNo);
  const finished = task.status !== 'pending' && task.status !== 'running';
  const attemptLive = !finished && (attempt === undefined || attempt.status === 'running');
  const logs = useLogLines(runId, taskId, attemptNo, attemptLive);
  const taskResource = `flowtrail.task.${params.flow}/${params.run}/${params.step}/${params.task}`;
  const live = useLiveRefresh({
    filter: finished ? null : { anyResource: { id: [taskResource] } },
    queryKeys: [['task', runId, taskId]],
    onEvent: () => logs.poke(),
  });
  const onQuery = useCallback((q: string) => setSearch({ q: q === '' ? undefined : q }), [setSearch]);
  const onStream = useCallback(
    (s: LogStreamTab) => setSearch({ stream: s === 'all' ? undefined : s }),
    [setSearch],
  );
  const caught = task.status === 'completed' && task.successful === false;
  return (
    <>
      <div className="task-head">
        <StatusBadge status={task.status} />
        {caught && <span className="task-caught">failure caught</span>}
        {task.foreachPath.length > 0 && (
          <span className="task-muted">foreach index {task.foreachPath.join(' / ')}</span>
        )}
        {!finished && <span className="task-muted">stream: {live}</span>}
      </div>
      <div className="task-grid">
        <section className="panel" aria-label="Timings">
          <h2>Timings</h2>
          <TaskTimings task={task} attempts={attempts} attempt={attempt} />
        </section>
        <section className="panel" aria-label="Environment">
          <h2>Environment{attempt ? ` (attempt ${attempt.attempt})` : ''}</h2>
          <EnvironmentView env={attempt?.envInfo ?? null} />
        </section>
      </div>
      <section className="panel">
        <h2>Attempts</h2>
        <AttemptPicker attempts={attempts} current={attemptNo} finalAttempt={task.finalAttempt} />
        {search.attempt !== undefined && !attempt && attempts.length > 0 && (
          <div className="error-box" role="alert">
            This task has no attempt {search.attempt}; its attempts are 0 to {latest}.
          </div>
        )}
        {attempt?.exception && (
          <ExceptionView
            exception={attempt.exception}
            caught={caught && attempt.attempt === task.finalAttempt}
          />
        )}
      </section>
      <section className="panel" aria-label="Logs">
        <h2>Logs{attempts.length > 1 ? ` of attempt ${attemptNo}` : ''}</h2>
        <LogViewer
          runId={runId}
          taskId={taskId}
          attempt={attemptNo}
          logs={logs}
          live={attemptLive}
          stream={search.stream ?? 'all'}
          query={search.q ?? ''}
          onStream={onStream}
          onQuery={onQuery}
        />
      </section>
      <section className="panel" aria-label="Artifacts">
        <h2>Artifacts{attempts.length > 1 ? ` of attempt ${attemptNo}` : ''}</h2>
        <ArtifactPanel
          where={{ runId, taskId, attempt: attemptNo }}
          selected={search.artifact}
          onSelect={(name) => setSearch({ artifact: name })}
        />
      </section>
    </>
  );
}

export function TaskPage({ params, search }: { params: TaskParams; search: TaskSearch }) {
  const runNumber = Number(params.run);
  const taskId = Number(params.task);
  const run = useQuery({
    queryKey: ['run', params.flow, runNumber],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/flows/{flow}/runs/{runNumber}', {
          params: { path: { flow: params.flow, runNumber } },
        }),
      ),
  });
  const runId = run.data?.id;
  const task = useQuery({
    queryKey: ['task', runId, taskId, 'record'],
    enabled: runId !== undefined,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/runs/{runId}/tasks/{taskId}', { params: { path: { runId: runId!, taskId } } }),
      ),
  });
  const attempts = useQuery({
    queryKey: ['task', runId, taskId, 'attempts'],
    enabled: runId !== undefined,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/runs/{runId}/tasks/{taskId}/attempts', {
          params: { path: { runId: runId!, taskId } },
        }),
      ).attempts,
  });
  const wrongStep = task.data && task.data.step !== params.step;
  return (
    <section className="task-page">
      <nav className="task-crumbs" aria-label="Breadcrumbs">
        <Link to="/flows/$flow" params={{ flow: params.flow }}>
          {params.flow}
        </Link>
        <span aria-hidden="true">/</span>
        <Link to="/runs/$flow/$run" params={{ flow: params.flow, run: params.run }}>
          {params.run}
        </Link>
        <span aria-hidden="true">/</span>
        <Link to="/runs/$flow/$run/$step" params={{ flow: params.flow, run: params.run, step: params.step }}>
          {params.step}
        </Link>
        <span aria-hidden="true">/</span>
        <span>{params.task}</span>
      </nav>
      <h1>
        Task {params.flow}/{params.run}/{params.step}/{params.task}
      </h1>
      <QueryState
        isPending={run.isPending || task.isPending || attempts.isPending}
        error={run.error ?? task.error ?? attempts.error}
      >
        {() =>
          wrongStep ? (
            <div className="error-box" role="alert">
              Task {params.task} of {params.flow}/{params.run} belongs to step{' '}
              <Link to="/runs/$flow/$run/$step/$task" params={{ ...params, step: task.data!.step }}>
                {task.data!.step}
              </Link>
              , not {params.step}.
            </div>
          ) : (
            <TaskBody
              params={params}
              search={search}
              run={run.data!}
              task={task.data!}
              attempts={attempts.data!}
            />
          )
        }
      </QueryState>
    </section>
  );
}
