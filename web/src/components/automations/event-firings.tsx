/**
 * The automation firings an event took part in and their actions (on the event page, under
 * "What it caused"): `GET /events/{id}/automation-firings`, which finds them through the
 * firings' own `flowtrail.automation.triggered` events (related to each triggering event).
 */
import { QueryState } from '../query-state.tsx';
import { useAutomations, useEventFirings } from './automation-queries.ts';
import { FiringEntry } from './firing-entry.tsx';

export function EventFirings({ eventId }: { eventId: string }) {
  const firings = useEventFirings(eventId);
  const names = new Map((useAutomations().data ?? []).map((a) => [a.id, a.name]));
  return (
    <QueryState isPending={firings.isPending} error={firings.error}>
      {() =>
        firings.data && firings.data.length > 0 ? (
          <ol className="firings event-firings">
            {firings.data.map((entry) => (
              <FiringEntry
                key={entry.firing.id}
                entry={entry}
                automationName={names.get(entry.firing.automation) ?? entry.firing.automation}
              />
            ))}
          </ol>
        ) : (
          <div className="empty">No automation fired on this event.</div>
        )
      }
    </QueryState>
  );
}
