/** A deployment's status as a label: active (its triggers and schedule start runs) or paused. */
import type { DeploymentRecord } from './deployment-queries.ts';

export function DeploymentStatus({ status }: { status: DeploymentRecord['status'] }) {
  return (
    <span
      className={`status status-${status === 'active' ? 'deployment-active' : 'deployment-paused'}`}
      data-status={status}
    >
      {status}
    </span>
  );
}
