import { createRoute } from '@tanstack/react-router';
import { rootRoute } from './root-route.tsx';

function EventPage() {
  return <div className="empty">Not built yet.</div>;
}

export const eventRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/events/$eventId',
  component: EventPage,
});
