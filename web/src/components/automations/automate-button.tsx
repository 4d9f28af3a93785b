/** The event page's "Automate": the editor, prefilled from this event (`/automations/new?fromEvent=ID`). */
import { Link } from '@tanstack/react-router';
import './automations.css';

export function AutomateButton({ eventId }: { eventId: string }) {
  return (
    <Link to="/automations/new" search={{ fromEvent: eventId }} className="button primary automate-button">
      Automate
    </Link>
  );
}
