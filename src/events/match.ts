/**
 * In-memory filter matching: the twin of the SQL compiler in `store/sql/event-filter-sql.ts`, with
 * the same semantics for every `EventFilter` field (related resources included), so a live
 * subscription and a stored query agree. The glob and text-query parsers here are shared with SQL.
 */
import type { EventFilter, LabelSpec, RelatedFilter, ResourceFilter } from './filter.ts';
import { type FlowtrailEvent, RESOURCE_ID, RESOURCE_ROLE } from './model.ts';

// ---------------------------------------------------------------------------------------------
// Globs

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
    const hit = compiled(glob).test(value);
    if (negated) {
      if (hit) return false;
    } else {
      anyPositive = true;
      if (hit) positiveHit = true;
    }
  }
  return !anyPositive || positiveHit;
}

const regexCache = new Map<string, RegExp>();
function compiled(glob: string): RegExp {
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

// ---------------------------------------------------------------------------------------------
// Text search

/** A parsed text query; every term lower-cased. */
export interface TextQuery {
  /** Plain terms: at least one must occur (when there are any). */
  include: string[];
  /** `+term`: each must occur. */
  required: string[];
  /** `-term` or `!term`: none may occur. */
  exclude: string[];
}

/**
 * Parses a text query: whitespace-separated terms; `"quoted phrases"` keep their spaces (an
 * unclosed quote runs to the end); a leading `+` requires a term, `-` or `!` excludes it.
 *
 * @example
 * parseTextQuery('error +prod -"dry run"'); // { include: ['error'], required: ['prod'], exclude: ['dry run'] }
 */
export function parseTextQuery(query: string): TextQuery {
  const out: TextQuery = { include: [], required: [], exclude: [] };
  const s = query.toLowerCase();
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let kind: keyof TextQuery = 'include';
    if (s[i] === '+') {
      kind = 'required';
      i++;
    } else if (s[i] === '-' || s[i] === '!') {
      kind = 'exclude';
      i++;
    }
    let term = '';
    if (s[i] === '"') {
      const end = s.indexOf('"', i + 1);
      term = end === -1 ? s.slice(i + 1) : s.slice(i + 1, end);
      i = end === -1 ? s.length : end + 1;
    } else {
      while (i < s.length && !/\s/.test(s[i]!)) term += s[i++];
    }
    if (term !== '') out[kind].push(term);
  }
  return out;
}

/**
 * The lower-cased text a search runs over: the event name, every label value of the resource and
 * the related resources, and the payload as JSON, one per line. Stored as `events.search` in SQL.
 */
export function searchText(
  event: Pick<FlowtrailEvent, 'event' | 'resource' | 'related' | 'payload'>,
): string {
  const parts = [event.event, ...Object.values(event.resource)];
  for (const r of event.related) parts.push(...Object.values(r));
  parts.push(JSON.stringify(event.payload));
  return parts.join('\n').toLowerCase();
}

/** Whether search text satisfies a parsed query. */
export function textMatches(text: string, q: TextQuery): boolean {
  if (q.include.length > 0 && !q.include.some((t) => text.includes(t))) return false;
  if (!q.required.every((t) => text.includes(t))) return false;
  return !q.exclude.some((t) => text.includes(t));
}

// ---------------------------------------------------------------------------------------------
// Filters

/** A resource as filters see it: its labels and its role ('' for the primary resource). */
interface Involved {
  labels: Readonly<Record<string, string>>;
  id: string;
  role: string;
}

const nonEmpty = <T>(list: readonly T[] | undefined): list is readonly T[] =>
  list !== undefined && list.length > 0;

/** `resource` / `anyResource` criteria against one resource. An empty list puts no constraint. */
function resourceMatches(r: Involved, f: ResourceFilter): boolean {
  if (nonEmpty(f.id) && !f.id.includes(r.id)) return false;
  if (nonEmpty(f.idPrefix) && !f.idPrefix.some((p) => r.id.startsWith(p))) return false;
  if (f.labels !== undefined && !labelsMatch(r.labels, f.labels)) return false;
  return true;
}

/** Whether a related filter has any criterion besides `role` (those exclude the primary resource). */
export function relatedNeedsRelated(f: RelatedFilter): boolean {
  return nonEmpty(f.id) || nonEmpty(f.resourcesInRoles) || f.labels !== undefined;
}

/** Whether a related filter constrains anything at all. */
export function relatedHasCriteria(f: RelatedFilter): boolean {
  return relatedNeedsRelated(f) || nonEmpty(f.role);
}

function relatedMatches(r: Involved, f: RelatedFilter): boolean {
  if (relatedNeedsRelated(f) && r.role === '') return false;
  if (nonEmpty(f.role) && !f.role.includes(r.role)) return false;
  if (nonEmpty(f.id) && !f.id.includes(r.id)) return false;
  if (
    nonEmpty(f.resourcesInRoles) &&
    !f.resourcesInRoles.some(([id, role]) => id === r.id && role === r.role)
  )
    return false;
  if (f.labels !== undefined && !labelsMatch(r.labels, f.labels)) return false;
  return true;
}

/** Normalizes a one-or-many filter field to a list. */
export const asList = <T extends object>(v: T | readonly T[] | undefined): readonly T[] =>
  v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T];

function involved(event: FlowtrailEvent): Involved[] {
  return [
    { labels: event.resource, id: event.resource[RESOURCE_ID], role: '' },
    ...event.related.map((r) => ({ labels: r, id: r[RESOURCE_ID], role: r[RESOURCE_ROLE] })),
  ];
}

/**
 * Whether an event satisfies a filter, with the same semantics as the SQL store:
 * - `since`/`until` inclusive; `event.name`/`prefix` ORed, exclusions NOTed;
 * - `resource`: the primary resource; `anyResource`: one resource (primary or related) satisfies
 *   all of a filter's criteria, a list is ANDed;
 * - `related`: one related resource satisfies all of a filter's criteria (criteria other than
 *   `role` never match the primary resource), a list is ANDed;
 * - label globs with `!`, a missing label never matching; an empty id/name/prefix list is no
 *   constraint, an empty label pattern list matches nothing;
 * - `text`: see {@link parseTextQuery} and {@link searchText}.
 */
export function matchesFilter(event: FlowtrailEvent, filter: EventFilter): boolean {
  const t = event.occurred.getTime();
  if (filter.since !== undefined && t < filter.since.getTime()) return false;
  if (filter.until !== undefined && t > filter.until.getTime()) return false;
  // Stored ids are lower-case; `validateFilter` lower-cases filter ids, this accepts either.
  if (nonEmpty(filter.id) && !filter.id.some((id) => id === event.id || id.toLowerCase() === event.id))
    return false;
  const name = filter.event;
  if (name) {
    if (nonEmpty(name.name) && !name.name.includes(event.event)) return false;
    if (nonEmpty(name.prefix) && !name.prefix.some((p) => event.event.startsWith(p))) return false;
    if (nonEmpty(name.excludeName) && name.excludeName.includes(event.event)) return false;
    if (nonEmpty(name.excludePrefix) && name.excludePrefix.some((p) => event.event.startsWith(p)))
      return false;
  }
  const all = involved(event);
  if (filter.resource && !resourceMatches(all[0]!, filter.resource)) return false;
  for (const f of asList(filter.related)) {
    if (!relatedHasCriteria(f)) continue;
    if (!all.some((r) => relatedMatches(r, f))) return false;
  }
  for (const f of asList(filter.anyResource)) {
    if (!all.some((r) => resourceMatches(r, f))) return false;
  }
  if (filter.text !== undefined) {
    const q = parseTextQuery(filter.text);
    if (!textMatches(searchText(event), q)) return false;
  }
  return true;
}
