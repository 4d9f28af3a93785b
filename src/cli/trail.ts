/**
 * `flowtrail trail PATHSPEC|EVENT_ID`: the trigger chain through a run or an event, both ways —
 * backwards (what started it, down to the first event) and forwards (every run it started, and
 * what those started). Through the client API only.
 */

import { Run, runsTriggeredBy } from '../client/objects.ts';
import { UsageError } from '../core/errors.ts';
import { parsePathspec, pathspecLevel } from '../core/pathspec.ts';
import { jsonText } from './format.ts';

/** A step of the chain: a run, with what started it (backwards) or what it started (forwards). */
export interface TrailNode {
  kind: 'run' | 'event';
  /** A run's pathspec, or an event's name. */
  name: string;
  /** The event id (events only). */
  id?: string;
  at: string;
  status?: string;
  /** Backwards: the causes; forwards: the runs started. */
  next: TrailNode[];
}

const MAX_DEPTH = 50;

async function backwards(run: Run, depth: number): Promise<TrailNode> {
  const node: TrailNode = {
    kind: 'run',
    name: run.pathspec,
    at: run.createdAt.toISOString(),
    status: run.status,
    next: [],
  };
  if (depth >= MAX_DEPTH) return node;
  const trigger = await run.trigger;
  for (const cause of trigger?.events ?? []) {
    if (cause.type === 'run') {
      const upstream = await cause.run.then(
        (r) => r,
        () => undefined,
      );
      if (upstream) {
        node.next.push(await backwards(upstream, depth + 1));
        continue;
      }
    }
    node.next.push({
      kind: 'event',
      name:
        cause.type === 'run'
          ? `${cause.pathspec} (not visible in this namespace)`
          : cause.type === 'automation'
            ? `automation ${cause.name}`
            : cause.name,
      id: cause.id,
      at: cause.timestamp.toISOString(),
      next: [],
    });
  }
  return node;
}

async function forwards(ref: string, depth: number, seen: Set<string>): Promise<TrailNode[]> {
  if (depth >= MAX_DEPTH) return [];
  const out: TrailNode[] = [];
  for (const run of await runsTriggeredBy(ref)) {
    if (seen.has(run.pathspec)) continue;
    seen.add(run.pathspec);
    out.push({
      kind: 'run',
      name: run.pathspec,
      at: run.createdAt.toISOString(),
      status: run.status,
      next: await forwards(run.pathspec, depth + 1, seen),
    });
  }
  return out;
}

function render(nodes: readonly TrailNode[], prefix: string, lines: string[]): void {
  nodes.forEach((n, i) => {
    const last = i === nodes.length - 1;
    const label =
      n.kind === 'run' ? `run ${n.name} [${n.status}] ${n.at}` : `event ${n.name} ${n.id} ${n.at}`;
    lines.push(`${prefix}${last ? '└─ ' : '├─ '}${label}`);
    render(n.next, `${prefix}${last ? '   ' : '│  '}`, lines);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The trail as text (or JSON) for the CLI. */
export async function trail(target: string, options: { json: boolean }): Promise<string> {
  let root: TrailNode;
  let forward: TrailNode[];
  if (UUID.test(target)) {
    root = { kind: 'event', name: 'event', id: target, at: '', next: [] };
    forward = await forwards(target, 0, new Set());
  } else {
    if (!namesRun(target))
      throw new UsageError(`trail takes a run (ETLFlow/3) or an event id (a UUID), not '${target}'.`);
    const run = await Run.get(target);
    root = await backwards(run, 0);
    forward = await forwards(run.pathspec, 0, new Set([run.pathspec]));
  }
  if (options.json) return jsonText({ target, backward: root.kind === 'run' ? root : null, forward });
  const lines: string[] = [];
  if (root.kind === 'run') {
    lines.push(`${root.name} [${root.status}]`, '', 'Started by (backwards):');
    if (root.next.length === 0) lines.push('   (started by hand)');
    render(root.next, '   ', lines);
    lines.push('', 'Started (forwards):');
  } else lines.push(`Event ${target}`, '', 'Started (forwards):');
  if (forward.length === 0) lines.push('   (nothing)');
  render(forward, '   ', lines);
  return `${lines.join('\n')}\n`;
}

/** Whether text is a run's pathspec (`ETLFlow/3`); anything else gets trail's own usage message. */
function namesRun(text: string): boolean {
  try {
    return pathspecLevel(parsePathspec(text)) === 'run';
  } catch {
    return false;
  }
}
