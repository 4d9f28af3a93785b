/**
 * Creating (`/automations/new`, prefilled from an event with `?fromEvent=ID`: the Automate button)
 * and editing (`/automations/$id/edit`) an automation in the editor. A deployment's own automation
 * is not edited here: its notice links to the deployment.
 */
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { AutomationEditor } from '../components/automations/automation-editor.tsx';
import { draftFromEvent, inputOf, useAutomation } from '../components/automations/automation-queries.ts';
import type { AutomationInput } from '../components/automations/automation-types.ts';
import { OwnerNotice } from '../components/automations/owner-notice.tsx';
import '../components/automations/automations.css';
import { QueryState } from '../components/query-state.tsx';

const newRoute = getRouteApi('/automations/new');
const editRoute = getRouteApi('/automations/$id/edit');

/** What a new automation starts from without an event: the API names what is still missing. */
const BLANK: AutomationInput = {
  name: '',
  trigger: { type: 'event', expect: [], posture: 'reactive', threshold: 1, within: 0 },
  actions: [{ type: 'do-nothing' }],
};

export function AutomationNewPage() {
  const { fromEvent } = newRoute.useSearch();
  const draft = useQuery({
    queryKey: ['automation-draft', fromEvent ?? null],
    queryFn: async () => (fromEvent ? draftFromEvent(fromEvent) : BLANK),
    staleTime: Number.POSITIVE_INFINITY,
  });
  return (
    <section className="automation-editor-page">
      <div className="crumbs">
        <Link to="/automations">Automations</Link>
      </div>
      <h1>New automation</h1>
      {fromEvent ? (
        <p className="muted">
          Drafted from event{' '}
          <Link to="/events/$eventId" params={{ eventId: fromEvent }} className="mono">
            {fromEvent}
          </Link>
          : a trigger on its resource and name, firing on every match.
        </p>
      ) : null}
      <QueryState isPending={draft.isPending} error={draft.error}>
        {() =>
          draft.data ? (
            <AutomationEditor
              key={fromEvent ?? ''}
              initial={draft.data}
              fromEvent={fromEvent !== undefined}
            />
          ) : null
        }
      </QueryState>
    </section>
  );
}

export function AutomationEditPage() {
  const { id } = editRoute.useParams();
  const found = useAutomation(id);
  return (
    <section className="automation-editor-page">
      <div className="crumbs">
        <Link to="/automations">Automations</Link> /{' '}
        <Link to="/automations/$id" params={{ id }}>
          {found.data?.name ?? id}
        </Link>
      </div>
      <h1>Edit automation</h1>
      <QueryState isPending={found.isPending} error={found.error}>
        {() =>
          found.data ? (
            found.data.ownerResource ? (
              <OwnerNotice automation={found.data} />
            ) : (
              <AutomationEditor initial={inputOf(found.data)} id={id} />
            )
          ) : null
        }
      </QueryState>
    </section>
  );
}
