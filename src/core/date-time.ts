/**
 * The one ISO 8601 date-time rule of Flowtrail, shared by the event API (`occurred`, `since`,
 * `until`) and the CLI's `--since` / `--until`: a date (`2025-01-31`) or a date-time with minutes,
 * optional seconds and fraction, `T` or a space between, and an optional offset (`Z`, `+02:00`,
 * `+0200`). A date-time without an offset is read as UTC, never as the machine's local time, so
 * the same text means the same instant everywhere.
 */

const ISO_DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * The instant an ISO 8601 date or date-time names, or `undefined` when the text is not one
 * (leading and trailing spaces are ignored).
 *
 * @example
 * parseIsoDateTime('2025-01-31T12:00');        // 2025-01-31T12:00:00.000Z (no offset: UTC)
 * parseIsoDateTime('2025-01-31 12:00+02:00');  // 2025-01-31T10:00:00.000Z
 * parseIsoDateTime('yesterday');               // undefined
 */
export function parseIsoDateTime(text: string): Date | undefined {
  const trimmed = text.trim();
  const m = ISO_DATE_TIME.exec(trimmed);
  if (!m) return undefined;
  const hasTimeWithoutOffset = m[2] !== undefined && m[3] === undefined;
  const ms = Date.parse(hasTimeWithoutOffset ? `${m[1]}T${m[2]}Z` : trimmed.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
