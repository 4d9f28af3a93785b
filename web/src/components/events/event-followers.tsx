/**
 * The events that follow this one (their `follows` is its id), found in the store by the filter's
 * `follows` field. No index leads from a leader to its followers, so the look is bounded to the
 * day after it (followers come within minutes: the engine waits 15 for a leader); the feed link
 * searches all time.
 */
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { unwrap } from '../../api/api-error.ts';
import { api, type FlowtrailEventRecord } from '../../api/client.ts';
import { formatTime } from '../../format/time.ts';
import { QueryState } from '../query-state.tsx';

const BEFORE_MS = 15 * 60_000;
const AFTER_MS = 86_400_000;
const SHOWN = 20;

export function EventFollowers({ event }: { event: FlowtrailEventRecord }) {
  const at = new Date(event.occurred).getTime();
  const followers = useQuery({
    queryKey: ['event', event.id, 'followers'],
    queryFn: async () =>
      unwrap(
        await api.POST('/api/v1/events/filter', {
          body: {
            filter: {
              follows: [event.id],
              since: new Date(at - BEFORE_MS).toISOString(),
              until: new Date(at + AFTER_MS).toISOString(),
              order: 'asc',
            },
            limit: SHOWN,
          },
        }),
      ),
  });
  return (
    <QueryState isPending={followers.isPending} error={followers.error}>
      {() =>
        followers.data && followers.data.events.length > 0 ? (
          <>
            <ul className="event-followers">
              {followers.data.events.map((f) => (
                <li key={f.id}>
                  <Link to="/events/$eventId" params={{ eventId: f.id }} className="mono">
                    {f.event}
                  </Link>{' '}
                  <span className="muted">{formatTime(f.occurred)}</span>
                </li>
              ))}
            </ul>
            {followers.data.nextCursor && (
              <Link to="/events" search={{ follows: [event.id] }}>
                All events that follow it…
              </Link>
            )}
          </>
        ) : (
          <div className="muted">
            No event follows it within a day.{' '}
            <Link to="/events" search={{ follows: [event.id] }}>
              Search all time
            </Link>
          </div>
        )
      }
    </QueryState>
  );
}
