/**
 * Which events an event trigger looks at, and which bucket an event falls in: name globs of
 * `expect` / `after`, `match` and `matchRelated` through the event filter's label patterns
 * (`events/label-pattern.ts`), and the `forEach` key. Also how triggers inside one automation are
 * named: by their field path (`trigger`, `trigger.triggers[1]`), the same path validation errors use.
 */
import { cachedGlob, labelsMatch } from '../events/label-pattern.ts';
import { type FlowtrailEvent, RESOURCE_ROLE } from '../events/model.ts';
import type { EventTrigger, Trigger } from './model.ts';

/** Name globs are tested against every event an automation sees: compiled once per list. */
const compiledNames = new WeakMap<readonly string[], RegExp[]>();

/** Whether an event name matches one of a list of globs. */
export function nameMatches(globs: readonly string[], name: string): boolean {
  let res = compiledNames.get(globs);
  if (!res) {
    res = globs.map((g) => cachedGlob(g));
    compiledNames.set(globs, res);
  }
  for (const re of res) if (re.test(name)) return true;
  return false;
}

/** Whether `match` holds on the primary resource and every `matchRelated` spec on some related one. */
export function resourcesMatch(trigger: EventTrigger, event: FlowtrailEvent): boolean {
  if (!labelsMatch(event.resource, trigger.match)) return false;
  return trigger.matchRelated.every((spec) => event.related.some((r) => labelsMatch(r, spec)));
}

const RELATED_LABEL = /^related:([^:]+):(.+)$/;

/** The value of a `forEach` label on an event ('' when the event lacks it). */
function forEachValue(label: string, event: FlowtrailEvent): string {
  const related = label.startsWith('related:') ? RELATED_LABEL.exec(label) : null;
  if (related) {
    const [, role, name] = related;
    const r = event.related.find((x) => x[RESOURCE_ROLE] === role);
    return (r && Object.hasOwn(r, name!) ? r[name!] : undefined) ?? '';
  }
  return (Object.hasOwn(event.resource, label) ? event.resource[label] : undefined) ?? '';
}

/** The `forEach` labels and their values for an event, in label order (validation sorts them). */
export function bucketLabels(labels: readonly string[], event: FlowtrailEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const label of labels) out[label] = forEachValue(label, event);
  return out;
}

/** The key of a bucket: its label values, in label order, as JSON. */
export const bucketKey = (labels: Readonly<Record<string, string>>): string =>
  JSON.stringify(Object.values(labels));

/**
 * The key of the bucket an event falls in, as `bucketKey(bucketLabels(labels, event))` gives it;
 * without building the labels for the usual zero or one `forEach` label (once per counted event).
 */
export function eventBucketKey(labels: readonly string[], event: FlowtrailEvent): string {
  if (labels.length === 0) return '[]';
  if (labels.length === 1) return `[${JSON.stringify(forEachValue(labels[0]!, event))}]`;
  return bucketKey(bucketLabels(labels, event));
}

/** A trigger and its path inside its automation. */
export interface PlacedTrigger {
  path: string;
  trigger: Trigger;
  /** The composite parent's path and this child's index in it; null for the root. */
  parent: { path: string; index: number } | null;
}

/** Every trigger of a tree with its path, parents before children. */
export function placeTriggers(root: Trigger, path = 'trigger'): PlacedTrigger[] {
  const out: PlacedTrigger[] = [{ path, trigger: root, parent: null }];
  if (root.type !== 'event')
    root.triggers.forEach((child, index) => {
      const placed = placeTriggers(child, `${path}.triggers[${index}]`);
      placed[0]!.parent = { path, index };
      out.push(...placed);
    });
  return out;
}

/**
 * The `forEach` labels a trigger's firings carry: an event trigger's own; for a composite, the
 * labels every child carries, so its state is kept per value of those (none in common: one state).
 */
export function firingLabels(trigger: Trigger): string[] {
  if (trigger.type === 'event') return trigger.forEach;
  const [first, ...rest] = trigger.triggers.map(firingLabels);
  return (first ?? []).filter((label) => rest.every((labels) => labels.includes(label)));
}
