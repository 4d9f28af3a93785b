/**
 * `flowtrail deploy FILE…` and `flowtrail deployments list|show|pause|resume|delete`: deployments
 * in the database a `flowtrail server` (its trigger engine) reads — the embedded store here by
 * default, or `--database`.
 */
import type { Command } from 'commander';
import { resolveHome } from '../core/config.ts';
import { formatDuration } from '../core/duration.ts';
import { UsageError } from '../core/errors.ts';
import { deployFlow } from '../runtime/deploy.ts';
import type { ArtifactStore } from '../store/artifact-store.ts';
import { setDeploymentStatus } from '../store/deployment-status.ts';
import type { DeploymentRecord, DeploymentRegistry } from '../store/deployment-store.ts';
import type { EventStore } from '../store/event-store.ts';
import {
  defaultArtifactRoot,
  openArtifactStore,
  openDatabaseStores,
  parseDatabaseSpec,
  serviceFromEnv,
} from '../store/open.ts';
import { fields, jsonText, table } from './format.ts';
import { parseParamWords } from './params.ts';

const DATABASE_HELP =
  'a SQLite file or Flowtrail home, or a postgres:// URL (default: the service of FLOWTRAIL_SERVICE_URL, else the embedded store here)';

interface RegistryStores {
  deployments: DeploymentRegistry;
  /** The event store of a local database; null for a service (its server emits the events). */
  events: EventStore | null;
  artifacts: ArtifactStore;
  location: string;
}

/**
 * Where deployments go: `--database` if given; else the service of `FLOWTRAIL_SERVICE_URL` (its
 * server keeps the blobs); else the embedded store here.
 */
async function withRegistry<T>(
  flags: { database?: string | undefined; artifacts?: string | undefined },
  fn: (stores: RegistryStores) => Promise<T>,
): Promise<T> {
  const service = flags.database === undefined ? serviceFromEnv() : undefined;
  if (service) {
    const { openServiceStores } = await import('../store/http/index.ts');
    const remote = openServiceStores(service);
    try {
      return await fn({
        deployments: remote.deployments,
        events: null,
        artifacts: remote.artifacts,
        location: remote.deployments.location,
      });
    } finally {
      await remote.close();
    }
  }
  const spec = parseDatabaseSpec(flags.database);
  const stores = await openDatabaseStores(spec);
  try {
    return await fn({
      deployments: stores.deployments,
      events: stores.events,
      artifacts: openArtifactStore(flags.artifacts ?? defaultArtifactRoot(spec)),
      location: stores.location,
    });
  } finally {
    await stores.close();
  }
}

/** What starts a deployment, in one line. */
function describeTriggers(d: DeploymentRecord): string {
  const parts = [
    ...d.triggers.events.map((e) => `event ${e.name}`),
    ...d.triggers.flows.map((f) => `${f} finishing`),
  ];
  const all =
    parts.length > 1
      ? `${parts.join(' AND ')} (within ${formatDuration(d.triggers.resetWindowMs)})`
      : parts.join('');
  const schedule = d.triggers.schedule
    ? `cron '${d.triggers.schedule.cron}' ${d.triggers.schedule.timezone}`
    : '';
  return [all, schedule].filter(Boolean).join('; ') || 'nothing (no triggers or schedule)';
}

export function registerDeploymentCommands(program: Command): void {
  program
    .command('deploy')
    .description(
      'Deploy flows: their compiled code, parameter values, triggers and schedule are registered for the trigger engine of `flowtrail server`; deployed runs run in the production:<token> namespace. Re-deploying replaces the triggers.',
    )
    .argument('<files...>', 'flow files')
    .option('--flow <name>', 'the flow class, when a file exports several')
    .option('--database <db>', DATABASE_HELP)
    .option(
      '--artifacts <dir|s3-url>',
      'artifact store the server reads: a directory or s3://bucket/prefix (default: FLOWTRAIL_ARTIFACTS, else next to a SQLite database)',
    )
    .option('--json', 'print JSON')
    .allowUnknownOption()
    .action(
      async (
        files: string[],
        flags: { flow?: string; database?: string; artifacts?: string; json?: boolean },
      ) => {
        // Words after the files that start with -- are parameter values (one file only).
        const firstParam = files.findIndex((f) => f.startsWith('--'));
        const paths = firstParam < 0 ? files : files.slice(0, firstParam);
        const params = firstParam < 0 ? {} : parseParamWords(files.slice(firstParam));
        if (paths.length > 1 && Object.keys(params).length > 0)
          throw new UsageError('Parameter values apply to one flow: deploy that file on its own.');
        await withRegistry(flags, async (stores) => {
          const out: DeploymentRecord[] = [];
          for (const file of paths) {
            const { deployment, replaced } = await deployFlow({
              file,
              ...(flags.flow ? { flowName: flags.flow } : {}),
              params,
              paramsFromText: true,
              home: resolveHome(),
              deployments: stores.deployments,
              artifacts: stores.artifacts,
            });
            out.push(deployment);
            if (!flags.json)
              process.stdout.write(
                `${replaced ? 'Re-deployed' : 'Deployed'} ${deployment.flow} (namespace production:${deployment.productionToken}): starts on ${describeTriggers(deployment)}.\n`,
              );
          }
          if (flags.json) process.stdout.write(jsonText(out));
          else
            process.stdout.write(
              `The trigger engine of \`flowtrail server\` on ${stores.location} starts the runs.\n`,
            );
        });
      },
    );

  const deployments = program
    .command('deployments')
    .description('List, inspect, pause, resume or delete deployments.');
  const databaseOf = (cmd: Command) => (cmd.optsWithGlobals() as { database?: string }).database;
  deployments.option('--database <db>', DATABASE_HELP);

  deployments
    .command('list')
    .description('Every deployment, with what starts it.')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }, cmd: Command) =>
      withRegistry({ database: databaseOf(cmd) }, async (stores) => {
        const all = await stores.deployments.list();
        if (flags.json) process.stdout.write(jsonText(all));
        else if (all.length === 0)
          process.stdout.write('No deployments. Deploy one with `flowtrail deploy FILE`.\n');
        else
          process.stdout.write(
            `${table(
              ['flow', 'status', 'starts on', 'deployed'],
              all.map((d) => [d.flow, d.status, describeTriggers(d), new Date(d.updatedAt).toISOString()]),
            ).join('\n')}\n`,
          );
      }),
    );

  deployments
    .command('show')
    .description('One deployment: triggers, what has arrived, recent firings and the last problem.')
    .argument('<flow>', 'the flow name')
    .option('--json', 'print JSON')
    .action((flow: string, flags: { json?: boolean }, cmd: Command) =>
      withRegistry({ database: databaseOf(cmd) }, async (stores) => {
        const d = await stores.deployments.get(flow);
        if (!d)
          throw new UsageError(
            `There is no deployment of '${flow}' in ${stores.location}; see \`flowtrail deployments list\`.`,
          );
        const arrivals = await stores.deployments.arrivals(flow);
        const firings = await stores.deployments.firings(flow, 10);
        if (flags.json) {
          process.stdout.write(jsonText({ ...d, arrivals, firings }));
          return;
        }
        const lines = [
          `Deployment ${d.flow} [${d.status}]`,
          ...fields([
            ['file', d.file],
            ['namespace', `production:${d.productionToken}`],
            ['starts on', describeTriggers(d)],
            ...d.triggers.events
              .filter((e) => Object.keys(e.parameters).length > 0)
              .map(
                (e) =>
                  [
                    `  ${e.name} maps`,
                    Object.entries(e.parameters)
                      .map(([p, f]) => `${p} ← payload.${f}`)
                      .join(', '),
                  ] as const,
              ),
            ['parameters', Object.keys(d.params).length > 0 ? JSON.stringify(d.params) : '(flow defaults)'],
            ['next scheduled', d.nextScheduledAt === null ? '-' : new Date(d.nextScheduledAt).toISOString()],
            ['deployed', new Date(d.updatedAt).toISOString()],
          ]),
        ];
        if (d.lastProblem)
          lines.push(
            '',
            `Last problem (${new Date(d.lastProblem.at).toISOString()}): ${d.lastProblem.message}`,
          );
        lines.push('', 'Waiting for:');
        const arrived = new Map(arrivals.map((a) => [a.dependency, a]));
        for (const k of [
          ...d.triggers.events.map((e) => `event:${e.name}`),
          ...d.triggers.flows.map((f) => `run:${f}`),
        ]) {
          const a = arrived.get(k);
          lines.push(
            `  ${k.padEnd(30)} ${a ? `arrived ${new Date(a.occurred).toISOString()} (${a.eventId})` : 'not yet'}`,
          );
        }
        lines.push('', 'Recent firings:');
        if (firings.length === 0) lines.push('  none');
        for (const f of firings)
          lines.push(
            `  ${new Date(f.createdAt).toISOString()} ${f.status.padEnd(8)} ${f.runId !== null ? `run #${f.runId}` : ''} ${f.causes.map((c) => c.pathspec ?? c.name).join(' + ')}${f.message ? ` — ${f.message}` : ''}`,
          );
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );

  for (const [name, status, verb] of [
    ['pause', 'paused', 'Paused'],
    ['resume', 'active', 'Resumed'],
  ] as const)
    deployments
      .command(name)
      .description(
        name === 'pause'
          ? 'Stop starting runs (arriving events are ignored while paused).'
          : 'Start runs again.',
      )
      .argument('<flow>', 'the flow name')
      .action((flow: string, _flags: unknown, cmd: Command) =>
        withRegistry({ database: databaseOf(cmd) }, async (stores) => {
          if (!(await setDeploymentStatus(stores.deployments, stores.events, flow, status, Date.now())))
            throw new UsageError(`There is no deployment of '${flow}' in ${stores.location}.`);
          process.stdout.write(`${verb} ${flow}.\n`);
        }),
      );

  deployments
    .command('delete')
    .description('Remove a deployment (its past runs stay).')
    .argument('<flow>', 'the flow name')
    .action((flow: string, _flags: unknown, cmd: Command) =>
      withRegistry({ database: databaseOf(cmd) }, async (stores) => {
        if (!(await stores.deployments.delete(flow)))
          throw new UsageError(`There is no deployment of '${flow}' in ${stores.location}.`);
        process.stdout.write(`Deleted the deployment of ${flow}.\n`);
      }),
    );
}
