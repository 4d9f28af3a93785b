/**
 * A JSON value (an event's payload) as the preview tree the artifact viewer draws (`ValueTree`),
 * whole: a payload is at most 1.5 MB and its raw JSON is beside it, so nothing is cut. The tree
 * opens two levels and renders deeper ones when opened.
 */
import type { PreviewNode } from '../task/artifact-preview.tsx';

export function jsonPreview(value: unknown): PreviewNode {
  if (value === null || value === undefined) return { kind: 'null' };
  switch (typeof value) {
    case 'boolean':
      return { kind: 'boolean', value };
    case 'number':
      return { kind: 'number', text: String(value) };
    case 'string':
      return { kind: 'string', value, length: value.length, truncated: false };
    case 'object':
      if (Array.isArray(value))
        return {
          kind: 'array',
          type: 'Array',
          length: value.length,
          items: value.map(jsonPreview),
          truncated: false,
        };
      {
        const entries = Object.entries(value).map(([key, v]) => ({ key, value: jsonPreview(v) }));
        return { kind: 'object', size: entries.length, entries, truncated: false };
      }
    default:
      return { kind: 'string', value: String(value), length: String(value).length, truncated: false };
  }
}
