/**
 * Globs, the one pattern language of label filters: parsed once here, then run in memory as a
 * regular expression ({@link globToRegExp}) or translated by each SQL dialect
 * (`store/sql/sqlite/sqlite-glob.ts`, `store/sql/postgres/postgres-glob.ts`) from the same tokens,
 * so every store matches what a live subscription matches.
 */

/** One piece of a parsed glob. */
export type GlobToken =
  | { kind: 'literal'; text: string }
  | { kind: 'any' } // `*`
  | { kind: 'one' } // `?`
  | { kind: 'class'; negated: boolean; items: (readonly [number, number])[] }; // `[…]`, code point ranges

/**
 * Parses a glob: `*` any run of characters, `?` one character, `[abc]`, `[a-z]`, `[!…]` or `[^…]`
 * (negated class; `]` first in a class is literal). A `[` without a closing `]` is literal. No
 * backslash escapes: write `[*]` for a literal `*`. Matching is case-sensitive, by code point.
 */
export function parseGlob(pattern: string): GlobToken[] {
  const chars = Array.from(pattern);
  const out: GlobToken[] = [];
  const literal = (c: string) => {
    const last = out[out.length - 1];
    if (last?.kind === 'literal') last.text += c;
    else out.push({ kind: 'literal', text: c });
  };
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      if (out[out.length - 1]?.kind !== 'any') out.push({ kind: 'any' });
    } else if (c === '?') out.push({ kind: 'one' });
    else if (c === '[') {
      let j = i + 1;
      let negated = false;
      if (chars[j] === '!' || chars[j] === '^') {
        negated = true;
        j++;
      }
      const items: [number, number][] = [];
      let first = true;
      let closed = false;
      for (; j < chars.length; j++) {
        const d = chars[j]!;
        if (d === ']' && !first) {
          closed = true;
          break;
        }
        first = false;
        const lo = d.codePointAt(0)!;
        if (chars[j + 1] === '-' && chars[j + 2] !== undefined && chars[j + 2] !== ']') {
          items.push([lo, chars[j + 2]!.codePointAt(0)!]);
          j += 2;
        } else items.push([lo, lo]);
      }
      if (!closed) literal(c);
      else {
        out.push({ kind: 'class', negated, items: items.filter(([lo, hi]) => lo <= hi) });
        i = j;
      }
    } else literal(c);
  }
  return out;
}

/** Whether a glob has no wildcard at all (so it is an exact string). */
export function globLiteral(pattern: string): string | undefined {
  const tokens = parseGlob(pattern);
  if (tokens.length === 0) return '';
  const only = tokens.length === 1 ? tokens[0] : undefined;
  return only?.kind === 'literal' ? only.text : undefined;
}

/**
 * The glob that matches exactly `text`: each wildcard character becomes a one-character class
 * (`*` → `[*]`, `?` → `[?]`, `[` → `[[]`), the rest stays literal.
 *
 * @example
 * literalGlob('file[1]*'); // 'file[[]1][*]'
 */
export function literalGlob(text: string): string {
  return text.replace(/[*?[]/g, '[$&]');
}

const cp = (n: number) => `\\u{${n.toString(16)}}`;

/**
 * The anchored, case-sensitive regular expression of a glob (see {@link parseGlob}).
 *
 * @example
 * globToRegExp('cute-*').test('cute-kittiwake'); // true
 */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const t of parseGlob(pattern)) {
    if (t.kind === 'any') source += '[^]*';
    else if (t.kind === 'one') source += '[^]';
    else if (t.kind === 'literal') source += t.text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    else {
      const items = t.items.map(([lo, hi]) => (lo === hi ? cp(lo) : `${cp(lo)}-${cp(hi)}`)).join('');
      source += t.negated ? `[^${items}]` : `[${items}]`;
    }
  }
  return new RegExp(`^${source}$`, 'u');
}
