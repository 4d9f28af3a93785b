/**
 * A run's trigger chain, both ways, over the store ports: upwards what started it (an event, or an
 * upstream run — and what started that, …), downwards the runs it started (through its completion,
 * or through events its steps emitted) and what those started. `flowtrail trail` walks the same
 * relations through the client API; this walk serves the run page in one request
 * (`GET /api/v1/runs/{runId}/trail`).
 */
import { parsePathspec, pathspecLevel, runPathspec } from '../core/pathspec.ts';
import { resourceIds } from '../events/lifecycle.ts';
import { RESERVED_PREFIX } from '../events/model.ts';
import type { EventStore } from './event-store.ts';
import type { MetadataStore, RunRecord, RunStatus, TriggerCause } from './metadata-store.ts';

export interface ChainRun {
  kind: 'run';
  pathspec: string;
  flow: string;
  runNumber: number;
  status: RunStatus;
  createdAt: number;
  /** Upwards: the run's causes. Downwards: what it started. */
  next: ChainNode[];
}

export interface ChainEvent {
  kind: 'event';
  /** The event name (for an upstream run that no longer exists: its pathspec). */
  name: string;
  id: string;
  at: number;
  /** Downwards: runs the event started. */
  next: ChainNode[];
}

export type ChainNode = ChainRun | ChainEvent;

/** At most this many events a run emitted are followed downwards. */
const EMITTED_LIMIT = 20;

function runNode(run: RunRecord, next: ChainNode[]): ChainRun {
  return {
    kind: 'run',
    pathspec: runPathspec(run.flow, run.runNumber),
    flow: run.flow,
    runNumber: run.runNumber,
    status: run.status,
    createdAt: run.createdAt,
    next,
  };
}

async function runOfPathspec(store: MetadataStore, pathspec: string): Promise<RunRecord | undefined> {
  try {
    const p = parsePathspec(pathspec);
    if (pathspecLevel(p) !== 'run' || p.run === undefined) return undefined;
    return await store.getRun(p.flow, p.run);
  } catch {
    return undefined;
  }
}

/** How a cause that is not a visible run reads in a chain. */
export function causeLabel(cause: TriggerCause): string {
  if (cause.type === 'run') return `${cause.pathspec ?? cause.name} (run not found)`;
  if (cause.type === 'automation') return `automation ${cause.name}`;
  return cause.name;
}

/** What started `run`, `hops` levels up. */
export async function chainUp(store: MetadataStore, run: RunRecord, hops: number): Promise<ChainNode[]> {
  if (hops <= 0) return [];
  const out: ChainNode[] = [];
  for (const cause of run.trigger) {
    const upstream =
      cause.type === 'run' && cause.pathspec ? await runOfPathspec(store, cause.pathspec) : undefined;
    if (upstream) out.push(runNode(upstream, await chainUp(store, upstream, hops - 1)));
    else
      out.push({
        kind: 'event',
        name: causeLabel(cause),
        id: cause.id,
        at: cause.timestamp,
        next: [],
      });
  }
  return out;
}

/** What `run` started, `hops` levels down: runs triggered by its end, and events its steps emitted. */
export async function chainDown(
  metadata: MetadataStore,
  events: EventStore | null,
  run: RunRecord,
  hops: number,
  seen: Set<number> = new Set([run.id]),
): Promise<ChainNode[]> {
  if (hops <= 0) return [];
  const pathspec = runPathspec(run.flow, run.runNumber);
  const below = async (ref: string): Promise<ChainRun[]> => {
    const out: ChainRun[] = [];
    for (const r of await metadata.listRunsTriggeredBy(ref)) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      out.push(runNode(r, await chainDown(metadata, events, r, hops - 1, seen)));
    }
    return out;
  };
  const out: ChainNode[] = await below(pathspec);
  if (events) {
    const emitted = await events.query(
      {
        related: { id: [resourceIds.run(run.flow, run.runNumber)] },
        event: { excludePrefix: [RESERVED_PREFIX] },
        order: 'asc',
      },
      { limit: EMITTED_LIMIT },
    );
    for (const e of emitted.events)
      out.push({ kind: 'event', name: e.event, id: e.id, at: e.occurred.getTime(), next: await below(e.id) });
  }
  return out;
}
