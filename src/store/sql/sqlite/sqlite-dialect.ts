/**
 * `sqliteDialect`, what the shared stores do the SQLite way: `json_extract` label lookups, `GLOB`,
 * `instr` (over the stored or rebuilt search text), text candidates from the FTS5 index behind the
 * appends (`sqlite-text-index.ts`), query plans pinned with `INDEXED BY` / `NOT INDEXED` (SQLite
 * plans each statement without statistics), and the event insert (`sqlite-event-insert.ts`).
 */
import { sql } from 'kysely';
import { type Cond, E } from '../event-filter-sql.ts';
import type { SqlDialect } from '../sql-dialect.ts';
import { insertEventsSqlite } from './sqlite-event-insert.ts';
import { globToSqlite } from './sqlite-glob.ts';
import { dropTextEntries, indexPendingText, textCandidates, textIndexQuery } from './sqlite-text-index.ts';

/** A label of the related resource `j` (a `json_each` row of `e.related`). */
const relatedLabel = (key: string): Cond => sql`json_extract(j.value, ${`$."${key}"`})`;

/**
 * The search text of `e` when it is not stored (`search = ''`: its text is ASCII, see
 * `sqlite-event-insert.ts`), rebuilt as `searchText` builds it: the name, the resource's label
 * values, each related resource's, the payload JSON, one per line, lower-cased. Stored JSON is
 * `JSON.stringify`'s, so `json_each` walks labels in `Object.values` order; on ASCII text SQLite's
 * `lower` is `toLowerCase`.
 */
const REBUILT_SEARCH = sql`lower(${E.event} || char(10)
  || (SELECT group_concat(l.value, char(10)) FROM json_each(${E.resource}) AS l)
  || coalesce(char(10) || (SELECT group_concat(l.value, char(10))
    FROM json_each(${E.related}) AS r, json_each(r.value) AS l), '')
  || char(10) || ${E.payload})`;
const SEARCH_TEXT = sql`coalesce(nullif(${E.search}, ''), ${REBUILT_SEARCH})`;
/**
 * A superset test for events whose text is not stored: the row's JSON holds every line of its
 * search text, escaped only at `"`, `\` and control characters, so a term without those that is
 * in the text is in the lower-cased columns. Cheaper than rebuilding the text (no JSON parsing),
 * it lets the rebuild run only on likely matches.
 */
const RAW_COLUMNS = sql`lower(${E.event} || ${E.resource} || ${E.related} || ${E.payload})`;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters JSON escapes
const JSON_ESCAPED = /["\\\u0000-\u001f]/;

/**
 * SQLite's event dialect. Plans are pinned: a time scan walks `events_occurred` (`INDEXED BY`,
 * names checked in the index itself); a driven query reads its candidates by rowid (`NOT INDEXED`).
 * Time counts on a scan are one index range count per bucket (no sort, no temporary table).
 */
export const sqliteDialect: SqlDialect = {
  planner: { driveCap: 4000, countDriveCap: 50_000 },
  candidateCount: (driver, limit) =>
    sql`SELECT count(*) AS n FROM (${driver.select} LIMIT ${limit}) AS candidates`,

  labelValue(json: Cond, key: string): Cond {
    // A key with `"` or `\` cannot be written as a JSON path: look it up by name instead.
    if (/["\\]/.test(key)) return sql`(SELECT j.value FROM json_each(${json}) AS j WHERE j.key = ${key})`;
    return sql`json_extract(${json}, ${`$."${key}"`})`;
  },
  globMatch(value: Cond, glob: string): Cond | false {
    const g = globToSqlite(glob);
    return g === false ? false : sql`${value} GLOB ${g}`;
  },
  contains: (text: Cond, term: string): Cond => sql`instr(${text}, ${term}) > 0`,
  textContains(term: string): Cond {
    const exact = sql`instr(${SEARCH_TEXT}, ${term}) > 0`;
    if (JSON_ESCAPED.test(term)) return exact;
    return sql`((${E.search} <> '' OR instr(${RAW_COLUMNS}, ${term}) > 0) AND ${exact})`;
  },
  textIndex(q) {
    const match = textIndexQuery(q);
    if (match === undefined) return undefined;
    return { driver: { select: textCandidates(match), wide: true } };
  },
  indexText: (db, maxEvents) => indexPendingText(db, SEARCH_TEXT, maxEvents),
  related: {
    from: sql`json_each(${E.related}) AS j`,
    cols: {
      resourceId: relatedLabel('flowtrail.resource.id'),
      role: relatedLabel('flowtrail.resource.role'),
      labels: sql`j.value`,
    },
  },
  inSelect: (column: Cond, select: Cond): Cond => sql`${column} IN (${select})`,
  exists: (probe: Cond): Cond => sql`EXISTS (${probe})`,

  from(plan, where, walkTimeIndex) {
    if (plan.kind === 'driven')
      return sql`FROM events AS e NOT INDEXED WHERE ${this.inSelect(E.seq, plan.driver.select)} AND ${where}`;
    return walkTimeIndex
      ? sql`FROM events AS e INDEXED BY events_occurred WHERE ${where}`
      : sql`FROM events AS e WHERE ${where}`;
  },

  page(fields, plan, where, dir, limit) {
    return sql`SELECT ${fields} ${this.from(plan, where, true)}
      ORDER BY ${E.occurred} ${dir}, ${E.seq} ${dir} LIMIT ${limit}`;
  },

  bucketCounts(plan, where, b) {
    if (plan.kind === 'driven')
      return sql`SELECT CAST((${E.occurred} - ${b.start}) / ${b.size} AS INTEGER) AS i, count(*) AS n
        ${this.from(plan, where, true)} GROUP BY i`;
    return sql`WITH RECURSIVE b(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM b WHERE i < ${b.n - 1})
      SELECT b.i AS i, (SELECT count(*) FROM events AS e INDEXED BY events_occurred
        WHERE ${E.occurred} >= max(${b.start} + b.i * ${b.size}, ${b.since})
          AND ${E.occurred} <= min(${b.start} + (b.i + 1) * ${b.size} - 1, ${b.until})
          AND ${where}) AS n
      FROM b`;
  },

  resourceNames(from, name) {
    // With max() as the only aggregate, SQLite takes the bare column from the newest row.
    return sql`SELECT ${E.resourceId} AS k, ${name} AS name, max(${E.occurred}) AS hi ${from}
      GROUP BY ${E.resourceId}`;
  },

  insertEvents: insertEventsSqlite,
  eventsDeleted: dropTextEntries,
};
