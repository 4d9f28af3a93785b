import { createRoute } from '@tanstack/react-router';
import { AutomationEditPage } from '../pages/automation-editor-page.tsx';
import { rootRoute } from './root-route.tsx';

export const automationEditRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/automations/$id/edit',
  component: AutomationEditPage,
});
