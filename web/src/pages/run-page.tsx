/**
 * A run: heading (status, timing, user, an honest word on a silent or crashed orchestrator), the
 * step graph with live status, the timeline of its tasks, parameters, tags and the trigger chain.
 * Live from the event stream: the run's events refresh the record and the step summary (coalesced);
 * the timeline's task list, the largest read, at most once a second.
 */
import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { QueryState } from '../components/query-state.tsx';
import { runEventFilter, runKey, useRun, useRunSummary, useRunTasks } from '../components/run/run-data.ts';
import { RunHeader } from '../components/run/run-header.tsx';
import { RunParams } from '../components/run/run-params.tsx';
import { RunTags } from '../components/run/run-tags.tsx';
import { RunTimeline } from '../components/run/run-timeline.tsx';
import { TriggerChain } from '../components/run/trigger-chain.tsx';
import { useNow } from '../components/run/use-now.ts';
import { useLiveRefresh } from '../live/use-live-refresh.ts';
import '../components/run/run-page.css';

const loadGraph = () => import('../components/run/step-graph.tsx');
const StepGraph = lazy(loadGraph);

/** The heartbeat is not an event: while running, the record is re-read this often to keep its age honest. */
const HEARTBEAT_REFRESH_MS = 10_000;
const TIMELINE_REFRESH_MS = 1_000;

export function RunPage({ flow, run }: { flow: string; run: number }) {
  const client = useQueryClient();
  // Fetch the graph code (and start its layout worker) while the run and its summary load.
  useEffect(() => {
    void loadGraph();
  }, []);
  const record = useRun(flow, run, HEARTBEAT_REFRESH_MS);
  const data = record.data;
  const running = data?.status === 'running';
  const summary = useRunSummary(flow, run, data?.id);
  // The timeline's read is the largest (every task): it waits until the graph is drawn, so the
  // graph's requests, code and layout do not queue behind it.
  const [graphDrawn, setGraphDrawn] = useState(false);
  const noSteps = summary.isSuccess && summary.data.length === 0;
  const tasks = useRunTasks(flow, run, graphDrawn || noSteps || summary.isError ? data?.id : undefined);
  const onGraphDrawn = useCallback(() => setGraphDrawn(true), []);
  const now = useNow(running);

  // The timeline re-reads every task: throttled, and never cancelling a read under way.
  const timelineTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const refreshTimeline = useCallback(() => {
    timelineTimer.current ??= setTimeout(() => {
      timelineTimer.current = undefined;
      void client.invalidateQueries(
        { queryKey: [...runKey(flow, run), 'timeline-tasks'] },
        { cancelRefetch: false },
      );
    }, TIMELINE_REFRESH_MS);
  }, [client, flow, run]);

  const keys = useMemo(
    () => [
      [...runKey(flow, run), 'record'],
      [...runKey(flow, run), 'summary'],
      [...runKey(flow, run), 'trail'],
    ],
    [flow, run],
  );
  const live = useLiveRefresh({
    // Only a running run changes (tags are changed from this page, which refreshes itself). The
    // first connection refreshes once, so an end between the first read and the stream is seen.
    filter: running ? runEventFilter(flow, run) : null,
    queryKeys: keys,
    onEvent: refreshTimeline,
  });

  return (
    <QueryState isPending={record.isPending} error={record.error}>
      {() =>
        data ? (
          <div className="run-page" data-run-status={data.status}>
            <RunHeader run={data} live={live} />
            <div className="run-layout">
              <div className="run-main">
                <section className="panel" aria-label="steps">
                  <h2>Steps</h2>
                  <QueryState isPending={summary.isPending} error={summary.error}>
                    {() =>
                      summary.data && summary.data.length > 0 ? (
                        <Suspense fallback={<div className="loading graph-box">Loading the graph…</div>}>
                          <StepGraph
                            steps={summary.data}
                            flow={flow}
                            run={String(run)}
                            onDrawn={onGraphDrawn}
                          />
                        </Suspense>
                      ) : (
                        <div className="empty">No step has started yet.</div>
                      )
                    }
                  </QueryState>
                </section>
                <section className="panel" aria-label="timeline">
                  <h2>Timeline</h2>
                  <QueryState isPending={tasks.isPending} error={tasks.error}>
                    {() => (
                      <RunTimeline
                        tasks={tasks.data ?? []}
                        steps={summary.data ?? []}
                        flow={flow}
                        run={String(run)}
                        runStart={data.createdAt}
                        runEnd={data.finishedAt ?? now}
                      />
                    )}
                  </QueryState>
                </section>
              </div>
              <aside className="run-side">
                <RunParams params={data.params} />
                <section className="panel" aria-label="tags">
                  <h2>Tags</h2>
                  <RunTags run={data} />
                </section>
                <TriggerChain flow={flow} run={run} runId={data.id} />
              </aside>
            </div>
          </div>
        ) : null
      }
    </QueryState>
  );
}
