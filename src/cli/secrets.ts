/**
 * `flowtrail secrets set | list | delete`: the named secrets webhook actions take their headers
 * from (`headersSecret`), through the client API. Values go in and never come out.
 */
import type { Command } from 'commander';
import { deleteSecret, listSecrets, setSecret } from '../client/automations.ts';
import { UsageError } from '../core/errors.ts';
import { readJsonFile } from './automations.ts';
import { formatTime, jsonText, table } from './format.ts';

async function secretValue(flags: { value?: string; file?: string }): Promise<Record<string, string>> {
  if ((flags.value === undefined) === (flags.file === undefined))
    throw new UsageError(
      `Give the secret's headers as --value JSON or --file F (one of them), e.g. --value '{"Authorization": "Bearer …"}'.`,
    );
  if (flags.file !== undefined) return (await readJsonFile(flags.file)) as Record<string, string>;
  try {
    return JSON.parse(flags.value!) as Record<string, string>;
  } catch (error) {
    throw new UsageError(`--value is not JSON: ${(error as Error).message}.`);
  }
}

export function registerSecretCommands(program: Command): void {
  const secrets = program
    .command('secrets')
    .description(
      'Named secrets: the HTTP headers a call-webhook action sends (its headersSecret). Values are never shown.',
    );

  secrets
    .command('set')
    .description('Store (or replace) a secret: a JSON object of HTTP headers.')
    .argument('<name>', 'the secret name (letters, digits, _ . -)')
    .option('--value <json>', 'the headers as JSON, e.g. \'{"Authorization": "Bearer …"}\'')
    .option('--file <file>', 'read the headers from a JSON file (- for standard input)')
    .action(async (name: string, flags: { value?: string; file?: string }) => {
      await setSecret(name, await secretValue(flags));
      process.stdout.write(`Stored secret ${name}.\n`);
    });

  secrets
    .command('list')
    .description('The names of the stored secrets and when each was set.')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const all = await listSecrets();
      if (flags.json) process.stdout.write(jsonText(all));
      else if (all.length === 0)
        process.stdout.write('No secrets. Store one with `flowtrail secrets set NAME --value JSON`.\n');
      else
        process.stdout.write(
          `${table(
            ['name', 'set'],
            all.map((s) => [s.name, formatTime(new Date(s.updatedAt))]),
          ).join('\n')}\n`,
        );
    });

  secrets
    .command('delete')
    .description('Delete a secret (webhooks naming it fail until it is stored again).')
    .argument('<name>', 'the secret name')
    .action(async (name: string) => {
      await deleteSecret(name);
      process.stdout.write(`Deleted secret ${name}.\n`);
    });
}
