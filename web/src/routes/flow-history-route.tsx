import { createRoute } from '@tanstack/react-router';
import { rootRoute } from './root-route.tsx';

function FlowHistoryPage() {
  return <div className="empty">Not built yet.</div>;
}

export const flowHistoryRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/flows/$flow/history',
  component: FlowHistoryPage,
});
