import { createRoute } from '@tanstack/react-router';
import { RunPage } from '../pages/run-page.tsx';
import { rootRoute } from './root-route.tsx';

function RunRoute() {
  const { flow, run } = runRoute.useParams();
  const n = Number(run);
  if (!Number.isInteger(n) || n < 1)
    return (
      <div className="error-box">'{run}' is not a run number: a run's address is /runs/FLOW/NUMBER.</div>
    );
  return <RunPage key={`${flow}/${n}`} flow={flow} run={n} />;
}

export const runRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/runs/$flow/$run',
  component: RunRoute,
});
