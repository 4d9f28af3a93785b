/** A link to an automation's page (`/automations/ID`), from the deployments screens. */
import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';

export function AutomationLink({ id, children }: { id: string; children: ReactNode }) {
  return (
    <Link to="/automations/$id" params={{ id }} className="automation-link">
      {children}
    </Link>
  );
}
