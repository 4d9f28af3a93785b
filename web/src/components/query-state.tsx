/** What a view shows while its data loads or when the server refused it. */
import type { ReactNode } from 'react';
import { ApiError } from '../api/api-error.ts';

export function QueryState({
  isPending,
  error,
  children,
}: {
  isPending: boolean;
  error: unknown;
  children: () => ReactNode;
}) {
  if (error) {
    const message = error instanceof Error ? error.message : String(error);
    const status = error instanceof ApiError ? error.status : undefined;
    return (
      <div className="error-box" role="alert">
        {status === 404 ? 'Not found: ' : 'Could not load this: '}
        {message}
      </div>
    );
  }
  if (isPending) return <div className="loading">Loading…</div>;
  return <>{children()}</>;
}
