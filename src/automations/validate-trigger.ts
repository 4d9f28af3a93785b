/**
 * Checks a trigger given as JSON and returns it normalized (defaults filled, `forEach` sorted,
 * durations in ms). Every rule broken is a `ValidationError` naming the field path from `trigger`.
 */
import { ValidationError } from '../core/errors.ts';
import { describeValue, labelPath } from '../events/describe-value.ts';
import { EVENT_NAME_CHARACTERS, isEventName } from '../events/event-name.ts';
import type { LabelSpec } from '../events/filter.ts';
import { parseGlob } from '../events/glob.ts';
import { labelSpec as filterLabelSpec } from '../events/validate-filter.ts';
import {
  durationAt,
  integerAt,
  type JSONObject,
  listAt,
  objectAt,
  onlyKeys,
  stringAt,
} from './json-fields.ts';
import {
  type CompoundTrigger,
  type EventTrigger,
  MIN_PROACTIVE_WITHIN_MS,
  type SequenceTrigger,
  type Trigger,
} from './model.ts';

/** Deepest nesting of composite triggers. */
const MAX_DEPTH = 4;
/** Most children of one composite trigger. */
const MAX_CHILDREN = 20;
/** Most threshold a trigger may count to. */
const MAX_THRESHOLD = 1_000_000;

/**
 * An event-name glob: literal parts made of event-name characters (anything else could never
 * match a name, so it is a mistake), `*`, `?` and `[…]` classes.
 */
function nameGlob(value: unknown, field: string): string {
  const glob = stringAt(value, field, { max: 1024 });
  for (const token of parseGlob(glob)) {
    if (token.kind === 'literal' && !isEventName(token.text))
      throw new ValidationError(
        field,
        `The event-name glob ${JSON.stringify(glob)} at '${field}' can never match: event names use only ${EVENT_NAME_CHARACTERS} (a '[' needs its ']'). Use * and ? as wildcards, e.g. 'dataset.*'.`,
        { rule: 'glob' },
      );
    if (token.kind === 'class' && token.items.length === 0)
      throw new ValidationError(
        field,
        `The glob ${JSON.stringify(glob)} at '${field}' has an empty [] class.`,
        {
          rule: 'glob',
        },
      );
  }
  return glob;
}

function nameGlobs(value: unknown, field: string, min: number): string[] {
  return listAt(value, field, { min, max: 100 }).map((g, i) => nameGlob(g, `${field}[${i}]`));
}

/** A label spec as the event filter reads it, where an empty pattern list (which matches nothing) is a mistake. */
function labelSpec(value: unknown, field: string): LabelSpec {
  const spec = filterLabelSpec(value, field);
  for (const [key, v] of Object.entries(spec))
    if (Array.isArray(v) && v.length === 0)
      throw new ValidationError(
        labelPath(field, key),
        `Label pattern '${labelPath(field, key)}' is an empty list, which matches nothing; give a glob or a list of them.`,
        { rule: 'label-pattern' },
      );
  return spec;
}

const FOR_EACH_LABEL = /^\S+$/;
const FOR_EACH_RELATED = /^related:[^:\s]+:\S+$/;

function forEachLabels(value: unknown, field: string): string[] {
  const labels = listAt(value, field, { max: 10 }).map((v, i) => {
    const label = stringAt(v, `${field}[${i}]`, { max: 200 });
    if (!(label.startsWith('related:') ? FOR_EACH_RELATED : FOR_EACH_LABEL).test(label))
      throw new ValidationError(
        `${field}[${i}]`,
        `'${field}[${i}]' must be a label name such as 'flowtrail.resource.id', or 'related:<role>:<label>' such as 'related:flow:flowtrail.resource.name', got ${JSON.stringify(label)}.`,
        { rule: 'for-each-label' },
      );
    return label;
  });
  // Sorted, so the bucket key does not depend on how the list was written.
  return [...new Set(labels)].sort();
}

const EVENT_KEYS = [
  'type',
  'match',
  'matchRelated',
  'after',
  'expect',
  'forEach',
  'posture',
  'threshold',
  'within',
  'withinMs',
];

function eventTrigger(obj: JSONObject, field: string): EventTrigger {
  onlyKeys(obj, EVENT_KEYS, field);
  if (obj.expect === undefined || (Array.isArray(obj.expect) && obj.expect.length === 0))
    throw new ValidationError(
      `${field}.expect`,
      `'${field}.expect' must name the events that count, e.g. ['dataset.refreshed'] or ['flowtrail.run.*']; an empty list does not mean "every event" here — write ['*'] for that.`,
      { rule: 'expect-required' },
    );
  const posture = obj.posture ?? 'reactive';
  if (posture !== 'reactive' && posture !== 'proactive')
    throw new ValidationError(
      `${field}.posture`,
      `'${field}.posture' must be 'reactive' (fire on events) or 'proactive' (fire on their absence), got ${describeValue(posture)}.`,
      { rule: 'enum' },
    );
  const withinMs = durationAt(obj, 'within', field, posture === 'reactive' ? 0 : null, { zero: true });
  if (withinMs === null)
    throw new ValidationError(
      `${field}.within`,
      posture === 'proactive'
        ? `A proactive trigger needs '${field}.within': how long to wait for the events, at least 10 s (e.g. '10m').`
        : `'${field}.within' must be a duration such as '10m' or 0, not null.`,
      { rule: 'within-required' },
    );
  if (posture === 'proactive' && withinMs < MIN_PROACTIVE_WITHIN_MS)
    throw new ValidationError(
      `${field}.within`,
      `A proactive trigger's '${field}.within' must be at least 10 s (got ${withinMs} ms): absence needs time to be noticed.`,
      { rule: 'proactive-within', min: MIN_PROACTIVE_WITHIN_MS },
    );
  const related = obj.matchRelated ?? [];
  return {
    type: 'event',
    match: obj.match === undefined ? {} : labelSpec(obj.match, `${field}.match`),
    matchRelated: Array.isArray(related)
      ? listAt(related, `${field}.matchRelated`, { max: 20 }).map((s, i) =>
          labelSpec(s, `${field}.matchRelated[${i}]`),
        )
      : [labelSpec(related, `${field}.matchRelated`)],
    after: obj.after === undefined ? [] : nameGlobs(obj.after, `${field}.after`, 0),
    expect: nameGlobs(obj.expect, `${field}.expect`, 1),
    forEach: obj.forEach === undefined ? [] : forEachLabels(obj.forEach, `${field}.forEach`),
    posture,
    threshold:
      obj.threshold === undefined ? 1 : integerAt(obj.threshold, `${field}.threshold`, 1, MAX_THRESHOLD),
    withinMs,
  };
}

function children(obj: JSONObject, field: string, depth: number): Trigger[] {
  if (depth >= MAX_DEPTH)
    throw new ValidationError(
      field,
      `Composite triggers nest at most ${MAX_DEPTH} deep; '${field}' is deeper.`,
      {
        rule: 'depth',
      },
    );
  return listAt(obj.triggers, `${field}.triggers`, { min: 1, max: MAX_CHILDREN }).map((t, i) =>
    triggerAt(t, `${field}.triggers[${i}]`, depth + 1),
  );
}

function compoundTrigger(obj: JSONObject, field: string, depth: number): CompoundTrigger {
  onlyKeys(obj, ['type', 'triggers', 'require', 'within', 'withinMs'], field);
  const triggers = children(obj, field, depth);
  const require = obj.require;
  if (require !== 'any' && require !== 'all') {
    if (require === undefined)
      throw new ValidationError(
        `${field}.require`,
        `'${field}.require' is missing: give 'any', 'all' or how many of the ${triggers.length} triggers must fire.`,
        { rule: 'required' },
      );
    integerAt(require, `${field}.require`, 1, triggers.length);
  }
  return {
    type: 'compound',
    triggers,
    require: require as CompoundTrigger['require'],
    withinMs: durationAt(obj, 'within', field, null, { zero: false }),
  };
}

function sequenceTrigger(obj: JSONObject, field: string, depth: number): SequenceTrigger {
  onlyKeys(obj, ['type', 'triggers', 'within', 'withinMs'], field);
  return {
    type: 'sequence',
    triggers: children(obj, field, depth),
    withinMs: durationAt(obj, 'within', field, null, { zero: false }),
  };
}

/**
 * Checks one trigger (and its children) at `field`.
 *
 * @throws ValidationError naming the path, e.g. `trigger.triggers[1].threshold`.
 */
export function triggerAt(value: unknown, field: string, depth = 0): Trigger {
  const obj = objectAt(value, field);
  switch (obj.type) {
    case 'event':
      return eventTrigger(obj, field);
    case 'compound':
      return compoundTrigger(obj, field, depth);
    case 'sequence':
      return sequenceTrigger(obj, field, depth);
    default:
      throw new ValidationError(
        `${field}.type`,
        `'${field}.type' must be 'event', 'compound' or 'sequence', got ${describeValue(obj.type)}.`,
        { rule: 'enum' },
      );
  }
}
