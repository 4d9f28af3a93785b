/**
 * Named secrets (a webhook action's headers, `headersSecret`): the rules of a name and a value,
 * and the three things users do — set, list names, delete — over a store that never gives a value
 * back. Shared by the HTTP routes and, in local mode, the client API and the CLI.
 */
import { SECRET_NAME } from '../automations/validate-action.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import type { SecretStore } from '../store/automation-store.ts';

/** What may be done with secrets from outside the server: everything but reading a value. */
export type SecretRegistry = Omit<SecretStore, 'get'>;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_HEADERS = 50;
const MAX_VALUE_LENGTH = 8192;

function checkSecretName(name: string): string {
  if (!SECRET_NAME.test(name))
    throw new ValidationError(
      'name',
      `A secret's 'name' is 1–100 letters, digits, _ . or -, got ${JSON.stringify(name)}.`,
      { rule: 'secret-name' },
    );
  return name;
}

/** A secret's value: the HTTP headers a webhook sends, header name → text. */
function checkSecretValue(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ValidationError(
      'value',
      `A secret's 'value' is an object of HTTP headers, e.g. {"Authorization": "Bearer …"}.`,
      { rule: 'type' },
    );
  const entries = Object.entries(value);
  if (entries.length === 0 || entries.length > MAX_HEADERS)
    throw new ValidationError(
      'value',
      `A secret's 'value' holds 1 to ${MAX_HEADERS} headers, got ${entries.length}.`,
      {
        rule: 'size',
      },
    );
  for (const [header, text] of entries) {
    const field = `value.${header}`;
    if (!HEADER_NAME.test(header))
      throw new ValidationError(field, `'${field}': ${JSON.stringify(header)} is not an HTTP header name.`, {
        rule: 'header-name',
      });
    if (typeof text !== 'string' || text.length > MAX_VALUE_LENGTH || /[\r\n\0]/.test(text))
      throw new ValidationError(
        field,
        `'${field}' must be a header value: text of at most ${MAX_VALUE_LENGTH} characters, on one line.`,
        { rule: 'header-value' },
      );
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export async function saveSecret(
  store: SecretRegistry,
  name: string,
  value: unknown,
  now: number,
): Promise<void> {
  await store.set(checkSecretName(name), checkSecretValue(value), now);
}

export async function removeSecret(store: SecretRegistry, name: string): Promise<void> {
  if (!(await store.delete(name)))
    throw new NotFoundError('secret', `There is no secret '${name}'; see \`flowtrail secrets list\`.`);
}
