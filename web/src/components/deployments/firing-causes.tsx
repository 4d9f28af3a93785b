/**
 * What a firing (or a run) was started by, as links: an event to its page, an upstream run to its
 * run page, an automation to its page. Names are text, whatever they hold.
 */
import { Link } from '@tanstack/react-router';
import { formatTime } from '../../format/time.ts';
import { AutomationLink } from './automation-link.tsx';
import type { FiringRecord } from './deployment-queries.ts';

type Cause = FiringRecord['causes'][number];

function runParams(pathspec: string | null): { flow: string; run: string } | null {
  const m = pathspec?.match(/^([^/]+)\/(\d+)$/);
  return m ? { flow: m[1]!, run: m[2]! } : null;
}

/** The cause the trigger engine records for a schedule's firing (not a stored event). */
const SCHEDULE = 'flowtrail.schedule';

function CauseLink({ cause }: { cause: Cause }) {
  if (cause.type === 'event' && cause.name === SCHEDULE)
    return <span title={`due ${formatTime(cause.timestamp)}`}>schedule</span>;
  if (cause.type === 'automation')
    return <AutomationLink id={cause.id}>automation {cause.name}</AutomationLink>;
  const upstream = cause.type === 'run' ? runParams(cause.pathspec) : null;
  if (upstream)
    return (
      <Link to="/runs/$flow/$run" params={upstream} className="cause">
        run {cause.pathspec} finished
      </Link>
    );
  return (
    <Link to="/events/$eventId" params={{ eventId: cause.id }} className="cause" title={`event ${cause.id}`}>
      event {cause.name}
    </Link>
  );
}

export function FiringCauses({ causes }: { causes: readonly Cause[] }) {
  if (causes.length === 0) return <span className="muted">—</span>;
  return (
    <span className="causes">
      {causes.map((c, i) => (
        <span key={`${c.type}:${c.id}`}>
          {i > 0 && <span className="muted"> + </span>}
          <CauseLink cause={c} />
        </span>
      ))}
    </span>
  );
}
