import { createRoute } from '@tanstack/react-router';
import { AutomationPage } from '../pages/automation-page.tsx';
import { rootRoute } from './root-route.tsx';

export const automationRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/automations/$id',
  component: AutomationPage,
});
