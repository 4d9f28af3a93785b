import { createRoute } from '@tanstack/react-router';
import { DeploymentsPage } from '../pages/deployments-page.tsx';
import { rootRoute } from './root-route.tsx';

export const deploymentsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/deployments',
  component: DeploymentsPage,
});
