/**
 * How search params read and write in the address bar: plain `key=value` pairs, a list as the key
 * repeated (`?tag=a&tag=b`) — the router's default writes lists and numbers as JSON
 * (`?tag=%5B%22a%22%5D`). Every route's `validateSearch` accepts strings for numbers and a single
 * value for a list, so nothing else changes.
 */
export function parseUrlSearch(search: string): Record<string, unknown> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const before = out[key];
    out[key] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
  }
  return out;
}

export function stringifyUrlSearch(search: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(search)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value])
      params.append(key, typeof item === 'object' ? JSON.stringify(item) : String(item));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
