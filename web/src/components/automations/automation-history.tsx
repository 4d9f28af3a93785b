/** An automation's firings, newest first, in keyset pages ("Older firings" reads the next one). */
import { QueryState } from '../query-state.tsx';
import { useAutomationHistory } from './automation-queries.ts';
import { FiringEntry } from './firing-entry.tsx';

export function AutomationHistory({ id }: { id: string }) {
  const history = useAutomationHistory(id);
  return (
    <QueryState isPending={history.isPending} error={history.error}>
      {() => {
        const entries = history.data?.pages.flat() ?? [];
        if (entries.length === 0) return <div className="empty history-empty">It has not fired yet.</div>;
        return (
          <>
            <ol className="firings">
              {entries.map((entry) => (
                <FiringEntry key={entry.firing.id} entry={entry} />
              ))}
            </ol>
            {history.hasNextPage ? (
              <button
                type="button"
                disabled={history.isFetchingNextPage}
                onClick={() => void history.fetchNextPage()}
              >
                {history.isFetchingNextPage ? 'Loading…' : 'Older firings'}
              </button>
            ) : (
              <div className="muted history-end">{entries.length} firing(s), the oldest last.</div>
            )}
          </>
        );
      }}
    </QueryState>
  );
}
