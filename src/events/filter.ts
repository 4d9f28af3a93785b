/**
 * `EventFilter`: which events a query, a count or a live subscription wants. Every field is
 * optional and the fields are ANDed. Run in SQL by the event store, and in memory (`match-filter.ts`) for
 * live streams — the same semantics in both. An empty id, name, prefix or role list puts no
 * constraint (as if absent); an empty label pattern list matches nothing. `validateFilter`
 * checks a filter from outside (unknown keys, types, text length, since ≤ until).
 */

/**
 * Label matching: labels ANDed; each value a case-sensitive glob (`*`, `?`, `[…]`, `[!…]`; write
 * `[*]` for a literal `*`) with an optional leading `!` for negation. In a list, the positive
 * patterns are ORed and every negated one must not match: `['flowtrail.tag.*', '!flowtrail.tag.dev']`
 * is "a tag, but not dev". A missing label never matches, even a negated pattern. `{}` matches
 * everything; an empty list matches nothing.
 */
export type LabelSpec = Readonly<Record<string, string | readonly string[]>>;

export interface EventNameFilter {
  /** Exact names (ORed). */
  name?: readonly string[];
  /** Name prefixes (ORed). */
  prefix?: readonly string[];
  excludeName?: readonly string[];
  excludePrefix?: readonly string[];
}

export interface ResourceFilter {
  id?: readonly string[];
  idPrefix?: readonly string[];
  labels?: LabelSpec;
}

/**
 * One related resource must satisfy every criterion given. Criteria other than `role` never match
 * the primary resource (its role is `''`); `{ role: [''] }` alone selects the primary resource.
 */
export interface RelatedFilter {
  id?: readonly string[];
  role?: readonly string[];
  /** Pairs [id, role] that must appear together on one related resource. */
  resourcesInRoles?: readonly (readonly [string, string])[];
  labels?: LabelSpec;
}

export interface EventFilter {
  /** Occurred at or after (inclusive). */
  since?: Date;
  /** Occurred at or before (inclusive). */
  until?: Date;
  event?: EventNameFilter;
  /** The primary resource. */
  resource?: ResourceFilter;
  /** Related resources: one related resource must satisfy each filter; a list means every one of them (AND). */
  related?: RelatedFilter | readonly RelatedFilter[];
  /** The primary or a related resource (one resource satisfies each filter); a list is ANDed. */
  anyResource?: ResourceFilter | readonly ResourceFilter[];
  /** Event ids. */
  id?: readonly string[];
  /** Events whose `follows` is one of these ids (the events that follow a leader). */
  follows?: readonly string[];
  /** Text search: terms ORed; `+term` required; `-term` / `!term` excluded; "quoted phrases"; case-insensitive substring over name, label values and payload. */
  text?: string;
  /** By occurred time (default: newest first). */
  order?: 'asc' | 'desc';
}
