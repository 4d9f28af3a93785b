/**
 * A link to an automation's page (`/automations/ID`, the automations screens). A plain anchor:
 * those routes live in their own part of the route tree, so this link does not depend on them.
 */
import type { ReactNode } from 'react';

export function AutomationLink({ id, children }: { id: string; children: ReactNode }) {
  return (
    <a href={`/automations/${encodeURIComponent(id)}`} className="automation-link">
      {children}
    </a>
  );
}
