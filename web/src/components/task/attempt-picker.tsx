/** The attempts of a task, one link each (`?attempt=N`); logs and artifacts follow the one picked. */
import { Link } from '@tanstack/react-router';
import type { Schemas } from '../../api/client.ts';
import { elapsed, formatDuration, formatTime } from '../../format/time.ts';
import { StatusBadge } from '../status-badge.tsx';

type Attempt = Schemas['Attempt'];

export function AttemptPicker({
  attempts,
  current,
  finalAttempt,
}: {
  attempts: readonly Attempt[];
  current: number;
  finalAttempt: number | null;
}) {
  if (attempts.length === 0) return <div className="task-muted">No attempt has started yet.</div>;
  return (
    <nav className="task-attempts" aria-label="Attempts">
      {attempts.map((a) => (
        <Link
          key={a.attempt}
          to="."
          search={(prev: Record<string, unknown>) => ({ ...prev, attempt: a.attempt })}
          className={a.attempt === current ? 'task-attempt active' : 'task-attempt'}
          aria-current={a.attempt === current ? 'true' : undefined}
          title={`started ${formatTime(a.startedAt)}`}
        >
          <span>Attempt {a.attempt}</span> <StatusBadge status={a.status} />{' '}
          <span className="task-muted">{formatDuration(elapsed(a.startedAt, a.finishedAt))}</span>
          {a.attempt === finalAttempt && <span className="task-final">final</span>}
        </Link>
      ))}
    </nav>
  );
}
