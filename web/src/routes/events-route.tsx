import { createRoute } from '@tanstack/react-router';
import { EventFeedPage } from '../pages/event-feed-page.tsx';
import { validateEventFeedSearch } from './event-feed-search.ts';
import { rootRoute } from './root-route.tsx';

export const eventsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/events',
  validateSearch: validateEventFeedSearch,
  component: EventFeedPage,
});
