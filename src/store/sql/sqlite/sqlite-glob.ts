/**
 * Globs in SQLite `GLOB` syntax, from the tokens of `events/glob.ts`. SQLite's GLOB has the same
 * semantics (case-sensitive, `?` and classes by character); only the spelling of literals and
 * classes differs.
 */
import { parseGlob } from '../../../events/glob.ts';

/**
 * The same glob in SQLite `GLOB` syntax, or `false` when it can never match (an empty class).
 * SQLite's GLOB has the same semantics (case-sensitive, `?` and classes by character).
 */
export function globToSqlite(pattern: string): string | false {
  let out = '';
  for (const t of parseGlob(pattern)) {
    if (t.kind === 'any') out += '*';
    else if (t.kind === 'one') out += '?';
    else if (t.kind === 'literal') out += t.text.replace(/[*?[]/g, '[$&]');
    else {
      const cls = sqliteClass(t.items);
      if (cls === '') {
        if (!t.negated) return false;
        out += '?';
      } else if (cls === '^' && !t.negated) out += '^';
      else out += t.negated ? `[^${cls}]` : `[${cls}]`;
    }
  }
  return out;
}

const CLOSE = 0x5d;
const DASH = 0x2d;
const CARET = 0x5e;

/**
 * The inside of a SQLite GLOB class for code point ranges: `]` first and `-` last (literal there),
 * `^` never first; ranges never start or end on one of those three (they are split off as singles).
 */
function sqliteClass(items: readonly (readonly [number, number])[]): string {
  let ranges = items.map(([lo, hi]) => [lo, hi] as [number, number]);
  for (const special of [CLOSE, DASH, CARET]) {
    const next: [number, number][] = [];
    for (const [lo, hi] of ranges) {
      if (special < lo || special > hi || lo === hi) next.push([lo, hi]);
      else {
        if (lo < special) next.push([lo, special - 1]);
        next.push([special, special]);
        if (special < hi) next.push([special + 1, hi]);
      }
    }
    ranges = next;
  }
  const has = (n: number) => ranges.some(([lo, hi]) => lo === n && hi === n);
  const ch = (n: number) => String.fromCodePoint(n);
  const middle = ranges
    .filter(([lo, hi]) => !(lo === hi && (lo === CLOSE || lo === DASH || lo === CARET)))
    .map(([lo, hi]) => (lo === hi ? ch(lo) : `${ch(lo)}-${ch(hi)}`))
    .join('');
  const close = has(CLOSE) ? ']' : '';
  const caret = has(CARET) ? '^' : '';
  const dash = has(DASH) ? '-' : '';
  // `^` alone (or with only `-`) would come first: `-^` keeps both literal.
  if (close === '' && middle === '' && caret !== '') return dash ? '-^' : '^';
  return `${close}${middle}${caret}${dash}`;
}
