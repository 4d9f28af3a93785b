import { createRoute } from '@tanstack/react-router';
import type { PayloadView } from '../components/events/payload-view.tsx';
import { EventPage } from '../pages/event-page.tsx';
import { rootRoute } from './root-route.tsx';

/** The event page's URL state: how the payload is shown (the tree by default). */
export interface EventPageSearch {
  payload?: Exclude<PayloadView, 'tree'>;
}

export const eventRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/events/$eventId',
  validateSearch: (search: Record<string, unknown>): EventPageSearch =>
    search.payload === 'raw' ? { payload: 'raw' } : {},
  component: EventPage,
});
