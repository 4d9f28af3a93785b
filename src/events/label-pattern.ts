/**
 * Label patterns: a glob with an optional leading `!` (negated), one or a list per label key, and
 * how a resource's labels satisfy a `LabelSpec` (see `filter.ts` for the rule in words).
 */
import type { LabelSpec } from './filter.ts';
import { globToRegExp, literalGlob } from './glob.ts';

/** A compiled label pattern: the glob and whether it is negated (`!`). */
export interface LabelPattern {
  negated: boolean;
  glob: string;
}

/** Splits `!glob` into its parts. */
export function parseLabelPattern(value: string): LabelPattern {
  return value.startsWith('!') ? { negated: true, glob: value.slice(1) } : { negated: false, glob: value };
}

/**
 * Whether a label value satisfies a list of patterns: a missing label never does; an empty list
 * never does; otherwise the value must match at least one positive pattern (when there are any)
 * and none of the negated ones.
 */
function valueMatches(value: string | undefined, patterns: readonly string[]): boolean {
  if (value === undefined || patterns.length === 0) return false;
  let anyPositive = false;
  let positiveHit = false;
  for (const p of patterns) {
    const { negated, glob } = parseLabelPattern(p);
    const hit = cachedGlob(glob).test(value);
    if (negated) {
      if (hit) return false;
    } else {
      anyPositive = true;
      if (hit) positiveHit = true;
    }
  }
  return !anyPositive || positiveHit;
}

/**
 * A label spec value that matches exactly `value` (glob characters escaped). A leading `!` would
 * read as negation and no one-character class holds `!` alone, so such a value becomes a pair:
 * `!` or `]` first, but not `]` first.
 */
export function exactLabelPattern(value: string): string | string[] {
  if (!value.startsWith('!')) return literalGlob(value);
  const rest = literalGlob(value.slice(1));
  return [`[]!]${rest}`, `![]]${rest}`];
}

const regexCache = new Map<string, RegExp>();
/** The RegExp of a glob, compiled once (a bounded cache: label and event-name globs repeat). */
export function cachedGlob(glob: string): RegExp {
  let re = regexCache.get(glob);
  if (!re) {
    re = globToRegExp(glob);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(glob, re);
  }
  return re;
}

/** Normalizes a label spec value to a list. */
export const patternList = (v: string | readonly string[]): readonly string[] =>
  typeof v === 'string' ? [v] : v;

/** Whether labels satisfy a spec: every label in it (AND), see {@link valueMatches}. */
export function labelsMatch(labels: Readonly<Record<string, string>>, spec: LabelSpec): boolean {
  for (const [key, v] of Object.entries(spec)) {
    if (!valueMatches(Object.hasOwn(labels, key) ? labels[key] : undefined, patternList(v))) return false;
  }
  return true;
}
