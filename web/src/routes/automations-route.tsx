import { createRoute } from '@tanstack/react-router';
import { AutomationListPage } from '../pages/automation-list-page.tsx';
import { rootRoute } from './root-route.tsx';

export const automationsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/automations',
  component: AutomationListPage,
});
