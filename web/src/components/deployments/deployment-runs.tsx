/** The deployment's recent runs (its `production:<token>` namespace), newest first, with what started each. */
import { Link } from '@tanstack/react-router';
import type { RunRecord } from '../../api/client.ts';
import { RunSummaryCells } from '../runs/run-summary-cells.tsx';
import { TriggerIcons } from '../runs/trigger-icon.tsx';

export function DeploymentRuns({ flow, runs }: { flow: string; runs: readonly RunRecord[] }) {
  return (
    <section className="panel" aria-label="recent runs">
      <h2>
        Recent runs{' '}
        <Link to="/flows/$flow" params={{ flow }} className="panel-link">
          all runs of {flow}
        </Link>
      </h2>
      {runs.length === 0 ? (
        <p className="muted">No deployed runs yet.</p>
      ) : (
        <table className="grid deployment-runs">
          <thead>
            <tr>
              <th>Run</th>
              <th>Status</th>
              <th>Started</th>
              <th className="num">Duration</th>
              <th>Started by</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id} data-run={`${r.flow}/${r.runNumber}`}>
                <RunSummaryCells run={r} />
                <td className="name">
                  {r.trigger.length > 0 ? (
                    <TriggerIcons run={r} named />
                  ) : (
                    <span className="muted">by hand</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
