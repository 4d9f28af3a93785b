/** The run page's heading: status (with an honest word on a silent orchestrator), timing, user, error. */
import type { RunRecord } from '../../api/client.ts';
import { elapsed, formatDuration, formatTime } from '../../format/time.ts';
import { StatusBadge } from '../status-badge.tsx';
import { runLiveness } from './run-liveness.ts';
import { useNow } from './use-now.ts';

export function RunHeader({ run, live }: { run: RunRecord; live: string }) {
  const now = useNow(run.status === 'running');
  const liveness = runLiveness(run, now);
  const triggered = run.trigger.length > 0;
  return (
    <header className="run-header">
      <h1>
        <span className="run-title">
          {run.flow}/{run.runNumber}
        </span>{' '}
        <span data-testid="run-status" data-status={run.status}>
          <StatusBadge status={run.status} />
        </span>
        {run.status === 'running' && run.cancelRequest ? (
          <span className="liveness" role="status">
            cancel requested by {run.cancelRequest.by}
          </span>
        ) : null}
        {liveness.state === 'late' || liveness.state === 'lost' ? (
          <span className={`liveness liveness-${liveness.state}`} role="status">
            {liveness.state === 'lost' ? 'lost? ' : ''}no heartbeat for{' '}
            {Math.round(liveness.silentForMs / 1000)} s
          </span>
        ) : null}
        <span className={`live live-${live}`} title="live updates from the event stream">
          {live === 'live'
            ? 'live'
            : live === 'off'
              ? ''
              : live === 'down'
                ? 'stream down, polling'
                : 'connecting'}
        </span>
      </h1>
      <dl className="run-facts">
        <div>
          <dt>Started</dt>
          <dd>{formatTime(run.createdAt)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>
            {formatDuration(elapsed(run.createdAt, run.finishedAt, now))}
            {run.status === 'running' ? ' so far' : ''}
          </dd>
        </div>
        <div>
          <dt>User</dt>
          <dd>{run.user}</dd>
        </div>
        <div>
          <dt>Started by</dt>
          <dd>{triggered ? run.trigger.map((c) => c.pathspec ?? c.name).join(', ') : 'hand'}</dd>
        </div>
        {run.originRunNumber !== null ? (
          <div>
            <dt>Resumed from</dt>
            <dd>
              {run.flow}/{run.originRunNumber}
            </dd>
          </div>
        ) : null}
      </dl>
      {run.error ? (
        <div className="error-box run-error" role="alert">
          <strong>
            {run.status === 'crashed' ? 'Crashed: ' : run.status === 'cancelled' ? 'Cancelled: ' : 'Failed: '}
          </strong>
          {run.error.type}: {run.error.message}
        </div>
      ) : null}
    </header>
  );
}
