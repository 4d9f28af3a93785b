/**
 * What the run and step pages read, as TanStack Query hooks. Every key starts with
 * `runKey(flow, run)`, so one invalidation (from the run's event stream) refreshes the whole view.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { unwrap } from '../../api/api-error.ts';
import { api, type RunRecord, type Schemas, type TaskRecord } from '../../api/client.ts';

export type StepOverview = Schemas['StepOverview'];
export type ChainNode = Schemas['ChainNode'];
export type TaskStatus = TaskRecord['status'];
export const TASK_STATUSES: readonly TaskStatus[] = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
];

export const runKey = (flow: string, run: number) => ['run', flow, run] as const;

/** The live-event filter of one run: its own events and every event naming it as related. */
export const runEventFilter = (flow: string, run: number) => ({
  anyResource: { id: [`flowtrail.run.${flow}/${run}`] },
});

/** With `heartbeatRefreshMs`, a running run's record is re-read that often (heartbeats are not events). */
export function useRun(flow: string, run: number, heartbeatRefreshMs?: number) {
  return useQuery({
    queryKey: [...runKey(flow, run), 'record'],
    queryFn: async (): Promise<RunRecord> =>
      unwrap(
        await api.GET('/api/v1/flows/{flow}/runs/{runNumber}', {
          params: { path: { flow, runNumber: run } },
        }),
      ),
    ...(heartbeatRefreshMs
      ? {
          refetchInterval: (query: { state: { data?: RunRecord | undefined } }) =>
            query.state.data?.status === 'running' ? heartbeatRefreshMs : false,
        }
      : {}),
  });
}

export function useRunSummary(flow: string, run: number, runId: number | undefined) {
  return useQuery({
    queryKey: [...runKey(flow, run), 'summary'],
    enabled: runId !== undefined,
    placeholderData: keepPreviousData,
    queryFn: async (): Promise<StepOverview[]> =>
      unwrap(await api.GET('/api/v1/runs/{runId}/summary', { params: { path: { runId: runId ?? 0 } } }))
        .steps,
  });
}

/**
 * A step's state as one word: failed beats running beats pending beats cancelled (the run's cancel
 * stopped a task); completed when every task is.
 */
export function stepStatus(s: StepOverview): TaskStatus | 'empty' {
  const c = s.counts;
  if ((c.failed ?? 0) > 0) return 'failed';
  if ((c.running ?? 0) > 0) return 'running';
  if (s.total === 0) return 'empty';
  if ((c.pending ?? 0) > 0) return (c.completed ?? 0) > 0 ? 'running' : 'pending';
  if ((c.cancelled ?? 0) > 0) return 'cancelled';
  return 'completed';
}

const TIMELINE_PAGE = 5_000;

/** Every task of a run (for the timeline), read in pages of 5,000 by task-id cursor. */
export function useRunTasks(flow: string, run: number, runId: number | undefined) {
  return useQuery({
    queryKey: [...runKey(flow, run), 'timeline-tasks'],
    enabled: runId !== undefined,
    placeholderData: keepPreviousData,
    queryFn: async (): Promise<TaskRecord[]> => {
      const out: TaskRecord[] = [];
      for (;;) {
        const after = out.length > 0 ? out[out.length - 1]!.taskId : undefined;
        const page = unwrap(
          await api.GET('/api/v1/runs/{runId}/tasks', {
            params: {
              path: { runId: runId ?? 0 },
              query: { limit: TIMELINE_PAGE, ...(after !== undefined ? { after } : {}) },
            },
          }),
        ).tasks;
        out.push(...page);
        if (page.length < TIMELINE_PAGE) return out;
      }
    },
  });
}
