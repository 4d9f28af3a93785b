import { createRoute } from '@tanstack/react-router';
import { TaskPage } from '../pages/task-page.tsx';
import { rootRoute } from './root-route.tsx';

export type LogStreamTab = 'all' | 'stdout' | 'stderr';

/** What the task page keeps in its URL: the attempt shown, the log stream tab, the search, the open artifact. */
export interface TaskSearch {
  attempt?: number;
  stream?: LogStreamTab;
  q?: string;
  artifact?: string;
}

function validateTaskSearch(search: Record<string, unknown>): TaskSearch {
  const out: TaskSearch = {};
  const attempt = Number(search.attempt);
  if (search.attempt !== undefined && Number.isInteger(attempt) && attempt >= 0) out.attempt = attempt;
  if (search.stream === 'stdout' || search.stream === 'stderr' || search.stream === 'all')
    out.stream = search.stream;
  if (typeof search.q === 'string' && search.q !== '') out.q = search.q;
  if (typeof search.artifact === 'string' && search.artifact !== '') out.artifact = search.artifact;
  return out;
}

export const taskRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/runs/$flow/$run/$step/$task',
  validateSearch: validateTaskSearch,
  component: function TaskRouteComponent() {
    const params = taskRoute.useParams();
    const search = taskRoute.useSearch();
    return <TaskPage params={params} search={search} />;
  },
});
