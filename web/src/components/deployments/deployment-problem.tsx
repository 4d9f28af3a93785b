/**
 * The latest reason a trigger could not start a run (a missing mapped parameter, a module that
 * fails to load…), with the event that could not start it; cleared by the next run started.
 */
import { Link } from '@tanstack/react-router';
import { formatAgo, formatTime } from '../../format/time.ts';
import type { DeploymentRecord } from './deployment-queries.ts';

export function DeploymentProblem({ problem }: { problem: DeploymentRecord['lastProblem'] }) {
  if (!problem) return null;
  return (
    <section className="panel problem-panel" aria-label="last problem" role="alert">
      <h2>Last problem</h2>
      <p className="problem-message">{problem.message}</p>
      <div className="muted">
        <span title={formatTime(problem.at)}>{formatAgo(problem.at)}</span>
        {problem.eventId && (
          <>
            {' · '}
            <Link to="/events/$eventId" params={{ eventId: problem.eventId }}>
              the event it could not start a run for
            </Link>
          </>
        )}
        {' · '}the next run started clears it
      </div>
    </section>
  );
}
