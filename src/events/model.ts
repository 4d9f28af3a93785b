/**
 * The event model: a resource (what it is about), an action (the event name), related resources,
 * a JSON payload. Validation lives in `validate-event.ts` (names: `event-name.ts`, ids: `event-id.ts`).
 */

/** Labels of a resource: a flat map of strings. */
export type Labels = Readonly<Record<string, string>>;

/** The primary resource of an event; `flowtrail.resource.id` is required and non-empty. */
export type Resource = Labels & { readonly 'flowtrail.resource.id': string };

/** A resource related to an event, with the role it plays (`flow`, `run`, `tag`, `owner`…). */
export type RelatedResource = Resource & { readonly 'flowtrail.resource.role': string };

/** What a caller gives to emit an event. */
export interface EventInput {
  /** Dot-delimited name: resource kind + action, e.g. `dataset.refreshed`. */
  event: string;
  resource: Record<string, string>;
  related?: readonly Record<string, string>[];
  payload?: Record<string, unknown>;
  /** When it happened (default: now). */
  occurred?: Date | string;
  /** The dedupe key (default: a new UUIDv7, so ids sort by time). */
  id?: string;
  /** Id of an event known to have happened before this one. */
  follows?: string | null;
}

/** A validated event as stored: `received` is stamped at intake. */
export interface FlowtrailEvent {
  id: string;
  occurred: Date;
  event: string;
  resource: Resource;
  related: RelatedResource[];
  payload: Record<string, unknown>;
  follows: string | null;
  received: Date;
}

export const EVENT_LIMITS = {
  /** Longest event name, in characters. */
  maxNameLength: 1024,
  /** Most labels on one resource (primary or related). */
  maxLabelsPerResource: 500,
  /** Most related resources. */
  maxRelated: 100,
  /** Largest event, as UTF-8 JSON bytes. */
  maxSizeBytes: 1_500_000,
} as const;

/** Label and event-name prefixes reserved for events Flowtrail emits itself. */
export const RESERVED_PREFIX = 'flowtrail.';
export const RESOURCE_ID = 'flowtrail.resource.id';
export const RESOURCE_ROLE = 'flowtrail.resource.role';
export const RESOURCE_NAME = 'flowtrail.resource.name';
