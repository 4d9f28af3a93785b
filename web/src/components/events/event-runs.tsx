/** The runs an event started (`GET /runs/triggered-by?ref=<event id>`): what it caused. */
import { useQuery } from '@tanstack/react-query';
import { unwrap } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { QueryState } from '../query-state.tsx';
import { RunSummaryCells } from '../runs/run-summary-cells.tsx';

export function EventRuns({ eventId }: { eventId: string }) {
  const started = useQuery({
    queryKey: ['runs', 'triggered-by', eventId],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/runs/triggered-by', { params: { query: { ref: eventId } } })).runs,
  });
  return (
    <QueryState isPending={started.isPending} error={started.error}>
      {() =>
        started.data && started.data.length > 0 ? (
          <table className="grid">
            <thead>
              <tr>
                <th>Run</th>
                <th>Status</th>
                <th>Started</th>
                <th className="num">Duration</th>
              </tr>
            </thead>
            <tbody>
              {started.data.map((run) => (
                <tr key={run.id}>
                  <RunSummaryCells run={run} />
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <div className="empty">No run was started by this event.</div>
        )
      }
    </QueryState>
  );
}
