/** The notice on a deployment's own automation: read-only here, changed through its deployment. */
import type { AutomationRecord } from './automation-types.ts';
import { ownerDeployment } from './automation-types.ts';

export function OwnerNotice({ automation }: { automation: AutomationRecord }) {
  const flow = ownerDeployment(automation);
  if (!automation.ownerResource) return null;
  return (
    <div className="owner-notice" role="note">
      Read-only: this automation belongs to{' '}
      {flow !== null ? (
        // The deployments screens are their own part of the UI: a plain address.
        <a href={`/deployments/${encodeURIComponent(flow)}`}>deployment {flow}</a>
      ) : (
        <code>{automation.ownerResource}</code>
      )}
      . Its triggers change when the flow is deployed again; pause or resume the deployment instead.
    </div>
  );
}
