/**
 * How a value a user gave is shown inside an error message: a string in single quotes, anything
 * else as JSON (falling back to `String` for what JSON cannot show).
 *
 * @example
 * quoteValue('6x'); // "'6x'"
 * quoteValue([1, 2]); // '[1,2]'
 */
export function quoteValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
