import { createRoute } from '@tanstack/react-router';
import { rootRoute } from './root-route.tsx';

function StepPage() {
  return <div className="empty">Not built yet.</div>;
}

export const stepRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/runs/$flow/$run/$step',
  component: StepPage,
});
