import { createRoute } from '@tanstack/react-router';
import { EventPage } from '../pages/event-page.tsx';
import { rootRoute } from './root-route.tsx';

export const eventRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/events/$eventId',
  component: EventPage,
});
