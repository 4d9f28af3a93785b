/**
 * Tag rules, in one place: what a tag may look like, how many user tags a run may carry, and how
 * adding and removing tags on an existing run behaves (Metaflow's semantics).
 *
 * A run has two tag sets: user tags (given at `run` time, or added and removed later) and system
 * tags (`user:alice`, `runtime:local`, …) set by Flowtrail when the run is created. System tags can
 * never be removed; adding a tag that is already a system tag changes nothing.
 */
import { ValidationError } from './errors.ts';

/** Longest tag accepted, in characters (Unicode code points). */
export const MAX_TAG_LENGTH = 500;
/** Most user tags one run may carry. */
export const MAX_USER_TAGS = 50;

/** Shortens a tag for an error message: at most 40 characters, `…` marking a cut. */
function preview(tag: string): string {
  // 82 UTF-16 units hold at least 41 code points, enough to tell whether the tag needs cutting.
  const head = Array.from(tag.slice(0, 82));
  return head.length > 40 ? `${head.slice(0, 40).join('')}…` : tag;
}

/** Length in code points, so an emoji counts as one character. */
function charLength(tag: string): number {
  // Code points never outnumber UTF-16 units, so short strings need no counting.
  if (tag.length <= MAX_TAG_LENGTH) return tag.length;
  let n = 0;
  for (const _ of tag) n++;
  return n;
}

/**
 * Checks one tag: a string, not empty or whitespace only, at most {@link MAX_TAG_LENGTH} characters.
 * Returns the tag unchanged (tags are not trimmed).
 *
 * @throws ValidationError naming `field` otherwise.
 */
export function validateTag(tag: unknown, field = 'tag'): string {
  if (typeof tag !== 'string')
    throw new ValidationError(
      field,
      `A tag must be a string, got ${tag === null ? 'null' : typeof tag}${typeof tag === 'number' ? ` (${tag})` : ''}.`,
    );
  if (tag.trim().length === 0)
    throw new ValidationError(
      field,
      tag.length === 0
        ? 'A tag must not be empty.'
        : `Tag '${preview(tag)}' is whitespace only; a tag needs at least one visible character.`,
    );
  const length = charLength(tag);
  if (length > MAX_TAG_LENGTH)
    throw new ValidationError(
      field,
      `Tag '${preview(tag)}' is ${length} characters long; a tag may have at most ${MAX_TAG_LENGTH}.`,
      { length },
    );
  return tag;
}

function validateList(list: unknown, field: string): readonly string[] {
  if (list === undefined) return [];
  if (!Array.isArray(list))
    throw new ValidationError(field, `Tags must be given as a list of strings, got ${typeof list}.`);
  for (const tag of list) validateTag(tag, field);
  return list as readonly string[];
}

/**
 * Checks the user tags given when a run is created: each must pass {@link validateTag}; duplicates
 * are dropped (first occurrence kept, order preserved); at most {@link MAX_USER_TAGS} distinct tags.
 *
 * @example
 * validateTags(['nightly', 'team:ml', 'nightly']); // ['nightly', 'team:ml']
 */
export function validateTags(tags: readonly string[]): string[] {
  const unique = [...new Set(validateList(tags, 'tags'))];
  if (unique.length > MAX_USER_TAGS)
    throw new ValidationError(
      'tags',
      `A run may carry at most ${MAX_USER_TAGS} user tags; ${unique.length} were given.`,
      { count: unique.length },
    );
  return unique;
}

/**
 * Computes a run's new user tags after adding and removing tags (Metaflow's rules):
 *
 * - at least one tag must be added or removed, and every tag must pass {@link validateTag};
 * - removing a system tag refuses the whole request (nothing changes);
 * - removals apply first, then additions, so removing and adding one tag leaves it present;
 * - adding a system tag, or a tag the run already has, is a no-op; removing an absent tag is too;
 * - existing tags keep their order; new tags are appended in the order given;
 * - the result may hold at most {@link MAX_USER_TAGS} tags, except that a run already above the
 *   limit may keep its size or shrink.
 *
 * @throws ValidationError (field `tags`) when a rule is broken.
 * @example
 * applyTagMutation({ tags: ['a', 'b'], systemTags: ['user:bob'] }, { add: ['c'], remove: ['a'] }); // ['b', 'c']
 */
export function applyTagMutation(
  current: { tags: readonly string[]; systemTags: readonly string[] },
  change: { add?: readonly string[]; remove?: readonly string[] },
): string[] {
  const add = validateList(change.add, 'tags');
  const remove = validateList(change.remove, 'tags');
  if (add.length === 0 && remove.length === 0)
    throw new ValidationError('tags', 'Must add or remove at least one tag; both lists are empty.');

  const system = new Set(current.systemTags);
  const refused = [...new Set(remove.filter((tag) => system.has(tag)))];
  if (refused.length > 0)
    throw new ValidationError(
      'tags',
      `Cannot remove system tag(s) ${refused.map((t) => `'${preview(t)}'`).join(', ')}; only user tags can be removed. No tags were changed.`,
      { systemTags: refused },
    );

  const before = [...new Set(current.tags)];
  const removed = new Set(remove);
  const next = before.filter((tag) => !removed.has(tag));
  const present = new Set(next);
  for (const tag of add) {
    if (system.has(tag) || present.has(tag)) continue;
    present.add(tag);
    next.push(tag);
  }

  if (next.length > MAX_USER_TAGS && next.length > before.length)
    throw new ValidationError(
      'tags',
      `A run may carry at most ${MAX_USER_TAGS} user tags; this change would leave ${next.length} (the run has ${before.length}). Remove some tags first.`,
      { count: next.length, limit: MAX_USER_TAGS },
    );
  return next;
}
