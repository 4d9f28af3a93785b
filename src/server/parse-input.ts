import type { z } from 'zod';
import { ValidationError } from '../core/errors.ts';

/** Where a request input sits. */
export type InputPlace = 'path' | 'query' | 'body';

/**
 * Parses a request input with a zod schema; the first problem becomes a `ValidationError` whose
 * `field` is the path of the offending value (`events.3.resource`, or an unknown key's name),
 * prefixed with `prefix` when the input sits inside a named parameter.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: InputPlace,
  prefix?: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0]!);
  const field = [...(prefix ? [prefix] : []), ...path].join('.') || where;
  const place = where === 'path' ? 'path parameter' : where === 'query' ? 'query parameter' : 'body field';
  throw new ValidationError(field, `Invalid ${place} '${field}': ${issue.message}.`, {
    in: where,
    issues: result.error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}
