import { createRoute } from '@tanstack/react-router';
import { AutomationNewPage } from '../pages/automation-editor-page.tsx';
import { rootRoute } from './root-route.tsx';

/** `/automations/new`, optionally prefilled from an event (`?fromEvent=ID`, the Automate button). */
export interface AutomationNewSearch {
  fromEvent?: string;
}

export const automationNewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/automations/new',
  validateSearch: (search: Record<string, unknown>): AutomationNewSearch =>
    typeof search.fromEvent === 'string' && search.fromEvent !== '' ? { fromEvent: search.fromEvent } : {},
  component: AutomationNewPage,
});
