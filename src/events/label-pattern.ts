/**
 * Label patterns: a glob with an optional leading `!` (negated), one or a list per label key, and
 * how a resource's labels satisfy a `LabelSpec` (see `filter.ts` for the rule in words).
 */
import type { LabelSpec } from './filter.ts';
import { globLiteral, globToRegExp, literalGlob } from './glob.ts';

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

/** One label of a compiled spec: its key, and the globs it must (and must not) match. */
interface CompiledLabel {
  key: string;
  positive: RegExp[];
  negative: RegExp[];
}

/**
 * Specs are matched against every event a subscription or an automation sees: parsed and compiled
 * once per spec object (specs are not mutated after validation).
 */
const compiledSpecs = new WeakMap<LabelSpec, CompiledLabel[]>();
function compiledSpec(spec: LabelSpec): CompiledLabel[] {
  let compiled = compiledSpecs.get(spec);
  if (!compiled) {
    compiled = Object.entries(spec).map(([key, v]) => {
      const label: CompiledLabel = { key, positive: [], negative: [] };
      for (const p of patternList(v)) {
        const { negated, glob } = parseLabelPattern(p);
        (negated ? label.negative : label.positive).push(cachedGlob(glob));
      }
      return label;
    });
    compiledSpecs.set(spec, compiled);
  }
  return compiled;
}

/**
 * Whether labels satisfy a spec: every label in it (AND). Per label: a missing label never
 * matches; an empty list never does; otherwise the value must match at least one positive pattern
 * (when there are any) and none of the negated ones.
 */
export function labelsMatch(labels: Readonly<Record<string, string>>, spec: LabelSpec): boolean {
  for (const { key, positive, negative } of compiledSpec(spec)) {
    const value = Object.hasOwn(labels, key) ? labels[key] : undefined;
    if (value === undefined || positive.length + negative.length === 0) return false;
    for (const re of negative) if (re.test(value)) return false;
    if (positive.length > 0 && !positive.some((re) => re.test(value))) return false;
  }
  return true;
}

/**
 * The only values `spec` lets label `key` take, when its patterns for it are all exact (no
 * wildcard, no negation); null when any value might match. An index for candidate lookups.
 */
export function exactLabelValues(spec: LabelSpec, key: string): string[] | null {
  if (!Object.hasOwn(spec, key)) return null;
  const values: string[] = [];
  for (const p of patternList(spec[key]!)) {
    const { negated, glob } = parseLabelPattern(p);
    const literal = negated ? undefined : globLiteral(glob);
    if (literal === undefined) return null;
    values.push(literal);
  }
  return values;
}
