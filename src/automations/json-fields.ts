/**
 * Reading fields of an automation given as JSON: each reader checks one value and throws a
 * `ValidationError` whose `field` is the value's path (`trigger.triggers[1].threshold`) and whose
 * message names the rule.
 */
import { parseDuration, SECOND_MS } from '../core/duration.ts';
import { ValidationError } from '../core/errors.ts';
import { describeValue, isPlainObject } from '../events/describe-value.ts';

export type JSONObject = Record<string, unknown>;

/** The value as an object; otherwise a ValidationError naming `field`. */
export function objectAt(value: unknown, field: string): JSONObject {
  if (!isPlainObject(value))
    throw new ValidationError(field, `'${field}' must be an object, got ${describeValue(value)}.`, {
      rule: 'type',
    });
  return value;
}

/** Refuses keys outside `allowed` (a misspelt key must not silently mean a default). */
export function onlyKeys(obj: JSONObject, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(obj))
    if (!allowed.includes(key))
      throw new ValidationError(
        `${field}.${key}`,
        `Unknown field '${field}.${key}'. Allowed here: ${allowed.join(', ')}.`,
        { rule: 'unknown-key' },
      );
}

export function stringAt(
  value: unknown,
  field: string,
  options: { max?: number; empty?: boolean } = {},
): string {
  const max = options.max ?? 1000;
  if (typeof value !== 'string' || (!options.empty && value.trim() === ''))
    throw new ValidationError(
      field,
      `'${field}' must be a ${options.empty ? '' : 'non-empty '}string, got ${describeValue(value)}.`,
      { rule: 'type' },
    );
  if (value.length > max)
    throw new ValidationError(
      field,
      `'${field}' is ${value.length} characters long; at most ${max} are allowed.`,
      {
        rule: 'length',
      },
    );
  return value;
}

export function booleanAt(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean')
    throw new ValidationError(field, `'${field}' must be true or false, got ${describeValue(value)}.`, {
      rule: 'type',
    });
  return value;
}

export function integerAt(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new ValidationError(
      field,
      `'${field}' must be a whole number from ${min} to ${max}, got ${describeValue(value)}.`,
      { rule: 'range', min, max },
    );
  return value;
}

export function listAt(
  value: unknown,
  field: string,
  options: { min?: number; max?: number } = {},
): unknown[] {
  const min = options.min ?? 0;
  const max = options.max ?? 1000;
  if (!Array.isArray(value))
    throw new ValidationError(field, `'${field}' must be a list, got ${describeValue(value)}.`, {
      rule: 'type',
    });
  if (value.length < min)
    throw new ValidationError(
      field,
      `'${field}' must have at least ${min} ${min === 1 ? 'entry' : 'entries'}.`,
      { rule: 'min-length', min },
    );
  if (value.length > max)
    throw new ValidationError(field, `'${field}' has ${value.length} entries; at most ${max} are allowed.`, {
      rule: 'max-length',
      max,
    });
  return value;
}

/**
 * A duration in ms from either of two keys: `<name>` as written by people (`'10m'`, `'1h30m'`,
 * seconds as a number, or 0) or `<name>Ms` as stored (ms), so a stored automation validates again
 * unchanged. Both at once is refused; neither gives `fallback`.
 */
export function durationAt(
  obj: JSONObject,
  name: string,
  field: string,
  fallback: number | null,
  options: { zero: boolean },
): number | null {
  const human = obj[name];
  const stored = obj[`${name}Ms`];
  if (human !== undefined && stored !== undefined)
    throw new ValidationError(
      `${field}.${name}Ms`,
      `Give '${field}.${name}' or '${field}.${name}Ms', not both.`,
      { rule: 'exclusive' },
    );
  if (stored !== undefined) {
    if (stored === null) return null;
    return integerAt(stored, `${field}.${name}Ms`, options.zero ? 0 : SECOND_MS, 365 * 24 * 3600 * SECOND_MS);
  }
  if (human === undefined) return fallback;
  if (human === null) return null;
  if (options.zero && (human === 0 || human === '0' || human === '0s')) return 0;
  return parseDuration(human, `${field}.${name}`);
}
