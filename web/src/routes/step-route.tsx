import { createRoute } from '@tanstack/react-router';
import { lazy, Suspense } from 'react';
import { TASK_STATUSES, type TaskStatus } from '../components/run/run-data.ts';
import { rootRoute } from './root-route.tsx';

// The task table (TanStack Table and Virtual) loads with the page that uses it.
const StepPage = lazy(async () => ({ default: (await import('../pages/step-page.tsx')).StepPage }));

interface StepSearch {
  status?: TaskStatus;
}

function StepRoute() {
  const { flow, run, step } = stepRoute.useParams();
  const { status } = stepRoute.useSearch();
  const n = Number(run);
  if (!Number.isInteger(n) || n < 1)
    return (
      <div className="error-box">
        '{run}' is not a run number: a step's address is /runs/FLOW/NUMBER/STEP.
      </div>
    );
  return (
    <Suspense fallback={<div className="loading">Loading…</div>}>
      <StepPage key={`${flow}/${n}/${step}`} flow={flow} run={n} step={step} status={status} />
    </Suspense>
  );
}

export const stepRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/runs/$flow/$run/$step',
  validateSearch: (search: Record<string, unknown>): StepSearch =>
    typeof search.status === 'string' && (TASK_STATUSES as readonly string[]).includes(search.status)
      ? { status: search.status as TaskStatus }
      : {},
  component: StepRoute,
});
