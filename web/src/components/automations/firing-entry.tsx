/**
 * One firing and the actions it decided on: when, which trigger, its labels, the events behind it
 * (each linked to its page) and each action's type, status, what it acted on (an event it emitted,
 * a run it started or cancelled, a deployment it paused: linked) and why it failed.
 */
import { Link } from '@tanstack/react-router';
import './automations.css';
import { formatAgo, formatTime } from '../../format/time.ts';
import { ResourceLink } from '../events/resource-link.tsx';
import { actionSummary } from './automation-summary.ts';
import type { HistoryEntry } from './automation-types.ts';
import { TargetLink } from './target-link.tsx';

export function FiringEntry({ entry, automationName }: { entry: HistoryEntry; automationName?: string }) {
  const { firing, actions } = entry;
  const labels = Object.entries(firing.firing.labels);
  const last = firing.firing.event;
  return (
    <li className="firing" data-firing-id={firing.id}>
      <div className="firing-head">
        {automationName !== undefined ? (
          <Link to="/automations/$id" params={{ id: firing.automation }} className="firing-automation">
            {automationName}
          </Link>
        ) : null}
        <span title={new Date(firing.triggeredAt).toISOString()}>
          fired {formatTime(firing.triggeredAt)}{' '}
          <span className="muted">({formatAgo(firing.triggeredAt)})</span>
        </span>
        {/* Which part of a compound or sequence trigger fired (a single trigger is just `trigger`). */}
        {firing.firing.trigger !== 'trigger' ? <code className="muted">{firing.firing.trigger}</code> : null}
        {labels.map(([k, v]) => (
          <span key={k} className="chip">
            {k}={v}
          </span>
        ))}
      </div>
      <div className="firing-events">
        <span className="muted">
          {firing.eventIds.length === 0 ? 'No event: the window passed empty.' : 'Events:'}
        </span>
        {firing.eventIds.map((eventId) => (
          <span key={eventId} className="firing-event">
            <Link to="/events/$eventId" params={{ eventId }} className="mono">
              {last?.id === eventId ? last.event : 'event'} {eventId}
            </Link>
            {last?.id === eventId && last.resource['flowtrail.resource.id'] ? (
              <>
                {' '}
                <span className="muted">on</span> <ResourceLink id={last.resource['flowtrail.resource.id']} />
              </>
            ) : null}
          </span>
        ))}
      </div>
      {actions.length === 0 ? null : (
        <table className="grid actions-table">
          <thead>
            <tr>
              <th>Action</th>
              <th>Status</th>
              <th>Acted on</th>
              <th>Message</th>
              <th>Finished</th>
            </tr>
          </thead>
          <tbody>
            {actions.map((a) => (
              <tr key={a.id} data-action-id={a.id}>
                <td className="name">
                  {a.list === 'actionsOnTrigger' ? <span className="muted">on trigger: </span> : null}
                  {actionSummary(a.action)}
                </td>
                <td>
                  <span className={`status status-action-${a.status}`}>{a.status}</span>
                  {a.attempts > 1 ? <span className="muted"> ×{a.attempts}</span> : null}
                </td>
                <td className="name">
                  {a.target ? <TargetLink target={a.target} /> : <span className="muted">—</span>}
                </td>
                <td className="name">{a.message ?? <span className="muted">—</span>}</td>
                <td>{a.finishedAt ? formatTime(a.finishedAt) : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
}
