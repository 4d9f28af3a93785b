/** Events arriving in a request body (ingest, and the metadata writes that carry run events). */
import { ValidationError } from '../../core/errors.ts';
import type { FlowtrailEvent } from '../../events/model.ts';
import { validateEvent } from '../../events/validate-event.ts';

/**
 * Validates events from a request (field paths prefixed with where they sit) and stamps `received`
 * now — or, with `keepReceived`, keeps a valid `received` the sender stamped at its own intake (the
 * Flowtrail client and runtime do; a received time in the future is never kept).
 */
export function eventsFromRequest(
  inputs: readonly unknown[],
  prefix: string | undefined,
  keepReceived = true,
): FlowtrailEvent[] {
  const now = new Date();
  return inputs.map((input, i) => {
    try {
      const event = validateEvent(input as Parameters<typeof validateEvent>[0], { allowReserved: true, now });
      const given = (input as { received?: unknown }).received;
      if (keepReceived && typeof given === 'string') {
        const at = new Date(given);
        if (!Number.isNaN(at.getTime()) && at.getTime() <= now.getTime()) event.received = at;
      }
      return event;
    } catch (e) {
      if (e instanceof ValidationError && prefix !== undefined)
        throw new ValidationError(`${prefix}[${i}].${e.field}`, e.message, e.details);
      throw e;
    }
  });
}
