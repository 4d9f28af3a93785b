/**
 * The event-triggered mark on a run: a circle with an arrow inside, one per cause, linking to the
 * triggering event (`/events/$eventId`) or upstream run (`/runs/$flow/$run`), its tooltip naming it.
 */
import './runs.css';
import { Link } from '@tanstack/react-router';
import type { RunRecord } from '../../api/client.ts';
import { formatTime } from '../../format/time.ts';

type Cause = RunRecord['trigger'][number];

export function TriggerGlyph() {
  return (
    <svg
      className="trigger-glyph"
      viewBox="0 0 16 16"
      width="16"
      height="16"
      aria-hidden="true"
      focusable="false"
    >
      <circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <path
        d="M4.5 8h6M8.2 5.2 11 8l-2.8 2.8"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

/** `ETLFlow/3` → its route params, or null for a pathspec that is not a run's. */
function runParams(pathspec: string | null): { flow: string; run: string } | null {
  const parts = pathspec?.split('/') ?? [];
  return parts.length === 2 && parts[0] && /^\d+$/.test(parts[1] ?? '')
    ? { flow: parts[0], run: parts[1]! }
    : null;
}

export function causeLabel(cause: Cause): string {
  const when = formatTime(cause.timestamp);
  return cause.type === 'run'
    ? `Triggered by run ${cause.pathspec ?? cause.name} finishing (${when})`
    : `Triggered by event ${cause.name} (${when}, id ${cause.id})`;
}

/** The mark, linking to the cause; with `named`, the event name or upstream pathspec beside it. */
export function TriggerIcon({ cause, named = false }: { cause: Cause; named?: boolean }) {
  const label = causeLabel(cause);
  const upstream = cause.type === 'run' ? runParams(cause.pathspec) : null;
  const body = (
    <>
      <TriggerGlyph />
      {named && (
        <span className="trigger-name">
          {cause.type === 'run' ? (cause.pathspec ?? cause.name) : cause.name}
        </span>
      )}
    </>
  );
  if (upstream)
    return (
      <Link to="/runs/$flow/$run" params={upstream} className="trigger-icon" title={label} aria-label={label}>
        {body}
      </Link>
    );
  return (
    <Link
      to="/events/$eventId"
      params={{ eventId: cause.id }}
      className="trigger-icon"
      title={label}
      aria-label={label}
    >
      {body}
    </Link>
  );
}

/** Every cause of a run (usually one; an AND of dependencies has several). */
export function TriggerIcons({ run, named = false }: { run: RunRecord; named?: boolean }) {
  if (run.trigger.length === 0) return null;
  return (
    <span className={named ? 'trigger-icons trigger-icons-named' : 'trigger-icons'}>
      {run.trigger.map((cause) => (
        <TriggerIcon key={`${cause.type}:${cause.id}`} cause={cause} named={named} />
      ))}
    </span>
  );
}
