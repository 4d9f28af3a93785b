/**
 * Every deployment (`/deployments`): its flow, status with Pause / Resume, what starts it (the
 * automation it owns, the schedule), how many parameters it sets, its last firing and last
 * problem. Two requests whatever the number of deployments (the deployments with their newest
 * firings, and the automations — nothing per row); kept current by the event stream.
 */
import { Link } from '@tanstack/react-router';
import { AutomationLink } from '../components/deployments/automation-link.tsx';
import {
  type AutomationRecord,
  type DeploymentRecord,
  deploymentQueryKeys,
  deploymentResource,
  deploymentsLiveFilter,
  type FiringRecord,
  useAutomations,
  useDeploymentList,
} from '../components/deployments/deployment-queries.ts';
import { DeploymentStatus } from '../components/deployments/deployment-status.tsx';
import { PauseButton } from '../components/deployments/pause-button.tsx';
import {
  dependencySummary,
  scheduleSummary,
  triggerSummary,
} from '../components/deployments/trigger-summary.ts';
import { QueryState } from '../components/query-state.tsx';
import { formatAgo, formatTime } from '../format/time.ts';
import { useLiveRefresh } from '../live/use-live-refresh.ts';
import '../components/deployments/deployments.css';

function StartsOn({
  deployment,
  automation,
}: {
  deployment: DeploymentRecord;
  automation?: AutomationRecord;
}) {
  const schedule = scheduleSummary(deployment.triggers);
  const dependencies = dependencySummary(deployment.triggers);
  return (
    <>
      {automation ? (
        <div className="starts-on-trigger">
          <AutomationLink id={automation.id}>{triggerSummary(automation.trigger)}</AutomationLink>
          {automation.enabled === false && <span className="muted"> (automation disabled)</span>}
        </div>
      ) : dependencies ? (
        <div className="starts-on-trigger">{dependencies}</div>
      ) : null}
      {schedule && <div className="mono starts-on-schedule">{schedule}</div>}
      {!schedule && !dependencies && <span className="muted">nothing on its own</span>}
    </>
  );
}

function LastFiring({ firing }: { firing: FiringRecord | undefined }) {
  if (!firing) return <span className="muted">never</span>;
  return (
    <>
      <span title={formatTime(firing.createdAt)}>{formatAgo(firing.createdAt)}</span>{' '}
      <span className={`status status-firing-${firing.status}`}>{firing.status}</span>
    </>
  );
}

function ParameterCount({ params }: { params: DeploymentRecord['params'] }) {
  const names = Object.keys(params);
  if (names.length === 0) return <span className="muted">defaults</span>;
  return <span title={names.join(', ')}>{names.length} set</span>;
}

export function DeploymentsPage() {
  const list = useDeploymentList();
  const automations = useAutomations();
  const live = useLiveRefresh({
    filter: deploymentsLiveFilter,
    queryKeys: deploymentQueryKeys,
    coalesceMs: 500,
  });
  const owned = new Map((automations.data ?? []).map((a) => [a.ownerResource ?? '', a]));
  const lastFiring = new Map((list.data?.latestFirings ?? []).map((f) => [f.flow, f]));
  return (
    <section className="deployments-page">
      <div className="page-title">
        <h1>Deployments</h1>
        {live === 'live' && <span className="live live-live">live</span>}
      </div>
      <QueryState isPending={list.isPending} error={list.error}>
        {() =>
          list.data && list.data.deployments.length > 0 ? (
            <table className="grid deployments-table">
              <thead>
                <tr>
                  <th>Flow</th>
                  <th>Status</th>
                  <th>Starts on</th>
                  <th>Parameters</th>
                  <th>Last firing</th>
                  <th>Last problem</th>
                </tr>
              </thead>
              <tbody>
                {list.data.deployments.map((d) => (
                  <tr key={d.flow} data-deployment={d.flow}>
                    <td className="name">
                      <Link to="/deployments/$flow" params={{ flow: d.flow }}>
                        {d.flow}
                      </Link>
                    </td>
                    <td className="status-cell">
                      <DeploymentStatus status={d.status} /> <PauseButton deployment={d} />
                    </td>
                    <td className="name">
                      <StartsOn deployment={d} automation={owned.get(deploymentResource(d.flow))} />
                    </td>
                    <td>
                      <ParameterCount params={d.params} />
                    </td>
                    <td className="when">
                      <LastFiring firing={lastFiring.get(d.flow)} />
                    </td>
                    <td className="problem-cell">
                      {d.lastProblem ? (
                        <span title={`${formatTime(d.lastProblem.at)}: ${d.lastProblem.message}`}>
                          {d.lastProblem.message}
                        </span>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <div className="empty">
              No deployments yet. Deploy a flow with <code>npx flowtrail deploy examples/chain/etl.ts</code>{' '}
              and <code>flowtrail server</code> starts its runs on its triggers and schedule.
            </div>
          )
        }
      </QueryState>
    </section>
  );
}
