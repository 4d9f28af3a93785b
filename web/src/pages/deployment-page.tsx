/**
 * One deployment (`/deployments/$flow`): its flow, status with Pause / Resume, its triggers as the
 * automation it owns and its schedule, its parameters, what has arrived (several dependencies),
 * the last problem, recent firings (their events and runs) and recent runs. Live: the
 * deployment's, its automation's and its flow's events refresh it, and so do the events its
 * triggers wait for (the arrivals).
 */
import { getRouteApi, Link } from '@tanstack/react-router';
import { DeploymentArrivals } from '../components/deployments/deployment-arrivals.tsx';
import { DeploymentFirings } from '../components/deployments/deployment-firings.tsx';
import { DeploymentParameters } from '../components/deployments/deployment-parameters.tsx';
import { DeploymentProblem } from '../components/deployments/deployment-problem.tsx';
import {
  type DeploymentRecord,
  deploymentLiveFilter,
  deploymentQueryKeys,
  useDeployment,
  useDeploymentRuns,
  useOwnedAutomation,
} from '../components/deployments/deployment-queries.ts';
import { DeploymentRuns } from '../components/deployments/deployment-runs.tsx';
import { DeploymentStatus } from '../components/deployments/deployment-status.tsx';
import { DeploymentTriggers } from '../components/deployments/deployment-triggers.tsx';
import { PauseButton } from '../components/deployments/pause-button.tsx';
import { QueryState } from '../components/query-state.tsx';
import { formatTime } from '../format/time.ts';
import { useLiveRefresh } from '../live/use-live-refresh.ts';
import '../components/deployments/deployments.css';

const route = getRouteApi('/deployments/$flow');
const RUNS_SHOWN = 20;

function Deployment({ deployment }: { deployment: DeploymentRecord }) {
  const flow = deployment.flow;
  const automation = useOwnedAutomation(flow);
  const runs = useDeploymentRuns(flow, deployment.productionToken, RUNS_SHOWN);
  const live = useLiveRefresh({
    filter: automation.isPending ? null : deploymentLiveFilter(flow, automation.data?.id),
    queryKeys: deploymentQueryKeys,
    coalesceMs: 300,
  });
  const dependencies = deployment.triggers.events.length + deployment.triggers.flows.length;
  // The events its triggers wait for change what has arrived.
  useLiveRefresh({
    filter: dependencies > 1 ? { event: { name: deployment.triggers.events.map((e) => e.name) } } : null,
    queryKeys: [['deployments', 'arrivals', flow]],
    coalesceMs: 300,
  });
  const byId = new Map((runs.data ?? []).map((r) => [r.id, r]));
  return (
    <>
      <header className="deployment-header">
        <h1>
          <Link to="/deployments" className="crumb">
            Deployments
          </Link>{' '}
          / <span className="deployment-name">{flow}</span>
        </h1>
        <div className="deployment-controls">
          <DeploymentStatus status={deployment.status} />
          <PauseButton deployment={deployment} />
          {live !== 'off' && (
            <span className={`live live-${live}`}>{live === 'live' ? 'live' : 'reconnecting…'}</span>
          )}
        </div>
      </header>
      <div className="panel">
        <dl className="facts deployment-facts">
          <div>
            <dt>Flow</dt>
            <dd>
              <Link to="/flows/$flow" params={{ flow }}>
                {flow}
              </Link>
            </dd>
          </div>
          <div>
            <dt>Namespace</dt>
            <dd className="mono">production:{deployment.productionToken}</dd>
          </div>
          <div>
            <dt>File</dt>
            <dd className="mono">{deployment.file}</dd>
          </div>
          <div>
            <dt>Deployed</dt>
            <dd title={`first deployed ${formatTime(deployment.createdAt)}`}>
              {formatTime(deployment.updatedAt)}
            </dd>
          </div>
        </dl>
      </div>
      <DeploymentProblem problem={deployment.lastProblem} />
      <DeploymentTriggers deployment={deployment} automation={automation.data} />
      {dependencies > 1 && <DeploymentArrivals deployment={deployment} />}
      <DeploymentParameters deployment={deployment} />
      <DeploymentFirings flow={flow} runs={byId} />
      <QueryState isPending={runs.isPending} error={runs.error}>
        {() => <DeploymentRuns flow={flow} runs={runs.data ?? []} />}
      </QueryState>
    </>
  );
}

export function DeploymentPage() {
  const { flow } = route.useParams();
  const deployment = useDeployment(flow);
  return (
    <section className="deployment-page">
      <QueryState isPending={deployment.isPending} error={deployment.error}>
        {() => (deployment.data ? <Deployment deployment={deployment.data} /> : null)}
      </QueryState>
      {deployment.error ? (
        <p>
          <Link to="/deployments">Back to the deployments.</Link>
        </p>
      ) : null}
    </section>
  );
}
