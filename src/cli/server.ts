/**
 * `flowtrail server` (serve the HTTP API) and `flowtrail server keys create|list|revoke` (API keys,
 * written straight to the database the server uses).
 */
import type { Command } from 'commander';
import { DAY_MS } from '../core/duration.ts';
import { UsageError } from '../core/errors.ts';
import { newApiKey, parseScope } from '../server/auth.ts';
import { openDatabaseStores, parseDatabaseSpec } from '../store/open.ts';
import { intOption, jsonText, table } from './format.ts';
import { executorSpecOf } from './queue-flags.ts';

interface ServeFlags {
  host?: string;
  port?: string;
  database?: string;
  artifacts?: string;
  auth?: string;
  maxBody?: string;
  eventRetentionDays?: string;
  triggers?: boolean;
  allowPrivateWebhooks?: boolean;
  queue?: string;
  quiet?: boolean;
}

const DATABASE_HELP =
  'a SQLite file or Flowtrail home, or a postgres:// URL (default: the embedded store here)';

async function serve(flags: ServeFlags): Promise<void> {
  const auth = flags.auth ?? 'auto';
  if (auth !== 'auto' && auth !== 'required' && auth !== 'off')
    throw new UsageError(`--auth takes auto, required or off, not '${auth}'.`);
  const retentionDays = flags.eventRetentionDays === undefined ? undefined : Number(flags.eventRetentionDays);
  if (retentionDays !== undefined && !(retentionDays > 0))
    throw new UsageError(
      `--event-retention-days takes a positive number of days, not '${flags.eventRetentionDays}'.`,
    );
  const port = intOption('--port', flags.port, 0);
  const maxBody = intOption('--max-body', flags.maxBody, 1);
  // Loaded only here: the other commands need not load the HTTP stack.
  const { startServer } = await import('../server/server.ts');
  const server = await startServer({
    ...(flags.host !== undefined ? { host: flags.host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(flags.database !== undefined ? { database: flags.database } : {}),
    ...(flags.artifacts !== undefined ? { artifacts: flags.artifacts } : {}),
    ...(maxBody !== undefined ? { maxBodyBytes: maxBody } : {}),
    ...(retentionDays !== undefined ? { eventRetentionMs: retentionDays * DAY_MS } : {}),
    auth,
    triggers: flags.triggers !== false,
    allowPrivateWebhooks: flags.allowPrivateWebhooks === true,
    ...(flags.queue !== undefined ? { executor: executorSpecOf('queue', flags.queue) } : {}),
    log: flags.quiet ? () => {} : (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  process.stdout.write(
    `Flowtrail server listening on ${server.url} (store: ${server.stores.location}; authentication ${server.authRequired ? 'required' : 'off'})\n` +
      `Web UI: ${server.url}/\n`,
  );
  if (server.authRequired && (await server.stores.apiKeys.list()).every((k) => k.revokedAt !== null))
    process.stdout.write(
      'No API key exists yet: create one with `flowtrail server keys create --scope write` (same --database).\n',
    );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function withDatabase<T>(
  database: string | undefined,
  fn: (stores: Awaited<ReturnType<typeof openDatabaseStores>>) => Promise<T>,
): Promise<T> {
  const stores = await openDatabaseStores(parseDatabaseSpec(database));
  try {
    return await fn(stores);
  } finally {
    await stores.close();
  }
}

/**
 * `--database` is an option of `server` too; commander hands it to whichever of the two it meets
 * first, so read it from both.
 */
const databaseOf = (cmd: Command): string | undefined =>
  (cmd.optsWithGlobals() as { database?: string }).database;

export function registerServerCommands(program: Command): void {
  const server = program
    .command('server')
    .description(
      'Serve the HTTP API (metadata, artifacts, events) for remote clients and runs. By default: the embedded store of this directory, on 127.0.0.1:8787, without authentication (loopback only).',
    )
    .option(
      '--host <host>',
      'interface to bind (a non-loopback address requires authentication)',
      '127.0.0.1',
    )
    .option('--port <port>', 'port (0 picks a free one)', '8787')
    .option('--database <db>', DATABASE_HELP)
    .option(
      '--artifacts <dir|s3-url>',
      'artifact store: a directory or s3://bucket/prefix (default: FLOWTRAIL_ARTIFACTS, else next to a SQLite database, else ./.flowtrail/artifacts)',
    )
    .option('--auth <mode>', 'auto (off on loopback with the embedded store), required or off', 'auto')
    .option('--max-body <bytes>', 'largest request body accepted (default 33554432)')
    .option(
      '--event-retention-days <days>',
      'delete events older than this, checked hourly (default: keep all)',
    )
    .option('--no-triggers', 'do not run the trigger engine here (another server on the database does)')
    .option(
      '--allow-private-webhooks',
      "let automations' webhooks call loopback and private-range addresses (refused by default)",
    )
    .option(
      '--queue <url>',
      "run deployments' and automations' runs on the queue at this Redis (redis://host:port), taken by `flowtrail worker`s",
    )
    .option('--quiet', 'do not log requests')
    .action((flags: ServeFlags) => serve(flags));

  const keys = server.command('keys').description('Manage API keys (stored hashed in the database).');
  keys
    .command('create')
    .description('Create an API key and print it once.')
    .requiredOption('--scope <scope>', 'read, write (read + write) or admin (everything)')
    .option('--name <name>', 'what the key is for', 'default')
    .option('--database <db>', DATABASE_HELP)
    .option('--json', 'print JSON')
    .action((flags: { scope: string; name: string; json?: boolean }, cmd: Command) =>
      withDatabase(databaseOf(cmd), async (stores) => {
        const { key, record } = newApiKey(flags.name, parseScope(flags.scope));
        await stores.apiKeys.create(record);
        if (flags.json)
          process.stdout.write(jsonText({ id: record.id, name: record.name, scope: record.scope, key }));
        else
          process.stdout.write(
            `${key}\n\nKey ${record.id} ('${record.name}', scope ${record.scope}) created in ${stores.location}.\nIt is shown only now: give it to clients as FLOWTRAIL_API_KEY.\n`,
          );
      }),
    );
  keys
    .command('list')
    .description('List API keys (ids and scopes; secrets are never shown).')
    .option('--database <db>', DATABASE_HELP)
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }, cmd: Command) =>
      withDatabase(databaseOf(cmd), async (stores) => {
        const all = (await stores.apiKeys.list()).map(({ secretHash: _hidden, ...k }) => k);
        if (flags.json) process.stdout.write(jsonText(all));
        else
          process.stdout.write(
            `${table(
              ['id', 'name', 'scope', 'created', 'revoked'],
              all.map((k) => [
                k.id,
                k.name,
                k.scope,
                new Date(k.createdAt).toISOString(),
                k.revokedAt === null ? '' : new Date(k.revokedAt).toISOString(),
              ]),
            ).join('\n')}\n`,
          );
      }),
    );
  keys
    .command('revoke')
    .description('Revoke an API key (servers stop accepting it within 2 s).')
    .argument('<id>', 'the key id (the part after ftk_, before the second _)')
    .option('--database <db>', DATABASE_HELP)
    .action((id: string, _flags: unknown, cmd: Command) =>
      withDatabase(databaseOf(cmd), async (stores) => {
        if (!(await stores.apiKeys.revoke(id, Date.now())))
          throw new UsageError(
            `There is no active API key '${id}' in ${stores.location}; see \`flowtrail server keys list\`.`,
          );
        process.stdout.write(`Key ${id} revoked.\n`);
      }),
    );
}
