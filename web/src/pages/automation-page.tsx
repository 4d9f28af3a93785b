/**
 * One automation (`/automations/$id`): its state, trigger and actions, then the history of its
 * firings and actions (keyset pages), each linking to the events and runs involved. A
 * deployment's own automation is read-only here (link to its deployment). Live: the
 * automation's own events (`flowtrail.automation.<id>`: saved, fired, acted) refresh it.
 */
import { getRouteApi, Link } from '@tanstack/react-router';
import { AutomationHistory } from '../components/automations/automation-history.tsx';
import { AUTOMATIONS_KEY, useAutomation } from '../components/automations/automation-queries.ts';
import { actionSummary, triggerSummary } from '../components/automations/automation-summary.ts';
import type { AutomationRecord } from '../components/automations/automation-types.ts';
import { DeleteAutomation } from '../components/automations/delete-automation.tsx';
import { EnabledToggle } from '../components/automations/enabled-toggle.tsx';
import { OwnerNotice } from '../components/automations/owner-notice.tsx';
import '../components/automations/automations.css';
import { QueryState } from '../components/query-state.tsx';
import { formatAgo, formatTime } from '../format/time.ts';
import { useLiveRefresh } from '../live/use-live-refresh.ts';

const route = getRouteApi('/automations/$id');

function Details({ automation }: { automation: AutomationRecord }) {
  const owned = Boolean(automation.ownerResource);
  const lists = [
    ['Actions', automation.actions],
    ['On trigger', automation.actionsOnTrigger ?? []],
    ['On resolve', automation.actionsOnResolve ?? []],
  ] as const;
  return (
    <>
      <header className="page-header">
        <h1 className="automation-title">{automation.name}</h1>
        <EnabledToggle automation={automation} />
        {owned ? null : (
          <>
            <Link to="/automations/$id/edit" params={{ id: automation.id }} className="button">
              Edit
            </Link>
            <DeleteAutomation automation={automation} />
          </>
        )}
      </header>
      <OwnerNotice automation={automation} />
      <div className="panel">
        <dl className="facts">
          <div>
            <dt>Trigger</dt>
            <dd className="trigger-cell">{triggerSummary(automation.trigger)}</dd>
          </div>
          {lists.map(([label, actions]) =>
            actions.length > 0 || label === 'Actions' ? (
              <div key={label}>
                <dt>{label}</dt>
                <dd>
                  {actions.length === 0 ? (
                    '—'
                  ) : (
                    <ul className="plain">
                      {actions.map((a, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: a stored list, in order
                        <li key={i}>{actionSummary(a)}</li>
                      ))}
                    </ul>
                  )}
                </dd>
              </div>
            ) : null,
          )}
          <div>
            <dt>Last fired</dt>
            <dd>
              {automation.lastFiredAt === null
                ? 'never'
                : `${formatTime(automation.lastFiredAt)} (${formatAgo(automation.lastFiredAt)})`}
            </dd>
          </div>
          <div>
            <dt>Saved</dt>
            <dd>
              {formatTime(automation.updatedAt)}
              {automation.updatedAt !== automation.createdAt ? (
                <span className="muted"> (created {formatTime(automation.createdAt)})</span>
              ) : null}
            </dd>
          </div>
          <div>
            <dt>Id</dt>
            <dd className="mono">{automation.id}</dd>
          </div>
          {automation.tags && automation.tags.length > 0 ? (
            <div>
              <dt>Tags</dt>
              <dd>
                {automation.tags.map((t) => (
                  <span key={t} className="chip">
                    {t}
                  </span>
                ))}
              </dd>
            </div>
          ) : null}
        </dl>
        {automation.description ? <p className="description">{automation.description}</p> : null}
        <details>
          <summary>As JSON</summary>
          <pre className="text mono">{JSON.stringify(automation, null, 2)}</pre>
        </details>
      </div>
      <h2>History</h2>
      <AutomationHistory id={automation.id} />
    </>
  );
}

export function AutomationPage() {
  const { id } = route.useParams();
  const found = useAutomation(id);
  useLiveRefresh({
    filter: { resource: { id: [`flowtrail.automation.${id}`] } },
    queryKeys: [
      [...AUTOMATIONS_KEY, 'one', id],
      [...AUTOMATIONS_KEY, 'history', id],
    ],
    coalesceMs: 300,
  });
  return (
    <section className="automation-page">
      <div className="crumbs">
        <Link to="/automations">Automations</Link>
      </div>
      <QueryState isPending={found.isPending} error={found.error}>
        {() => (found.data ? <Details automation={found.data} /> : null)}
      </QueryState>
    </section>
  );
}
