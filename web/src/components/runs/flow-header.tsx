/** A flow's title with its Runs / History tabs (the filters carry over) and the live state. */
import './runs.css';
import { Link } from '@tanstack/react-router';
import type { StreamState } from '../../live/event-stream.ts';
import { filtersOf, type RunListSearch } from '../../routes/run-list-search.ts';

const LIVE_TEXT: Record<StreamState | 'off', string> = {
  live: 'live',
  connecting: 'connecting…',
  down: 'reconnecting (refreshing every few seconds)',
  off: '',
};

export function FlowHeader({
  flow,
  search,
  live,
}: {
  flow: string;
  search: RunListSearch;
  live: StreamState | 'off';
}) {
  const filters = filtersOf(search);
  return (
    <header className="flow-header">
      <div className="flow-header-title">
        <h1>
          <Link to="/" className="flow-header-crumb">
            Flows
          </Link>{' '}
          / <span className="flow-header-name">{flow}</span>
        </h1>
        {live !== 'off' && <span className={`live live-${live}`}>{LIVE_TEXT[live]}</span>}
      </div>
      <nav className="tabs" aria-label="Views of the flow">
        <Link
          to="/flows/$flow"
          params={{ flow }}
          search={filters}
          activeOptions={{ exact: true, includeSearch: false }}
        >
          Runs
        </Link>
        <Link
          to="/flows/$flow/history"
          params={{ flow }}
          search={filters}
          activeOptions={{ includeSearch: false }}
        >
          History
        </Link>
      </nav>
    </header>
  );
}
