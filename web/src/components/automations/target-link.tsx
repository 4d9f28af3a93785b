/** What an action acted on, as a link: an event it emitted (`flowtrail.event.ID`) or a Flowtrail object. */
import { Link } from '@tanstack/react-router';
import { ResourceLink } from '../events/resource-link.tsx';

const EVENT = 'flowtrail.event.';

export function TargetLink({ target }: { target: string }) {
  if (target.startsWith(EVENT)) {
    const eventId = target.slice(EVENT.length);
    return (
      <Link to="/events/$eventId" params={{ eventId }} className="target-event">
        event {eventId}
      </Link>
    );
  }
  return <ResourceLink id={target} />;
}
