/**
 * The trigger chain of a run, several hops each way, from one request (GET /runs/{runId}/trail):
 * what started it (events, upstream runs, and what started those) and what it started.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { unwrap } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { formatTime } from '../../format/time.ts';
import { QueryState } from '../query-state.tsx';
import { StatusBadge } from '../status-badge.tsx';
import { type ChainNode, runKey } from './run-data.ts';

const HOPS = 4;

function ChainItem({ node }: { node: ChainNode }) {
  return (
    <li>
      {node.kind === 'run' && node.flow !== undefined && node.runNumber !== undefined ? (
        <span className="chain-run">
          <span className="chain-kind">run</span>{' '}
          <Link to="/runs/$flow/$run" params={{ flow: node.flow, run: String(node.runNumber) }}>
            {node.pathspec}
          </Link>{' '}
          {node.status ? <StatusBadge status={node.status} /> : null}{' '}
          <span className="muted">{formatTime(node.createdAt)}</span>
        </span>
      ) : (
        <span className="chain-event">
          <span className="chain-kind">event</span>{' '}
          {node.id ? (
            <Link to="/events/$eventId" params={{ eventId: node.id }}>
              {node.name}
            </Link>
          ) : (
            node.name
          )}{' '}
          <span className="muted">{formatTime(node.at)}</span>
        </span>
      )}
      {node.next.length > 0 ? (
        <ul>
          {node.next.map((n, i) => (
            <ChainItem key={`${n.kind}:${n.id ?? n.pathspec ?? i}`} node={n} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function ChainList({ nodes, empty, label }: { nodes: readonly ChainNode[]; empty: string; label: string }) {
  if (nodes.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="chain" aria-label={label}>
      {nodes.map((n, i) => (
        <ChainItem key={`${n.kind}:${n.id ?? n.pathspec ?? i}`} node={n} />
      ))}
    </ul>
  );
}

export function TriggerChain({ flow, run, runId }: { flow: string; run: number; runId: number }) {
  const trail = useQuery({
    queryKey: [...runKey(flow, run), 'trail'],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/runs/{runId}/trail', {
          params: { path: { runId }, query: { up: HOPS, down: HOPS } },
        }),
      ),
  });
  return (
    <section className="panel trigger-chain" aria-label="trigger chain">
      <h2>Trigger chain</h2>
      <QueryState isPending={trail.isPending} error={trail.error}>
        {() => (
          <>
            <h3>Started by</h3>
            <ChainList nodes={trail.data?.up ?? []} empty="Started by hand." label="started by" />
            <h3>Started</h3>
            <ChainList
              nodes={trail.data?.down ?? []}
              empty="No run or event came from this run."
              label="started"
            />
          </>
        )}
      </QueryState>
    </section>
  );
}
