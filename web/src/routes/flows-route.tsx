import { createRoute } from '@tanstack/react-router';
import { FlowsPage } from '../pages/flows-page.tsx';
import { rootRoute } from './root-route.tsx';

export const flowsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  component: FlowsPage,
});
