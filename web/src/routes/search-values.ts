/** How the routes' `validateSearch` read one search param: bad values are dropped, not errors. */

/** A non-blank string, else undefined. */
export const searchText = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v : undefined;

/** A string `Date` can read (an ISO 8601 instant), else undefined. */
export const searchInstant = (v: unknown): string | undefined => {
  const s = searchText(v);
  return s !== undefined && !Number.isNaN(new Date(s).getTime()) ? s : undefined;
};

/** A param as a list of distinct non-blank strings (one value or the key repeated). */
export const searchList = (v: unknown): string[] => {
  const raw = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return [...new Set(raw.map(searchText).filter((s): s is string => s !== undefined))];
};
