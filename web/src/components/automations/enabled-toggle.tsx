/**
 * An automation's enabled switch (`PATCH /automations/{id}`). A deployment's own automation follows
 * its deployment (the API refuses it): shown, not switchable.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { AUTOMATIONS_KEY, setAutomationEnabled } from './automation-queries.ts';
import type { AutomationRecord } from './automation-types.ts';
import { ownerDeployment } from './automation-types.ts';

export function EnabledToggle({ automation }: { automation: AutomationRecord }) {
  const client = useQueryClient();
  const change = useMutation({
    mutationFn: (enabled: boolean) => setAutomationEnabled(automation.id, enabled),
    onSettled: () => client.invalidateQueries({ queryKey: AUTOMATIONS_KEY }),
  });
  const enabled = change.isPending ? change.variables : (automation.enabled ?? true);
  const owned = ownerDeployment(automation) !== null;
  return (
    <span className="enabled-toggle">
      <button
        type="button"
        role="switch"
        aria-checked={enabled}
        aria-label={`Enabled: ${automation.name}`}
        className={`switch${enabled ? ' switch-on' : ''}`}
        disabled={owned || change.isPending}
        title={
          owned ? 'Follows its deployment: pause or resume the deployment' : enabled ? 'Disable' : 'Enable'
        }
        onClick={() => change.mutate(!enabled)}
      >
        <span className="switch-knob" />
      </button>
      {change.error ? (
        <span className="field-problem" role="alert">
          {change.error.message}
        </span>
      ) : null}
    </span>
  );
}
