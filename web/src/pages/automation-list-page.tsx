/**
 * The automations (`/automations`): name, enabled switch, trigger summary, actions, last fired
 * (`lastFiredAt` of the list itself: one request whatever their number) and the deployment that
 * owns it, if any. Live: `flowtrail.automation.*` events refresh the list.
 */
import { Link } from '@tanstack/react-router';
import { AUTOMATIONS_KEY, useAutomations } from '../components/automations/automation-queries.ts';
import { actionSummary, triggerSummary } from '../components/automations/automation-summary.ts';
import { ownerDeployment } from '../components/automations/automation-types.ts';
import { EnabledToggle } from '../components/automations/enabled-toggle.tsx';
import '../components/automations/automations.css';
import { QueryState } from '../components/query-state.tsx';
import { formatAgo, formatTime } from '../format/time.ts';
import { useLiveRefresh } from '../live/use-live-refresh.ts';

export function AutomationListPage() {
  const list = useAutomations();
  useLiveRefresh({
    filter: { event: { prefix: ['flowtrail.automation.'] } },
    queryKeys: [AUTOMATIONS_KEY],
    coalesceMs: 500,
  });
  return (
    <section className="automations-page">
      <header className="page-header">
        <h1>Automations</h1>
        <Link to="/automations/new" className="button primary">
          New automation
        </Link>
      </header>
      <QueryState isPending={list.isPending} error={list.error}>
        {() =>
          list.data && list.data.length > 0 ? (
            <table className="grid automations-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Enabled</th>
                  <th>Trigger</th>
                  <th>Actions</th>
                  <th>Last fired</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((a) => {
                  const flow = ownerDeployment(a);
                  return (
                    <tr key={a.id} data-automation-id={a.id}>
                      <td className="name">
                        <Link to="/automations/$id" params={{ id: a.id }} className="automation-name">
                          {a.name}
                        </Link>
                        {flow !== null ? <div className="muted owner">deployment {flow}</div> : null}
                      </td>
                      <td>
                        <EnabledToggle automation={a} />
                      </td>
                      <td className="name trigger-cell">{triggerSummary(a.trigger)}</td>
                      <td className="name">{a.actions.map(actionSummary).join('; ') || '—'}</td>
                      <td className="last-fired">
                        {a.lastFiredAt === null ? (
                          <span className="muted">never</span>
                        ) : (
                          <span title={formatTime(a.lastFiredAt)}>{formatAgo(a.lastFiredAt)}</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ) : (
            <div className="empty automations-empty">
              No automations yet. Create one with <Link to="/automations/new">New automation</Link>, or open
              an event in the <Link to="/events">feed</Link> and press Automate.
            </div>
          )
        }
      </QueryState>
    </section>
  );
}
