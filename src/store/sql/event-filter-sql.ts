/**
 * `EventFilter` → SQL, for every SQL dialect: the conditions an event must meet (bound parameters
 * only) and the *drivers* — candidate sets a criterion pins (ids, resource ids, event names or
 * prefixes, within the time range) — that the store may use to drive a query instead of scanning
 * the time index. The semantics are those of `matchesFilter` in `events/match-filter.ts`; what differs
 * between dialects (JSON label lookup, globs, substring search, the related resources as rows)
 * comes from an {@link EventFilterDialect}.
 *
 * Resource criteria. `event_links` holds `(resource_id, occurred, event_seq, role)` for every
 * involved resource (primary in role ''). A criterion that pins resource ids and reads no label
 * is answered there exactly: as a driver (one key range per id) or as a per-event probe (one key
 * lookup per id, from columns the time index carries). A criterion that reads labels, globs or
 * prefixes over related resources checks the event's `related` JSON, one element at a time; when it
 * also pins ids, the link probe runs first so only events that have the resource parse the JSON.
 */
import { type RawBuilder, sql } from 'kysely';
import type { EventFilter, LabelSpec, RelatedFilter, ResourceFilter } from '../../events/filter.ts';
import { globLiteral } from '../../events/glob.ts';
import { parseLabelPattern, patternList } from '../../events/label-pattern.ts';
import { asList, relatedHasCriteria, relatedNeedsRelated } from '../../events/match-filter.ts';
import { RESOURCE_ID } from '../../events/model.ts';
import { parseTextQuery, type TextQuery } from '../../events/text-query.ts';

export type Cond = RawBuilder<unknown>;

/** The columns of one resource a resource filter reads. */
export interface ResourceCols {
  resourceId: Cond;
  role: Cond;
  labels: Cond;
}

/** What the filter compiler needs from a SQL dialect. */
export interface EventFilterDialect {
  /**
   * The value of label `key` in a JSON labels column, NULL when missing (`flowtrail.resource.id`
   * never comes here: it has its own column).
   */
  labelValue(labels: Cond, key: string): Cond;
  /**
   * `value` matches a glob with wildcards (case-sensitive, see `parseGlob`), or `false` when the
   * glob can never match.
   */
  globMatch(value: Cond, glob: string): Cond | false;
  /** The lower-cased `text` contains the lower-cased `term`. */
  contains(text: Cond, term: string): Cond;
  /**
   * The search text of `events AS e` (`searchText`) contains the lower-cased `term`: exactly
   * `textMatches`'s test of one term.
   */
  textContains(term: string): Cond;
  /**
   * A text index, when the dialect has one: for a parsed query, a driver of candidates (a
   * superset of the events meeting it, each still checked exactly); undefined when no term of `q`
   * can use the index.
   */
  textIndex?(q: TextQuery, since: number | undefined, until: number | undefined): TextIndexUse | undefined;
  /**
   * The related resources of `events AS e` as rows: the `FROM` item (over `e.related`) and the
   * columns of one of them (`resourceId` and `role` compare in byte order, as the link columns).
   */
  related: { from: Cond; cols: ResourceCols };
  /** `column IN (select)`, written so the planner computes `select` first and looks each value up. */
  inSelect(column: Cond, select: Cond): Cond;
  /**
   * `EXISTS` of a per-event probe (`SELECT 1 FROM event_links AS l WHERE … l.event_seq = e.seq …`,
   * or over the event's related JSON). `forPage`: the probe filters a page walked in time order
   * (as opposed to a count).
   */
  exists(probe: Cond, forPage: boolean): Cond;
}

/** How a text index narrows a text filter (see {@link EventFilterDialect.textIndex}). */
export interface TextIndexUse {
  /** The candidates: a superset of the events meeting the text filter. */
  driver: Driver;
}

/** A set of candidate event seqs that a criterion pins, usable to drive a query. */
export interface Driver {
  /** `SELECT <seq> FROM …` over the time range. */
  select: Cond;
  /**
   * The key order of the index that finds the candidates (an `ORDER BY` it needs no sort for);
   * none when no index returns them in an order (a text index's bitmap).
   */
  order?: Cond;
  /** Known size (ids), when no estimate is needed. */
  size?: number;
  /** The condition every candidate meets by construction (left out of a query it drives). */
  covers?: Cond;
  /**
   * May drive a page with more candidates than the planner's page cap (see `SqlEventStore`'s
   * `plan`): the time scan it saves checks each event with a costly exact test and finds rare
   * matches only at the end.
   */
  wide?: boolean;
}

export interface CompiledFilter {
  conds: Cond[];
  drivers: Driver[];
  since: number | undefined;
  until: number | undefined;
}

/** How a query finds its events: walking the time index, or from one driver's candidates. */
export type EventPlan = { kind: 'scan' } | { kind: 'driven'; driver: Driver };

/**
 * The smallest string greater than every string starting with `prefix` (by code point, which is
 * SQLite's byte order on UTF-8 and PostgreSQL's "C" collation), or null when there is none.
 */
export function prefixUpperBound(prefix: string): string | null {
  const cps = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (cps.length > 0 && cps[cps.length - 1] === 0x10ffff) cps.pop();
  if (cps.length === 0) return null;
  let last = cps[cps.length - 1]! + 1;
  if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
  cps[cps.length - 1] = last;
  return String.fromCodePoint(...cps);
}

export const and = (conds: readonly Cond[]): Cond =>
  conds.length === 0 ? sql`TRUE` : sql`(${sql.join(conds, sql` AND `)})`;
const or = (conds: readonly Cond[]): Cond =>
  conds.length === 0 ? sql`FALSE` : sql`(${sql.join(conds, sql` OR `)})`;
const list = (values: readonly unknown[]): Cond => sql`(${sql.join(values.map((v) => sql`${v}`))})`;

/** `column` starts with one of `prefixes`, as index-friendly ranges. */
function startsWithAny(column: Cond, prefixes: readonly string[]): Cond {
  return or(
    prefixes.map((p) => {
      const upper = prefixUpperBound(p);
      return upper === null ? sql`${column} >= ${p}` : sql`(${column} >= ${p} AND ${column} < ${upper})`;
    }),
  );
}

const nonEmpty = <T>(v: readonly T[] | undefined): v is readonly T[] => v !== undefined && v.length > 0;

/**
 * A label spec as SQL over one resource: see `labelsMatch` in `match.ts` (same semantics). A
 * missing label is NULL, and every test of NULL is unknown, so it never matches.
 */
function labelConds(d: EventFilterDialect, json: Cond, idColumn: Cond, spec: LabelSpec): Cond[] {
  const out: Cond[] = [];
  for (const [key, v] of Object.entries(spec)) {
    const patterns = patternList(v);
    if (patterns.length === 0) {
      out.push(sql`FALSE`);
      continue;
    }
    const value = key === RESOURCE_ID ? idColumn : d.labelValue(json, key);
    const positive: Cond[] = [];
    let anyPositive = false;
    const parts: Cond[] = [];
    for (const p of patterns) {
      const { negated, glob } = parseLabelPattern(p);
      const exact = globLiteral(glob);
      if (!negated) anyPositive = true;
      const test = exact !== undefined ? sql`${value} = ${exact}` : d.globMatch(value, glob);
      if (test === false) continue; // never matches: no positive hit, and nothing to exclude
      if (negated) parts.push(sql`NOT ${test}`);
      else positive.push(test);
    }
    if (anyPositive) parts.push(or(positive));
    // Only negations that can never match are left: the label must still be there.
    if (parts.length === 0) parts.push(sql`${value} IS NOT NULL`);
    out.push(and(parts));
  }
  return out;
}

/** Exact resource ids a label spec pins (`flowtrail.resource.id` with only exact, positive values). */
function pinnedIds(spec: LabelSpec | undefined): string[] | undefined {
  const v = spec?.[RESOURCE_ID];
  if (v === undefined) return undefined;
  const ids: string[] = [];
  for (const p of patternList(v)) {
    const { negated, glob } = parseLabelPattern(p);
    const exact = globLiteral(glob);
    if (negated || exact === undefined) return undefined;
    ids.push(exact);
  }
  return ids;
}

/** The columns of `events AS e`. */
export const E = {
  seq: sql.ref('e.seq'),
  id: sql.ref('e.id'),
  follows: sql.ref('e.follows'),
  occurred: sql.ref('e.occurred'),
  event: sql.ref('e.event'),
  resourceId: sql.ref('e.resource_id'),
  resource: sql.ref('e.resource'),
  related: sql.ref('e.related'),
  payload: sql.ref('e.payload'),
  search: sql.ref('e.search'),
};
/** The columns of `event_links AS l`. */
export const L = {
  seq: sql.ref('l.event_seq'),
  occurred: sql.ref('l.occurred'),
  resourceId: sql.ref('l.resource_id'),
  role: sql.ref('l.role'),
};
/** The primary resource of `events AS e`, as a resource filter reads it (its role is ''). */
const PRIMARY: ResourceCols = { resourceId: E.resourceId, role: sql`''`, labels: E.resource };

function timeConds(column: Cond, since: number | undefined, until: number | undefined): Cond[] {
  const out: Cond[] = [];
  if (since !== undefined) out.push(sql`${column} >= ${since}`);
  if (until !== undefined) out.push(sql`${column} <= ${until}`);
  return out;
}

/** Conditions on one resource for a resource filter (primary or related alike). */
function resourceConds(d: EventFilterDialect, f: ResourceFilter, c: ResourceCols): Cond[] {
  const out: Cond[] = [];
  if (nonEmpty(f.id)) out.push(sql`${c.resourceId} IN ${list(f.id)}`);
  if (nonEmpty(f.idPrefix)) out.push(startsWithAny(c.resourceId, f.idPrefix));
  if (f.labels !== undefined) out.push(...labelConds(d, c.labels, c.resourceId, f.labels));
  return out;
}

/** Conditions on one resource for a related filter, but its labels (a link has none). */
function relatedConds(f: RelatedFilter, c: Pick<ResourceCols, 'resourceId' | 'role'>): Cond[] {
  const out: Cond[] = [];
  // '' is the primary resource's role, and every non-empty string sorts after it.
  if (relatedNeedsRelated(f)) out.push(sql`${c.role} > ''`);
  if (nonEmpty(f.role)) out.push(sql`${c.role} IN ${list(f.role)}`);
  if (nonEmpty(f.id)) out.push(sql`${c.resourceId} IN ${list(f.id)}`);
  if (nonEmpty(f.resourcesInRoles))
    out.push(
      or(f.resourcesInRoles.map(([id, role]) => sql`(${c.resourceId} = ${id} AND ${c.role} = ${role})`)),
    );
  return out;
}

function resourceDriver(conds: readonly Cond[], since?: number, until?: number, covers?: Cond): Driver {
  return {
    ...(covers ? { covers } : {}),
    select: sql`SELECT ${L.seq} FROM event_links AS l WHERE ${and([...conds, ...timeConds(L.occurred, since, until)])}`,
    order: sql`${L.resourceId}, ${L.occurred}`,
  };
}

/** Candidates by event name: one index range per name, `(event, occurred…)`. */
function namesDriver(names: Cond, covers: Cond, since?: number, until?: number): Driver {
  return {
    covers,
    select: sql`SELECT ${E.seq} FROM events AS e WHERE ${and([names, ...timeConds(E.occurred, since, until)])}`,
    order: sql`${E.event}, ${E.occurred}`,
  };
}

/**
 * The distinct event names starting with one of `prefixes`, found by hopping through the
 * `(event, occurred…)` index one name at a time (a skip scan: one seek per distinct name).
 */
function namesWithPrefixes(prefixes: readonly string[]): Cond {
  const parts = prefixes.map((p) => {
    const upper = prefixUpperBound(p);
    const below = (col: Cond) => (upper === null ? sql`TRUE` : sql`${col} < ${upper}`);
    const ev = sql.ref('x.event');
    return sql`SELECT n FROM (WITH RECURSIVE names(n) AS (
        SELECT (SELECT min(${ev}) FROM events AS x WHERE ${ev} >= ${p} AND ${below(ev)})
        UNION ALL
        SELECT (SELECT min(${ev}) FROM events AS x WHERE ${ev} > names.n AND ${below(ev)})
          FROM names WHERE names.n IS NOT NULL)
      SELECT n FROM names WHERE n IS NOT NULL) AS prefixed`;
  });
  return sql.join(parts, sql` UNION `);
}

/**
 * Compiles a validated filter. Conditions are over `events AS e`; related and any-resource
 * criteria are per-event probes of the event's links or related JSON (see the header);
 * primary-resource labels are read from `e.resource`. `forPage`: the conditions filter a page (see
 * {@link EventFilterDialect.exists}).
 */
export function compileFilter(d: EventFilterDialect, filter: EventFilter, forPage: boolean): CompiledFilter {
  const since = filter.since?.getTime();
  const until = filter.until?.getTime();
  const conds: Cond[] = timeConds(E.occurred, since, until);
  const drivers: Driver[] = [];
  // Names last: a name usually pins more events than a resource, and the store counts candidates
  // no further than the fewest found so far.
  const nameDrivers: Driver[] = [];
  // Per-event probes: of the event's links (by id: exact key lookups from e.occurred and e.seq,
  // which the time index carries), and of its related JSON (labels, globs, prefixes, bare roles).
  const linkProbe = (lc: readonly Cond[]) =>
    d.exists(
      sql`SELECT 1 FROM event_links AS l WHERE ${and([...lc, sql`${L.occurred} = ${E.occurred}`, sql`${L.seq} = ${E.seq}`])}`,
      forPage,
    );
  const relatedProbe = (rc: readonly Cond[]) =>
    d.exists(sql`SELECT 1 FROM ${d.related.from} WHERE ${and(rc)}`, forPage);
  const J = d.related.cols;

  /** Adds a condition, and returns it (for a driver that covers it). */
  const cond = (c: Cond): Cond => {
    conds.push(c);
    return c;
  };

  if (nonEmpty(filter.id)) {
    drivers.push({
      select: sql`SELECT seq FROM events WHERE id IN ${list(filter.id)}`,
      order: sql`id`,
      size: filter.id.length,
      covers: cond(sql`${E.id} IN ${list(filter.id)}`),
    });
  }
  // No index leads from a leader to its followers: a condition only, met during the scan.
  if (nonEmpty(filter.follows)) conds.push(sql`${E.follows} IN ${list(filter.follows)}`);
  const name = filter.event;
  if (name) {
    if (nonEmpty(name.name)) {
      const c = cond(sql`${E.event} IN ${list(name.name)}`);
      nameDrivers.push(namesDriver(c, c, since, until));
    }
    if (nonEmpty(name.prefix)) {
      const c = cond(startsWithAny(E.event, name.prefix));
      nameDrivers.push(namesDriver(d.inSelect(E.event, namesWithPrefixes(name.prefix)), c, since, until));
    }
    if (nonEmpty(name.excludeName)) conds.push(sql`${E.event} NOT IN ${list(name.excludeName)}`);
    if (nonEmpty(name.excludePrefix)) conds.push(sql`NOT ${startsWithAny(E.event, name.excludePrefix)}`);
  }
  const res = filter.resource;
  if (res) {
    // The primary resource is the link in role '': its key range drives.
    const primary = sql`${L.role} = ''`;
    if (nonEmpty(res.id)) {
      const c = cond(sql`${E.resourceId} IN ${list(res.id)}`);
      drivers.push(resourceDriver([sql`${L.resourceId} IN ${list(res.id)}`, primary], since, until, c));
    }
    if (nonEmpty(res.idPrefix)) {
      const c = cond(startsWithAny(E.resourceId, res.idPrefix));
      drivers.push(resourceDriver([startsWithAny(L.resourceId, res.idPrefix), primary], since, until, c));
    }
    if (res.labels !== undefined) {
      conds.push(...labelConds(d, E.resource, E.resourceId, res.labels));
      const ids = pinnedIds(res.labels);
      if (ids) drivers.push(resourceDriver([sql`${L.resourceId} IN ${list(ids)}`, primary], since, until));
    }
  }
  for (const f of asList(filter.related)) {
    if (!relatedHasCriteria(f)) continue;
    const ids = nonEmpty(f.id) ? f.id : pinnedIds(f.labels);
    // What a link answers: the related filter's criteria but its labels, plus the ids labels pin.
    const lc = relatedConds(f, L);
    if (ids && !nonEmpty(f.id)) lc.push(sql`${L.resourceId} IN ${list(ids)}`);
    const pinned = ids !== undefined || nonEmpty(f.resourcesInRoles);
    // Roles alone also look at the primary resource, in role '' (as `matchesFilter` does).
    if (!relatedNeedsRelated(f) && f.role?.includes('')) continue;
    let c: Cond;
    if (pinned && f.labels === undefined) c = cond(linkProbe(lc));
    else {
      const json = relatedProbe([
        ...relatedConds(f, J),
        ...(f.labels === undefined ? [] : labelConds(d, J.labels, J.resourceId, f.labels)),
      ]);
      c = cond(pinned ? and([linkProbe(lc), json]) : json);
    }
    // A driver by these criteria finds events with a resource meeting all of them: the probe is moot.
    if (pinned) drivers.push(resourceDriver(lc, since, until, f.labels === undefined ? c : undefined));
  }
  for (const f of asList(filter.anyResource)) {
    const primaryConds = resourceConds(d, f, PRIMARY);
    if (primaryConds.length === 0) continue;
    const ids = nonEmpty(f.id) ? f.id : pinnedIds(f.labels);
    const byLink = ids ? linkProbe([sql`${L.resourceId} IN ${list(ids)}`]) : undefined;
    // Ids alone: the links (any role, primary included) answer exactly.
    const exact = byLink !== undefined && f.labels === undefined && !nonEmpty(f.idPrefix);
    const full = or([and(primaryConds), relatedProbe(resourceConds(d, f, J))]);
    const c = cond(exact ? byLink : byLink ? and([byLink, full]) : full);
    if (ids)
      drivers.push(
        resourceDriver([sql`${L.resourceId} IN ${list(ids)}`], since, until, exact ? c : undefined),
      );
  }
  if (filter.text !== undefined) {
    const q = parseTextQuery(filter.text);
    const has = (t: string) => d.textContains(t);
    const index = d.textIndex?.(q, since, until);
    if (index) drivers.push(index.driver);
    if (q.include.length > 0) conds.push(or(q.include.map(has)));
    for (const t of q.required) conds.push(has(t));
    for (const t of q.exclude) conds.push(sql`NOT ${has(t)}`);
  }
  return { conds, drivers: [...drivers, ...nameDrivers], since, until };
}
