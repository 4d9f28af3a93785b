import { createRoute } from '@tanstack/react-router';
import { rootRoute } from './root-route.tsx';

function RunPage() {
  return <div className="empty">Not built yet.</div>;
}

export const runRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/runs/$flow/$run',
  component: RunPage,
});
