import { createRoute } from '@tanstack/react-router';
import { FlowRunsPage } from '../pages/flow-runs-page.tsx';
import { rootRoute } from './root-route.tsx';
import { validateRunListSearch } from './run-list-search.ts';

export const flowRunsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/flows/$flow',
  validateSearch: validateRunListSearch,
  component: FlowRunsPage,
});
