/**
 * `flowtrail automations create | list | show | enable | disable | delete | history`: automations
 * through the client API (`client/automations.ts`), so the home's store locally, or the service of
 * `FLOWTRAIL_SERVICE_URL`. Bad input exits 2 with the field named (`ValidationError`).
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import type { AutomationActionInput, AutomationInput } from '../automations/automation-input.ts';
import {
  automationHistory,
  createAutomation,
  deleteAutomation,
  draftAutomationFromEvent,
  getAutomation,
  listAutomations,
  setAutomationEnabled,
} from '../client/automations.ts';
import { UsageError } from '../core/errors.ts';
import type { AutomationQuery, AutomationRecord } from '../store/automation-store.ts';
import {
  actionLines,
  automationRows,
  describeTrigger,
  detailFields,
  historyRows,
} from './automation-text.ts';
import { fields, intOption, jsonText, table } from './format.ts';

type Out = (text: string) => void;
const out: Out = (text) => process.stdout.write(text);

/** A JSON document from a file (`-`: standard input). */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = file === '-' ? fs.readFileSync(0, 'utf8') : await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}.`);
  }
}

interface CreateFlags {
  fromEvent?: string;
  absence?: boolean;
  within?: string;
  name?: string;
  actions?: string;
  json?: boolean;
}

async function createInput(file: string | undefined, flags: CreateFlags): Promise<AutomationInput> {
  if (file !== undefined && flags.fromEvent !== undefined)
    throw new UsageError('Give a FILE or --from-event ID, not both.');
  if (flags.fromEvent === undefined) {
    if (file === undefined)
      throw new UsageError('Give the automation as a JSON FILE (- for standard input), or --from-event ID.');
    for (const [flag, given] of [
      ['--absence', flags.absence],
      ['--within', flags.within],
      ['--name', flags.name],
      ['--actions', flags.actions],
    ] as const)
      if (given !== undefined)
        throw new UsageError(`${flag} goes with --from-event; with a FILE, write it in the file.`);
    // The file is checked field by field by the service (ValidationError naming the field).
    return (await readJsonFile(file)) as AutomationInput;
  }
  if (flags.absence && flags.within === undefined)
    throw new UsageError(
      '--absence needs --within: how long to wait for the event (at least 10s, e.g. --within 10m).',
    );
  const actions = flags.actions === undefined ? undefined : await readJsonFile(flags.actions);
  if (actions !== undefined && !Array.isArray(actions))
    throw new UsageError(
      `--actions ${flags.actions} must hold a JSON list of actions, e.g. [{"type": "do-nothing"}].`,
    );
  const within =
    flags.within === undefined
      ? undefined
      : /^\d+(\.\d+)?$/.test(flags.within)
        ? Number(flags.within)
        : flags.within;
  return draftAutomationFromEvent(flags.fromEvent, {
    posture: flags.absence ? 'proactive' : 'reactive',
    ...(within !== undefined ? { within } : {}),
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(actions !== undefined ? { actions: actions as AutomationActionInput[] } : {}),
  });
}

interface ListFlags {
  owner?: string;
  unowned?: boolean;
  enabled?: boolean;
  disabled?: boolean;
  tag?: string;
  relatedTo?: string;
  json?: boolean;
}

function listQuery(flags: ListFlags): AutomationQuery {
  if (flags.owner !== undefined && flags.unowned)
    throw new UsageError('Give --owner R or --unowned, not both.');
  if (flags.enabled && flags.disabled) throw new UsageError('Give --enabled or --disabled, not both.');
  const query: AutomationQuery = {};
  if (flags.owner !== undefined) query.owner = flags.owner;
  if (flags.unowned) query.owner = null;
  if (flags.enabled) query.enabled = true;
  if (flags.disabled) query.enabled = false;
  if (flags.tag !== undefined) query.tag = flags.tag;
  if (flags.relatedTo !== undefined) query.relatedTo = flags.relatedTo;
  return query;
}

const summary = (a: AutomationRecord) =>
  `automation ${a.id} '${a.name}' (${a.enabled ? 'enabled' : 'disabled'}): ${describeTrigger(a.trigger)}`;

export function registerAutomationCommands(program: Command): void {
  const automations = program
    .command('automations')
    .description(
      'Automations: react to events arriving, or failing to arrive, by running deployments, emitting events, calling webhooks… (docs/automations.md).',
    );

  automations
    .command('create')
    .description(
      "Save an automation from a JSON file, or drafted from an event: a trigger on that event's resource and name that fires on every such event (--absence --within D: when none comes within D).",
    )
    .argument('[file]', 'the automation as JSON (- for standard input)')
    .option('--from-event <id>', 'draft it from this event')
    .option('--absence', 'with --from-event: fire when no such event comes within --within')
    .option('--within <duration>', "with --from-event: the window, e.g. '10m'")
    .option('--name <name>', 'with --from-event: the name (default: "<event> on <resource>")')
    .option('--actions <file>', 'with --from-event: a JSON list of actions (default: do-nothing)')
    .option('--json', 'print the saved automation as JSON')
    .action(async (file: string | undefined, flags: CreateFlags) => {
      const record = await createAutomation(await createInput(file, flags));
      out(flags.json ? jsonText(record) : `Created ${summary(record)}.\n`);
    });

  automations
    .command('list')
    .description('Automations by name, with their trigger and when each last fired.')
    .option('--owner <resource>', 'only those owned by this resource id (e.g. flowtrail.deployment.F)')
    .option('--unowned', 'only those without an owner')
    .option('--enabled', 'only enabled ones')
    .option('--disabled', 'only disabled ones')
    .option('--tag <tag>', 'only those with this tag')
    .option('--related-to <resource>', 'only those owning, acting on or matching this resource id')
    .option('--json', 'print JSON')
    .action(async (flags: ListFlags) => {
      const all = await listAutomations(listQuery(flags));
      if (flags.json) out(jsonText(all));
      else if (all.length === 0)
        out('No automations. Create one with `flowtrail automations create FILE` or `--from-event ID`.\n');
      else
        out(
          `${table(['id', 'name', 'state', 'trigger', 'owner', 'last fired'], automationRows(all)).join('\n')}\n`,
        );
    });

  automations
    .command('show')
    .description('One automation: its trigger, actions, owner and times.')
    .argument('<id>', 'the automation id')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const a = await getAutomation(id);
      if (flags.json) {
        out(jsonText(a));
        return;
      }
      out(
        `${[`Automation '${a.name}'`, ...fields(detailFields(a)), '', ...actionLines(a), '', 'Trigger (JSON):', JSON.stringify(a.trigger, null, 2)].join('\n')}\n`,
      );
    });

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const)
    automations
      .command(name)
      .description(
        enabled
          ? 'Enable an automation (its trigger state starts again).'
          : 'Disable an automation: it stops firing.',
      )
      .argument('<id>', 'the automation id')
      .option('--json', 'print the automation as JSON')
      .action(async (id: string, flags: { json?: boolean }) => {
        const record = await setAutomationEnabled(id, enabled);
        out(flags.json ? jsonText(record) : `${enabled ? 'Enabled' : 'Disabled'} ${summary(record)}.\n`);
      });

  automations
    .command('delete')
    .description('Delete an automation (its past firings go with it).')
    .argument('<id>', 'the automation id')
    .action(async (id: string) => {
      await deleteAutomation(id);
      out(`Deleted automation ${id}.\n`);
    });

  automations
    .command('history')
    .description('Firings of an automation, newest first, with what each action did.')
    .argument('<id>', 'the automation id')
    .option('--limit <n>', 'at most this many firings (default 20)')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { limit?: string; json?: boolean }) => {
      const entries = await automationHistory(id, { limit: intOption('limit', flags.limit, 1) ?? 20 });
      if (flags.json) out(jsonText(entries));
      else if (entries.length === 0) out(`Automation ${id} has not fired yet.\n`);
      else
        out(
          `${table(['triggered', 'trigger', 'labels', 'events', 'actions'], historyRows(entries)).join('\n')}\n`,
        );
    });
}
