import { createRoute } from '@tanstack/react-router';
import { FlowHistoryPage } from '../pages/flow-history-page.tsx';
import { rootRoute } from './root-route.tsx';
import { validateRunListSearch } from './run-list-search.ts';

export const flowHistoryRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/flows/$flow/history',
  validateSearch: validateRunListSearch,
  component: FlowHistoryPage,
});
