import { createRoute } from '@tanstack/react-router';
import { DeploymentPage } from '../pages/deployment-page.tsx';
import { rootRoute } from './root-route.tsx';

export const deploymentRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/deployments/$flow',
  component: DeploymentPage,
});
