/**
 * Text search over events: the query language (terms, `+required`, `-excluded`, "phrases"), the
 * text an event is searched by, and the in-memory test. The SQL stores parse queries with the same
 * {@link parseTextQuery} and store the same {@link searchText}.
 */
import type { FlowtrailEvent } from './model.ts';

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
