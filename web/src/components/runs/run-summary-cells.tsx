/** The cells a short list of runs shows for each: the run (a link), its status, when it started, how long it took. */
import { Link } from '@tanstack/react-router';
import type { RunRecord } from '../../api/client.ts';
import { elapsed, formatAgo, formatDuration, formatTime } from '../../format/time.ts';
import { StatusBadge } from '../status-badge.tsx';

export function RunSummaryCells({ run }: { run: RunRecord }) {
  return (
    <>
      <td className="name">
        <Link to="/runs/$flow/$run" params={{ flow: run.flow, run: String(run.runNumber) }}>
          {run.flow}/{run.runNumber}
        </Link>
      </td>
      <td>
        <StatusBadge status={run.status} />
      </td>
      <td className="when" title={formatAgo(run.createdAt)}>
        {formatTime(run.createdAt)}
      </td>
      <td className="num">{formatDuration(elapsed(run.createdAt, run.finishedAt))}</td>
    </>
  );
}
