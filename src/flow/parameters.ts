import { InvalidGraphError, ParameterError } from '../core/errors.ts';
import type { ParameterDeclaration } from './declarations.ts';

/** How a given name is compared with a parameter's names: dashes, underscores and case ignored. */
const nameKey = (s: string) => s.replace(/[-_]/g, '').toLowerCase();

/** Finds a parameter by its CLI name, property name, or either with dashes/underscores/case ignored. */
export function findParameter(
  params: Map<string, ParameterDeclaration>,
  given: string,
): ParameterDeclaration | undefined {
  const wanted = nameKey(given);
  for (const p of params.values()) if (nameKey(p.cliName) === wanted || nameKey(p.name) === wanted) return p;
  return undefined;
}

/**
 * Refuses two parameters that {@link findParameter} could not tell apart (the same `name`, or one's
 * field named like another's `name`, up to dashes, underscores and case): the command line would
 * list the flag twice and set only one of them.
 */
export function checkParameterNames(flowName: string, params: Map<string, ParameterDeclaration>): void {
  const owners = new Map<string, ParameterDeclaration>();
  for (const p of params.values()) {
    for (const spelling of new Set([p.cliName, p.name])) {
      const key = nameKey(spelling);
      const other = owners.get(key);
      if (other !== undefined && other !== p)
        throw new InvalidGraphError(
          `Parameter --${spelling} of ${flowName} is declared by both field '${other.name}' (--${other.cliName}) and field '${p.name}' (--${p.cliName}); give each parameter its own name, e.g. @param.string({ name: '…' }).`,
          undefined,
          { parameter: spelling, fields: [other.name, p.name] },
        );
      owners.set(key, p);
    }
  }
}

/** Converts a command-line string to the parameter's type. */
export function parseParameterText(p: ParameterDeclaration, text: string): unknown {
  switch (p.type) {
    case 'string':
      return text;
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n))
        throw new ParameterError(p.name, `Parameter --${p.cliName} must be a number, got '${text}'.`);
      return n;
    }
    case 'boolean': {
      const t = text.toLowerCase();
      if (['true', '1', 'yes', ''].includes(t)) return true;
      if (['false', '0', 'no'].includes(t)) return false;
      throw new ParameterError(p.name, `Parameter --${p.cliName} must be true or false, got '${text}'.`);
    }
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        throw new ParameterError(p.name, `Parameter --${p.cliName} must be JSON: ${(e as Error).message}.`);
      }
  }
}

function checkType(p: ParameterDeclaration, value: unknown, origin: string): void {
  const ok =
    p.type === 'json' ||
    (p.type === 'string' && typeof value === 'string') ||
    (p.type === 'number' && typeof value === 'number' && !Number.isNaN(value)) ||
    (p.type === 'boolean' && typeof value === 'boolean');
  if (!ok)
    throw new ParameterError(
      p.name,
      `Parameter '${p.name}' (${origin}) must be a ${p.type}, got ${JSON.stringify(value)}.`,
    );
}

/**
 * Resolves the final parameter values from given values (already typed, or strings from the CLI)
 * and the declared defaults. Unknown names and missing required values are {@link ParameterError}s.
 */
export function resolveParameters(
  params: Map<string, ParameterDeclaration>,
  given: Record<string, unknown>,
  options: { fromText?: boolean } = {},
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(given)) {
    const p = findParameter(params, key);
    if (!p) {
      const known = [...params.values()].map((x) => `--${x.cliName}`).join(', ') || 'none';
      throw new ParameterError(key, `Unknown parameter '${key}'. Known parameters: ${known}.`);
    }
    const value = options.fromText && typeof raw === 'string' ? parseParameterText(p, raw) : raw;
    checkType(p, value, 'given');
    values[p.name] = value;
  }
  for (const p of params.values()) {
    if (p.name in values) continue;
    if (p.default !== undefined) {
      checkType(p, p.default, 'default');
      values[p.name] = p.default;
    } else if (p.required) {
      throw new ParameterError(
        p.name,
        `Parameter --${p.cliName} is required${p.help ? ` (${p.help})` : ''}; pass --${p.cliName} <value>.`,
      );
    }
  }
  return values;
}
