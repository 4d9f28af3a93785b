/**
 * Globs as anchored PostgreSQL regular expressions, from the tokens of `events/glob.ts`.
 */
import { parseGlob } from '../../../events/glob.ts';

/** A code point as a PostgreSQL regular-expression escape (`\uXXXX` or `\UXXXXXXXX`). */
const pgEscape = (n: number): string =>
  n <= 0xffff ? `\\u${n.toString(16).padStart(4, '0')}` : `\\U${n.toString(16).padStart(8, '0')}`;

/**
 * Class ranges PostgreSQL text can hold: without NUL and the UTF-16 surrogates (which no stored
 * string contains), so a class never asks PostgreSQL for a character it rejects.
 */
function storableRanges(items: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = [];
  for (const [lo, hi] of items) {
    for (const [a, b] of [
      [Math.max(lo, 1), Math.min(hi, 0xd7ff)],
      [Math.max(lo, 0xe000), hi],
    ] as const)
      if (a <= b) out.push([a, b]);
  }
  return out;
}

/**
 * The same glob as an anchored PostgreSQL regular expression (for the case-sensitive `~`
 * operator), or `false` when it can never match (an empty class). `*` is `.*` and `?` is `.`
 * (both match newlines: PostgreSQL's default is not newline-sensitive); every ASCII punctuation
 * character is escaped, and classes are written with code-point escapes, so ranges compare code
 * points as `globToRegExp` does, whatever the database's collation.
 *
 * @example
 * globToPostgresRegex('cute-[a-c]*'); // '^cute\\-[\\u0061-\\u0063].*$'
 */
export function globToPostgresRegex(pattern: string): string | false {
  let out = '^';
  for (const t of parseGlob(pattern)) {
    if (t.kind === 'any') out += '.*';
    else if (t.kind === 'one') out += '.';
    // A backslash before a non-alphanumeric character is that character, literally.
    else if (t.kind === 'literal') out += t.text.replace(/[!-/:-@[-`{-~]/g, '\\$&');
    else {
      const ranges = storableRanges(t.items);
      if (ranges.length === 0) {
        if (!t.negated) return false;
        out += '.';
        continue;
      }
      const items = ranges.map(([lo, hi]) => (lo === hi ? pgEscape(lo) : `${pgEscape(lo)}-${pgEscape(hi)}`));
      out += `[${t.negated ? '^' : ''}${items.join('')}]`;
    }
  }
  return `${out}$`;
}
