import { createRoute } from '@tanstack/react-router';
import { rootRoute } from './root-route.tsx';

function FlowRunsPage() {
  return <div className="empty">Not built yet.</div>;
}

export const flowRunsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/flows/$flow',
  component: FlowRunsPage,
});
