/**
 * From events to a triggered run: the `TriggerCause` an event becomes, and the run parameters a
 * trigger's mapping takes from the events' payloads. One place for both the trigger engine and
 * the local simulation (`flowtrail run --trigger / --trigger-event`), so a simulated trigger is
 * recorded exactly as a real one.
 */
import { ParameterError, ValidationError } from '../core/errors.ts';
import { flowOfPathspec } from '../core/pathspec.ts';
import { RUN_COMPLETED_EVENT } from '../events/lifecycle.ts';
import type { FlowtrailEvent } from '../events/model.ts';
import { RESOURCE_ID } from '../events/model.ts';
import type { ParameterDeclaration } from '../flow/declarations.ts';
import type { TriggerCause } from '../store/metadata-store.ts';

/** The lifecycle event that marks a successful run: what `@triggerOnFinish` listens to. */
export const RUN_COMPLETED = RUN_COMPLETED_EVENT;
const RUN_RESOURCE_PREFIX = 'flowtrail.run.';

/** The pathspec (`ETLFlow/3`) a `flowtrail.run.completed` event is about. */
export function completedRunPathspec(event: FlowtrailEvent): string | undefined {
  if (event.event !== RUN_COMPLETED) return undefined;
  const id = event.resource[RESOURCE_ID];
  return id.startsWith(RUN_RESOURCE_PREFIX) ? id.slice(RUN_RESOURCE_PREFIX.length) : undefined;
}

/** The cause an event records on the run it triggers. */
export function causeOf(event: FlowtrailEvent): TriggerCause {
  const pathspec = completedRunPathspec(event);
  if (pathspec !== undefined)
    return {
      type: 'run',
      name: flowOfPathspec(pathspec),
      id: event.id,
      timestamp: event.occurred.getTime(),
      pathspec,
    };
  return {
    type: 'event',
    name: event.event,
    id: event.id,
    timestamp: event.occurred.getTime(),
    pathspec: null,
  };
}

/** The parameter mapping of one event dependency: flow parameter → payload field. */
export interface EventMapping {
  name: string;
  parameters: Readonly<Record<string, string>>;
}

/**
 * Parameter values mapped from the triggering events' payloads. A mapped field missing from the
 * payload leaves the parameter to its default; when the parameter has none and is required, the
 * run cannot start: a `ParameterError` names the event, the field and the parameter.
 */
export function mapTriggerParameters(
  mappings: readonly EventMapping[],
  events: readonly FlowtrailEvent[],
  params: ReadonlyMap<string, ParameterDeclaration>,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const mapping of mappings) {
    const event = events.find((e) => e.event === mapping.name);
    if (!event) continue;
    for (const [param, field] of Object.entries(mapping.parameters)) {
      const declaration = params.get(param);
      if (!declaration) continue; // checked when the flow was declared
      if (Object.hasOwn(event.payload, field)) values[param] = event.payload[field];
      else if (declaration.required && declaration.default === undefined)
        throw new ParameterError(
          param,
          `Event '${mapping.name}' (${event.id}) has no payload field '${field}', which the trigger maps to the required parameter '${param}'; the run was not started. Send the field, or give '${param}' a default.`,
        );
    }
  }
  return values;
}

/** Reads `--trigger-event` JSON into an event input, with a clear error when it is not JSON. */
export function parseTriggerEventJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ValidationError(
      'trigger-event',
      `--trigger-event is not JSON (${(e as Error).message}); give an event like '{"event":"data_updated","payload":{"alpha":0.5}}'.`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ValidationError(
      'trigger-event',
      '--trigger-event must be a JSON object such as {"event":"data_updated"}.',
    );
  const input = { ...(value as Record<string, unknown>) };
  // Metaflow's form names the event 'name'; accept it.
  if (input.event === undefined && typeof input.name === 'string') {
    input.event = input.name;
    delete input.name;
  }
  input.resource ??= { [RESOURCE_ID]: `flowtrail.trigger.${String(input.event)}` };
  return input;
}
