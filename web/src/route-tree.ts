/** Every screen of the UI, each a URL built from a pathspec (`/runs/ForeachFlow/3/train/12`). */
import { createRouter } from '@tanstack/react-router';
import { automationEditRoute } from './routes/automation-edit-route.tsx';
import { automationNewRoute } from './routes/automation-new-route.tsx';
import { automationRoute } from './routes/automation-route.tsx';
import { automationsRoute } from './routes/automations-route.tsx';
import { deploymentRoute } from './routes/deployment-route.tsx';
import { deploymentsRoute } from './routes/deployments-route.tsx';
import { eventRoute } from './routes/event-route.tsx';
import { eventsRoute } from './routes/events-route.tsx';
import { flowHistoryRoute } from './routes/flow-history-route.tsx';
import { flowRunsRoute } from './routes/flow-runs-route.tsx';
import { flowsRoute } from './routes/flows-route.tsx';
import { rootRoute } from './routes/root-route.tsx';
import { runRoute } from './routes/run-route.tsx';
import { stepRoute } from './routes/step-route.tsx';
import { taskRoute } from './routes/task-route.tsx';
import { parseUrlSearch, stringifyUrlSearch } from './url-search.ts';

const routeTree = rootRoute.addChildren([
  flowsRoute,
  flowRunsRoute,
  flowHistoryRoute,
  runRoute,
  stepRoute,
  taskRoute,
  eventsRoute,
  eventRoute,
  automationsRoute,
  automationNewRoute,
  automationRoute,
  automationEditRoute,
  deploymentsRoute,
  deploymentRoute,
]);

export const router = createRouter({
  routeTree,
  defaultPreload: 'intent',
  scrollRestoration: true,
  parseSearch: parseUrlSearch,
  stringifySearch: stringifyUrlSearch,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
