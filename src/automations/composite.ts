/**
 * Compound and sequence triggers: a child's firing goes to its parent, which keeps the latest
 * firing of each child per `forEach` key (the labels all its children share) and fires when:
 * - compound: `require` children (`any` = 1, `all` = every one, or a number) have a firing;
 * - sequence: every child has one and, by event time, they come in the children's order.
 * `withinMs` bounds how far apart (by the events' `occurred`, not by when they were processed)
 * the collected firings may be: a firing too old next to the newest is dropped. After firing, the
 * key's collection starts again empty.
 */
import type { FiringContext } from './bucket.ts';
import type { CompositeTrigger } from './model.ts';
import { bucketKey, firingLabels } from './trigger-match.ts';
import { type CompositeState, type Firing, firingId } from './trigger-state.ts';

/** How many child firings a composite needs. */
export function requiredFirings(trigger: CompositeTrigger): number {
  if (trigger.type === 'sequence' || trigger.require === 'all') return trigger.triggers.length;
  return trigger.require === 'any' ? 1 : trigger.require;
}

function inOrder(children: CompositeState['children']): boolean {
  const byIndex = [...children].sort((a, b) => a.index - b.index);
  return byIndex.every((c, i) => i === 0 || byIndex[i - 1]!.firing.at <= c.firing.at);
}

function composed(
  ctx: FiringContext,
  path: string,
  labels: Record<string, string>,
  children: Firing[],
  last: Firing,
): Firing {
  const sorted = [...children].sort((a, b) => a.at - b.at);
  return {
    id: firingId([ctx.automation, path, bucketKey(labels), ...sorted.map((c) => c.id)]),
    automation: ctx.automation,
    trigger: path,
    triggered: ctx.now,
    at: Math.max(...sorted.map((c) => c.at)),
    labels,
    event: last.event,
    children: sorted,
  };
}

/** A child's firing reaches its composite parent; returns the parent's firing, if it fires. */
export function compositeOnChild(
  ctx: FiringContext,
  path: string,
  trigger: CompositeTrigger,
  states: Record<string, CompositeState>,
  index: number,
  child: Firing,
): Firing | null {
  const labels: Record<string, string> = {};
  for (const label of firingLabels(trigger)) labels[label] = child.labels[label] ?? '';
  if (requiredFirings(trigger) === 1) return composed(ctx, path, labels, [child], child);
  const id = `${path} ${bucketKey(labels)}`;
  const state = states[id] ?? { trigger: path, labels, children: [] };
  const previous = state.children.find((c) => c.index === index);
  // The latest firing of a child counts; an older one arriving late changes nothing.
  if (previous && previous.firing.at > child.at) return null;
  let children = [...state.children.filter((c) => c.index !== index), { index, firing: child }];
  if (trigger.withinMs !== null) {
    const newest = Math.max(...children.map((c) => c.firing.at));
    children = children.filter((c) => newest - c.firing.at <= trigger.withinMs!);
  }
  const ready =
    children.length >= requiredFirings(trigger) && (trigger.type === 'compound' || inOrder(children));
  if (ready || children.length === 0) delete states[id];
  else states[id] = { ...state, children };
  return ready
    ? composed(
        ctx,
        path,
        labels,
        children.map((c) => c.firing),
        child,
      )
    : null;
}

/** Drops collected firings older than `withinMs` before `asOf`: they can no longer combine. */
export function pruneComposites(
  trigger: CompositeTrigger,
  path: string,
  states: Record<string, CompositeState>,
  asOf: number,
): void {
  if (trigger.withinMs === null) return;
  for (const [id, state] of Object.entries(states)) {
    if (state.trigger !== path) continue;
    const kept = state.children.filter((c) => asOf - c.firing.at <= trigger.withinMs!);
    if (kept.length === 0) delete states[id];
    else state.children = kept;
  }
}
