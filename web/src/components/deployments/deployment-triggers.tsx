/**
 * What starts a deployment: its @trigger / @triggerOnFinish shown as the automation they are (the
 * automation it owns: its trigger in words, enabled or not, when it last fired, a link to its
 * page), each event's payload → parameter mappings, and its schedule with the next fire time.
 */
import { formatAgo, formatTime } from '../../format/time.ts';
import { AutomationLink } from './automation-link.tsx';
import type { AutomationRecord, DeploymentRecord } from './deployment-queries.ts';
import { dependencySummary, scheduleSummary, triggerSummary } from './trigger-summary.ts';

function OwnedAutomation({ automation }: { automation: AutomationRecord }) {
  const enabled = automation.enabled ?? true;
  return (
    <div className="owned-automation" data-automation-id={automation.id}>
      <div className="owned-automation-head">
        <AutomationLink id={automation.id}>{automation.name}</AutomationLink>
        <span
          className={`status status-automation-${enabled ? 'enabled' : 'disabled'}`}
          data-enabled={enabled}
        >
          {enabled ? 'enabled' : 'disabled'}
        </span>
      </div>
      <div className="trigger-summary">{triggerSummary(automation.trigger)}</div>
      <div className="muted">
        {automation.lastFiredAt === null ? (
          'never fired'
        ) : (
          <span title={formatTime(automation.lastFiredAt)}>
            last fired {formatAgo(automation.lastFiredAt)}
          </span>
        )}
        {' · '}owned by the deployment: re-deploy the flow to change it
      </div>
    </div>
  );
}

function Mappings({ deployment }: { deployment: DeploymentRecord }) {
  const rows = deployment.triggers.events.flatMap((e) =>
    Object.entries(e.parameters).map(([param, field]) => ({ event: e.name, param, field })),
  );
  if (rows.length === 0) return null;
  return (
    <ul className="mappings" aria-label="parameter mappings">
      {rows.map((r) => (
        <li key={`${r.event}:${r.param}`}>
          <span className="mono">{r.param}</span> ← <span className="mono">payload.{r.field}</span>{' '}
          <span className="muted">of {r.event}</span>
        </li>
      ))}
    </ul>
  );
}

export function DeploymentTriggers({
  deployment,
  automation,
}: {
  deployment: DeploymentRecord;
  automation: AutomationRecord | null | undefined;
}) {
  const dependencies = dependencySummary(deployment.triggers);
  const schedule = scheduleSummary(deployment.triggers);
  return (
    <section className="panel" aria-label="triggers and schedule">
      <h2>Triggers and schedule</h2>
      <dl className="trigger-facts">
        <div>
          <dt>Triggers</dt>
          <dd>
            {automation ? (
              <OwnedAutomation automation={automation} />
            ) : dependencies ? (
              <span>
                {dependencies}{' '}
                <span className="muted">
                  (its automation appears once the server's trigger engine has started)
                </span>
              </span>
            ) : (
              <span className="muted">none (no @trigger or @triggerOnFinish)</span>
            )}
            <Mappings deployment={deployment} />
          </dd>
        </div>
        <div>
          <dt>Schedule</dt>
          <dd>
            {schedule ? (
              <>
                <span className="mono">{schedule}</span>
                {deployment.nextScheduledAt !== null && (
                  <span className="muted">
                    {' '}
                    · next {formatTime(deployment.nextScheduledAt)}
                    {deployment.status === 'paused' ? ' (paused)' : ''}
                  </span>
                )}
              </>
            ) : (
              <span className="muted">none (no @schedule)</span>
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}
