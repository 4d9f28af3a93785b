/**
 * Pause / Resume of a deployment (POST /deployments/{flow}/status): pausing disables its owned
 * automation, so its triggers stop; every deployment view refreshes when the server answers.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { type DeploymentRecord, deploymentQueryKeys } from './deployment-queries.ts';

export function PauseButton({ deployment }: { deployment: DeploymentRecord }) {
  const client = useQueryClient();
  const paused = deployment.status === 'paused';
  const change = useMutation({
    mutationFn: async (status: DeploymentRecord['status']) =>
      unwrap(
        await api.POST('/api/v1/deployments/{flow}/status', {
          params: { path: { flow: deployment.flow } },
          body: { status, at: Date.now() },
        }),
      ),
    onSettled: () =>
      Promise.all(deploymentQueryKeys.map((queryKey) => client.invalidateQueries({ queryKey }))),
  });
  const label = paused ? 'Resume' : 'Pause';
  return (
    <span className="pause-control">
      <button
        type="button"
        className={paused ? 'primary' : undefined}
        data-action={paused ? 'resume' : 'pause'}
        aria-label={`${label} ${deployment.flow}`}
        title={
          paused
            ? 'Start runs on its triggers and schedule again'
            : 'Stop starting runs (events that arrive meanwhile are ignored)'
        }
        disabled={change.isPending}
        onClick={() => change.mutate(paused ? 'active' : 'paused')}
      >
        {change.isPending ? `${label}…` : label}
      </button>
      {change.error ? (
        <span className="error-inline" role="alert">
          {change.error.message}
        </span>
      ) : null}
    </span>
  );
}
