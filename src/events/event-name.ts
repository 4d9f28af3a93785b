/**
 * What an event name may be — one rule for `emitEvent` (and every other intake: the CLI, the
 * HTTP API) and for `@trigger`, so every event that can be stored can also trigger a flow:
 *
 * - 1 to 1,024 characters (code points): ASCII letters `A–Z a–z`, digits `0–9`, `_ . : -`, and
 *   emoji (with their skin-tone modifiers, joiners and variation selectors, so `👩‍💻` is one name
 *   character as a user sees it);
 * - no spaces and no other punctuation, so a name needs no quoting in a shell, a URL or a glob;
 * - `flowtrail.` starts only Flowtrail's own (lifecycle) events.
 */
import { ValidationError } from '../core/errors.ts';
import { codePointLength, describeValue, preview } from './describe-value.ts';
import { EVENT_LIMITS, RESERVED_PREFIX } from './model.ts';

const NAME_CHARACTERS = /^(?:[A-Za-z0-9_.:-]|\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u200d|\ufe0f)+$/u;

/** The character set in words, for messages and docs. */
export const EVENT_NAME_CHARACTERS = 'letters, digits and _ . : - (ASCII), or emoji';

/** PostgreSQL text cannot hold U+0000, so no store could keep it the same everywhere: refused at intake. */
export const NUL_MESSAGE = 'contains the NUL character (U+0000), which the stores cannot keep; remove it';

/**
 * Whether a name has the allowed length and characters (the reserved prefix is checked apart).
 *
 * @example
 * isEventName('dataset.refreshed'); // true
 * isEventName('bank rejected!');    // false
 */
export function isEventName(name: string): boolean {
  return (
    name.length > 0 &&
    codePointLength(name, EVENT_LIMITS.maxNameLength) <= EVENT_LIMITS.maxNameLength &&
    NAME_CHARACTERS.test(name)
  );
}

/**
 * Checks the name of an event at intake and returns it.
 *
 * @throws ValidationError on field `event`: missing, empty, too long, a character outside the set,
 * or (unless `allowReserved`) the `flowtrail.` prefix.
 *
 * @example
 * checkEventName('dataset.refreshed', false); // 'dataset.refreshed'
 */
export function checkEventName(name: unknown, allowReserved: boolean): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw new ValidationError(
      'event',
      name === undefined
        ? "The event name ('event') is missing; give a dot-delimited name such as 'dataset.refreshed'."
        : `The event name ('event') must be a non-empty string such as 'dataset.refreshed', got ${describeValue(name)}.`,
    );
  const length = codePointLength(name, EVENT_LIMITS.maxNameLength);
  if (length > EVENT_LIMITS.maxNameLength)
    throw new ValidationError(
      'event',
      `The event name is ${length} characters long; at most ${EVENT_LIMITS.maxNameLength} are allowed. Use a short name and put details in the payload.`,
      { length, limit: EVENT_LIMITS.maxNameLength },
    );
  if (name.includes('\u0000')) throw new ValidationError('event', `The event name ${NUL_MESSAGE}.`);
  if (!NAME_CHARACTERS.test(name))
    throw new ValidationError(
      'event',
      `The event name ${JSON.stringify(preview(name))} has a character outside the set event names use: ${EVENT_NAME_CHARACTERS}. Write it e.g. as 'bank.rejected', and put free text in the payload.`,
    );
  if (!allowReserved && name.startsWith(RESERVED_PREFIX))
    throw new ValidationError(
      'event',
      `Event name '${preview(name)}' uses the reserved prefix '${RESERVED_PREFIX}', kept for events Flowtrail emits itself. Use your own namespace, e.g. '${name.slice(RESERVED_PREFIX.length)}'.`,
    );
  return name;
}
