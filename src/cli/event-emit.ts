/**
 * `flowtrail events emit NAME`: an event from the command line (labels, related resources, payload
 * JSON), emitted through the client's `emitEvent`; a validation problem names the flag that gave it.
 */
import { emitEvent } from '../client/emit.ts';
import { listEvents } from '../client/events.ts';
import { UsageError, ValidationError } from '../core/errors.ts';
import type { EventInput, FlowtrailEvent } from '../events/model.ts';
import { RESOURCE_ID, RESOURCE_ROLE } from '../events/model.ts';
import { parseKeyValue, parseRelatedLabel, parseRoleId, parseTimeFlag } from './event-flags.ts';
import { jsonText } from './format.ts';

type Out = (text: string) => void;

export interface EmitFlags {
  resource?: string[];
  resourceId?: string;
  related?: string[];
  relatedLabel?: string[];
  payload?: string;
  occurred?: string;
  id?: string;
  follows?: string;
  json?: boolean;
}

/** Builds the `emitEvent` input from the command line (labels, related resources, payload JSON). */
export function emitInputFromFlags(name: string, flags: EmitFlags, now: number = Date.now()): EventInput {
  const resource: Record<string, string> = {};
  for (const w of flags.resource ?? []) {
    const [k, v] = parseKeyValue('resource', w);
    if (k in resource && resource[k] !== v)
      throw new UsageError(`--resource gives label '${k}' twice ('${resource[k]}' and '${v}').`);
    resource[k] = v;
  }
  if (flags.resourceId !== undefined) {
    const given = resource[RESOURCE_ID];
    if (given !== undefined && given !== flags.resourceId)
      throw new UsageError(
        `--resource-id '${flags.resourceId}' disagrees with --resource ${RESOURCE_ID}=${given}; give the id once.`,
      );
    resource[RESOURCE_ID] = flags.resourceId;
  }

  // Related resources in the order given; --related-label adds labels (creating the resource if needed).
  const related = new Map<string, Record<string, string>>();
  const relatedFor = (role: string, id: string) => {
    const key = JSON.stringify([role, id]);
    let r = related.get(key);
    if (!r) {
      r = { [RESOURCE_ID]: id, [RESOURCE_ROLE]: role };
      related.set(key, r);
    }
    return r;
  };
  for (const w of flags.related ?? []) {
    const { role, id } = parseRoleId('related', w);
    relatedFor(role, id);
  }
  for (const w of flags.relatedLabel ?? []) {
    const { role, id, key, value } = parseRelatedLabel(w);
    relatedFor(role, id)[key] = value;
  }

  const input: EventInput = { event: name, resource };
  if (related.size > 0) input.related = [...related.values()];
  if (flags.payload !== undefined) input.payload = parsePayload(flags.payload);
  if (flags.occurred !== undefined) input.occurred = parseTimeFlag('occurred', flags.occurred, now);
  if (flags.id !== undefined) input.id = flags.id;
  if (flags.follows !== undefined) input.follows = flags.follows;
  return input;
}

function parsePayload(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(
      `--payload is not valid JSON (${(e as Error).message}); give an object, e.g. --payload '{"rows": 120}'.`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError(
      `--payload must be a JSON object, e.g. --payload '{"rows": 120}'; got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}.`,
    );
  return value as Record<string, unknown>;
}

/** The flag that sets an event field, for validation messages: `related[2]["x"]` → `--related/--related-label`. */
function flagForField(field: string): string | undefined {
  if (field === 'event') return 'NAME';
  if (field.startsWith('resource')) return '--resource-id/--resource';
  if (field.startsWith('related')) return '--related/--related-label';
  if (field === 'payload') return '--payload';
  if (field === 'occurred' || field === 'id' || field === 'follows') return `--${field}`;
  return undefined;
}

export async function emitCommand(name: string, flags: EmitFlags, out: Out): Promise<void> {
  let emitted: FlowtrailEvent;
  try {
    emitted = await emitEvent(emitInputFromFlags(name, flags));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const flag = flagForField(error.field);
    throw new ValidationError(
      error.field,
      `${error.message} (field ${error.field}${flag ? `, given by ${flag}` : ''})`,
      error.details,
    );
  }
  if (!flags.json) {
    out(`${emitted.id}\n`);
    return;
  }
  // What the store holds (with an id that was already stored, that is the earlier event).
  const stored = (await listEvents({ id: [emitted.id] }, { limit: 1 })).events[0] ?? emitted;
  out(jsonText(stored));
}
