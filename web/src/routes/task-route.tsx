import { createRoute } from '@tanstack/react-router';
import { rootRoute } from './root-route.tsx';

function TaskPage() {
  return <div className="empty">Not built yet.</div>;
}

export const taskRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/runs/$flow/$run/$step/$task',
  component: TaskPage,
});
