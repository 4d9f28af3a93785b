import { createRootRoute, Link, Outlet } from '@tanstack/react-router';
import { KeyPrompt } from '../components/key-prompt.tsx';

function Layout() {
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/" className="brand">
          Flowtrail
        </Link>
        <nav>
          <Link to="/" activeOptions={{ exact: true }}>
            Flows
          </Link>
          <Link to="/events">Events</Link>
          <Link to="/automations">Automations</Link>
          <Link to="/deployments">Deployments</Link>
        </nav>
      </header>
      <KeyPrompt />
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}

export const rootRoute = createRootRoute({
  component: Layout,
  notFoundComponent: () => (
    <div className="empty">
      There is no page at this address. <Link to="/">Back to the flows.</Link>
    </div>
  ),
});
