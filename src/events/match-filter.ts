/**
 * In-memory filter matching: the twin of the SQL compiler in `store/sql/event-filter-sql.ts`, with
 * the same semantics for every `EventFilter` field (related resources included), so a live
 * subscription and a stored query agree.
 */
import type { EventFilter, RelatedFilter, ResourceFilter } from './filter.ts';
import { labelsMatch } from './label-pattern.ts';
import { type FlowtrailEvent, RESOURCE_ID, RESOURCE_ROLE } from './model.ts';
import { parseTextQuery, searchText, textMatches } from './text-query.ts';

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
  if (
    nonEmpty(filter.follows) &&
    (event.follows === null || !filter.follows.some((id) => id.toLowerCase() === event.follows))
  )
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
