/**
 * How the event and filter validators look at a value from outside and name it in a message:
 * `describeValue` (what was given instead), `preview` (a long text shortened), `isPlainObject`,
 * `codePointLength` and `labelPath` (the field path of one label).
 */

/** A value as a message names it: `the string "x"`, `an array`, `an object of class Map`, `number 3`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a Date';
  if (typeof value === 'string') return `the string ${JSON.stringify(preview(value))}`;
  if (typeof value === 'object') return `an object of class ${value.constructor?.name ?? 'unknown'}`;
  return `${typeof value} ${String(value)}`;
}

/** The text, cut to `max` characters with an ellipsis. */
export function preview(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** An object literal (or `Object.create(null)`): not an array, a Date, a Map or a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Length in Unicode code points (counted only when the text could be over `limit`). */
export function codePointLength(text: string, limit: number): number {
  // Code points never outnumber UTF-16 units, so short strings need no counting.
  if (text.length <= limit) return text.length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The field path of one label: `resource["flowtrail.resource.id"]`. */
export const labelPath = (base: string, key: string): string => `${base}[${JSON.stringify(key)}]`;
