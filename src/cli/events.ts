/**
 * `flowtrail events emit | list | tail | count`: the event feed from the shell, through the client
 * API (`emitEvent`, `listEvents`, `streamEvents`, `countEvents`) — never the store
 * directly. Filter flags are shared by list, tail and count (`event-flags.ts`); emit is in
 * `event-emit.ts`, the one-line form of an event in `event-line.ts`.
 */
import type { Command } from 'commander';
import { countEvents, listEvents, pruneEvents, streamEvents } from '../client/events.ts';
import { UsageError } from '../core/errors.ts';
import type { FlowtrailEvent } from '../events/model.ts';
import { RESOURCE_ID } from '../events/model.ts';
import type { CountBy, EventCount, TimeUnit } from '../store/event-store.ts';
import { type EmitFlags, emitCommand } from './event-emit.ts';
import {
  type EventFilterFlags,
  eventFilterFromFlags,
  parseKeyValue,
  parseSpan,
  withEventFilterOptions,
} from './event-flags.ts';
import { eventLine } from './event-line.ts';
import { intOption, jsonText, table } from './format.ts';

type Out = (text: string) => void;

// ---- list

export interface ListFlags extends EventFilterFlags {
  limit?: string;
  cursor?: string;
  all?: boolean;
  json?: boolean;
}

/** The most a page may hold (the event store's cap). */
const MAX_PAGE = 500;

async function listCommand(flags: ListFlags, out: Out): Promise<void> {
  const filter = eventFilterFromFlags(flags);
  const limit = intOption('limit', flags.limit, 1);
  if (flags.all && flags.cursor !== undefined)
    throw new UsageError('--all reads every page from the first; give it without --cursor.');
  // One page holds at most MAX_PAGE events; with --all, --limit caps the total instead.
  if (!flags.all && limit !== undefined && limit > MAX_PAGE)
    throw new UsageError(
      `--limit must be at most ${MAX_PAGE}, got ${limit}; add --all to read more, page by page.`,
    );

  // JSON: { "events": [ one event per line ], "nextCursor": … } — written as it goes with --all.
  let shown = 0;
  const write = (e: FlowtrailEvent) => {
    if (flags.json) out(`${shown === 0 ? '\n' : ',\n'}    ${JSON.stringify(e)}`);
    else out(`${eventLine(e)}\n`);
    shown++;
  };
  if (flags.json) out('{\n  "events": [');
  let cursor = flags.cursor;
  let nextCursor: string | null;
  do {
    const left = limit === undefined ? undefined : limit - shown;
    const pageLimit = flags.all ? Math.min(MAX_PAGE, left ?? MAX_PAGE) : left;
    const page = await listEvents(filter, {
      ...(pageLimit !== undefined ? { limit: pageLimit } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    });
    for (const e of page.events) write(e);
    nextCursor = page.nextCursor;
    cursor = nextCursor ?? undefined;
  } while (flags.all && nextCursor !== null && (limit === undefined || shown < limit));
  if (flags.json) {
    out(`${shown === 0 ? '' : '\n  '}],\n  "nextCursor": ${JSON.stringify(nextCursor)}\n}\n`);
    return;
  }
  if (shown === 0 && !nextCursor) out('(no matching events)\n');
  if (nextCursor)
    out(`-- more events: add --cursor ${nextCursor} (same filters) for the next page, or --all\n`);
}

// ---- tail

export interface TailFlags extends EventFilterFlags {
  backfill?: boolean;
  count?: string;
  json?: boolean;
}

/**
 * Prints matching stored events (unless `--no-backfill`), then new ones as they arrive, until
 * `--count` events were printed or SIGINT/SIGTERM (or a closed stdout) stops it.
 */
async function tailCommand(flags: TailFlags, out: Out): Promise<void> {
  const filter = eventFilterFromFlags(flags);
  const count = intOption('count', flags.count, 1);
  const ac = new AbortController();
  const stop = () => ac.abort();
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.on('error', onStdoutError);
  let printed = 0;
  try {
    const stream = streamEvents(filter, { backfill: flags.backfill ?? true, signal: ac.signal });
    for await (const e of stream) {
      out(flags.json ? `${JSON.stringify(e)}\n` : `${eventLine(e)}\n`);
      printed++;
      if (count !== undefined && printed >= count) break;
      if (ac.signal.aborted) break;
    }
  } finally {
    ac.abort();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.stdout.off('error', onStdoutError);
  }
}

// ---- count

const COUNT_BY: readonly CountBy[] = ['event', 'resource', 'time'];
const TIME_UNITS: readonly TimeUnit[] = ['second', 'minute', 'hour', 'day', 'week'];

export interface CountFlags extends EventFilterFlags {
  by: string;
  unit?: string;
  interval?: string;
  json?: boolean;
}

async function countCommand(flags: CountFlags, out: Out): Promise<void> {
  const by = flags.by as CountBy;
  if (!COUNT_BY.includes(by))
    throw new UsageError(`--by must be one of ${COUNT_BY.join(', ')}; got '${flags.by}'.`);
  if (by !== 'time' && (flags.unit !== undefined || flags.interval !== undefined))
    throw new UsageError('--unit and --interval apply to --by time only.');
  const options: { timeUnit?: TimeUnit; timeInterval?: number } = {};
  if (flags.unit !== undefined) {
    if (!TIME_UNITS.includes(flags.unit as TimeUnit))
      throw new UsageError(`--unit must be one of ${TIME_UNITS.join(', ')}; got '${flags.unit}'.`);
    options.timeUnit = flags.unit as TimeUnit;
  }
  if (flags.interval !== undefined) {
    const n = Number(flags.interval);
    if (flags.interval.trim() === '' || !Number.isFinite(n) || n <= 0)
      throw new UsageError(`--interval must be a positive number, got '${flags.interval}'.`);
    options.timeInterval = n;
  }
  const counts = await countEvents(eventFilterFromFlags(flags), by, options);
  if (flags.json) {
    out(jsonText(counts));
    return;
  }
  out(countTable(by, counts));
}

/** `EVENT COUNT`, `RESOURCE NAME COUNT`, or `START COUNT` (one row per time bucket). */
function countTable(by: CountBy, counts: readonly EventCount[]): string {
  if (counts.length === 0) return '(no matching events)\n';
  const lines =
    by === 'time'
      ? table(
          ['START', 'COUNT'],
          counts.map((c) => [new Date(c.startTime).toISOString(), String(c.count)]),
          '',
        )
      : by === 'event'
        ? table(
            ['EVENT', 'COUNT'],
            counts.map((c) => [c.value, String(c.count)]),
            '',
          )
        : table(
            ['RESOURCE', 'NAME', 'COUNT'],
            counts.map((c) => [c.value, c.label, String(c.count)]),
            '',
          );
  return `${lines.join('\n')}\n`;
}

// ---- the command group

/** Adds `flowtrail events …` to the program. */
export function registerEventCommands(program: Command): void {
  const out: Out = (text) => process.stdout.write(text);
  const events = program
    .command('events')
    .description('Emit events, and list, follow (tail) or count the event feed.')
    .addHelpText(
      'after',
      `
Filters (list, tail, count; all ANDed): --since/--until (ISO or a span ago: 15m, 2h, 7d),
--event, --prefix, --exclude, --exclude-prefix, --resource-id, --resource-prefix,
--resource-label k=glob, --related role:id, --related-role, --any-resource, --id, --text.

Examples:
  flowtrail events emit dataset.refreshed --resource-id dataset.sales --related owner:team.forecasting --payload '{"rows":120000}'
  flowtrail events list --prefix flowtrail.run. --since 1d
  flowtrail events list --related run:flowtrail.run.HelloFlow/2 --json
  flowtrail events tail --related-role tag --no-backfill
  flowtrail events count --by time --unit hour --since 1d`,
    );

  events
    .command('emit')
    .description('Emit one event and print its id once it is stored.')
    .argument('<name>', 'the event name: resource kind + action, e.g. dataset.refreshed')
    .option(
      '--resource <key=value...>',
      `labels of the primary resource (${RESOURCE_ID} is required; or use --resource-id)`,
    )
    .option('--resource-id <id>', `shorthand for --resource ${RESOURCE_ID}=ID`)
    .option('--related <role:id...>', 'related resources, e.g. owner:team.forecasting')
    .option(
      '--related-label <role:id:key=value...>',
      'a label on a related resource (added to the role:id given by --related, or a new one)',
    )
    .option('--payload <json>', 'the payload: a JSON object')
    .option('--occurred <time>', 'when it happened: ISO time or a span ago such as 5m (default: now)')
    .option('--id <uuid>', 'the event id, the dedupe key (default: a new UUIDv7)')
    .option('--follows <id>', 'the id of an event known to have happened before this one')
    .option('--json', 'print the stored event as JSON')
    .addHelpText(
      'after',
      `
Examples:
  flowtrail events emit dataset.refreshed --resource-id dataset.sales --resource flowtrail.resource.name=sales
  flowtrail events emit model.promoted --resource-id model.churn --related owner:team.ml run:flowtrail.run.TrainFlow/7 \\
      --related-label owner:team.ml:slack=#ml --payload '{"auc":0.91}' --json`,
    )
    .action((name: string, flags: EmitFlags) => emitCommand(name, flags, out));

  withEventFilterOptions(
    events
      .command('list')
      .description('List matching events, newest first: one page (--limit, --cursor) or --all.'),
    { order: true },
  )
    .option('--limit <n>', `events per page (default 50, at most ${MAX_PAGE}); with --all, the most in total`)
    .option('--cursor <cursor>', 'continue after a previous page (the cursor it printed)')
    .option('--all', 'every matching event (up to --limit), page by page')
    .option('--json', 'print { events: [...], nextCursor }')
    .addHelpText(
      'after',
      `
Each line: occurred time, event name, resource id, related resources (role:id), payload.

Examples:
  flowtrail events list --prefix flowtrail.task. --exclude flowtrail.task.started --since 2h
  flowtrail events list --resource-label flowtrail.resource.name='sales*' --text '+refreshed -test'
  flowtrail events list --related flow:flowtrail.flow.ForeachFlow tag:flowtrail.tag.nightly --all`,
    )
    .action((flags: ListFlags) => listCommand(flags, out));

  withEventFilterOptions(
    events
      .command('tail')
      .description('Print matching stored events (oldest first), then new ones as they arrive.'),
  )
    .option('--no-backfill', 'only events that arrive from now on')
    .option('--count <n>', 'stop after this many events')
    .option('--json', 'print one JSON event per line')
    .addHelpText(
      'after',
      `
Stops after --count events, or on Ctrl-C (exit 0). Every filter applies to live events too.

Examples:
  flowtrail events tail --since 10m
  flowtrail events tail --related run:flowtrail.run.ForeachFlow/3 --no-backfill --json`,
    )
    .action((flags: TailFlags) => tailCommand(flags, out));

  withEventFilterOptions(
    events
      .command('count')
      .description('Count matching events by event name, by resource, or by time bucket (zero-filled).'),
  )
    .requiredOption('--by <what>', 'event, resource or time')
    .option('--unit <unit>', 'time bucket unit: second, minute, hour, day (default) or week')
    .option('--interval <n>', 'units per time bucket (default 1)')
    .option('--json', 'print [{ value, label, count, startTime, endTime }]')
    .addHelpText(
      'after',
      `
Examples:
  flowtrail events count --by event --prefix flowtrail.
  flowtrail events count --by resource --event flowtrail.run.failed --since 7d
  flowtrail events count --by time --unit hour --interval 6 --since 2d`,
    )
    .action((flags: CountFlags) => countCommand(flags, out));

  events
    .command('prune')
    .description(
      'Apply retention: remove events older than a period (per-event-name overrides), with their resource rows.',
    )
    .requiredOption('--older-than <span>', 'retention period, e.g. 7d, 12h')
    .option(
      '--override <name=span...>',
      'a different period for one event name, e.g. flowtrail.task.started=1d',
    )
    .option('--json', 'print { deleted }')
    .action(async (flags: { olderThan: string; override?: string[]; json?: boolean }) => {
      const overrides: Record<string, number> = {};
      for (const word of flags.override ?? []) {
        const [name, span] = parseKeyValue('override', word);
        overrides[name] = parseSpan('override', span);
      }
      const result = await pruneEvents({ retentionMs: parseSpan('older-than', flags.olderThan), overrides });
      out(flags.json ? `${JSON.stringify(result)}\n` : `deleted ${result.deleted} event(s)\n`);
    });
}
