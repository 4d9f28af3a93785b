/**
 * What started a run, as the client sees it: `run.trigger` (backwards: the events and upstream
 * runs that started it) and `run.triggered()` / `runsTriggeredBy()` (forwards: the runs an event
 * or a run started). Chains walk with one `await`:
 * `await Flow.get('PredictionFlow').latestRun.trigger.run.trigger.run`.
 */
import { NotFoundError } from '../core/errors.ts';
import type { TriggerCause } from '../store/metadata-store.ts';
import { type Deferred, type DeferredOrNull, deferred } from './deferred.ts';
import { type FlowType, fetchRunAt, Run, runDeferred } from './objects.ts';
import { type ClientStores, clientStores, getNamespace } from './provider.ts';
import type { TaskData } from './task-data.ts';

/** One event that started a run (Metaflow's `MetaflowEvent`). */
export class TriggerEvent {
  /** `event` for an event the flow waited for; `run` for an upstream run that finished. */
  readonly type: 'event' | 'run';
  /** The event name, or for a run the upstream flow's name. */
  readonly name: string;
  /** The event id (for a run: of its `flowtrail.run.completed` event). */
  readonly id: string;
  /** When the event occurred. */
  readonly timestamp: Date;
  /** For a run: its pathspec (`ETLFlow/3`); null for an event. */
  readonly pathspec: string | null;

  /** @internal */
  constructor(
    private readonly stores: ClientStores,
    cause: TriggerCause,
  ) {
    this.type = cause.type;
    this.name = cause.name;
    this.id = cause.id;
    this.timestamp = new Date(cause.timestamp);
    this.pathspec = cause.pathspec;
  }

  /** The event's payload, read from the event feed ({} when retention removed the event). */
  get payload(): Promise<Record<string, unknown>> {
    return (async () => {
      const page = await this.stores.events.query({ id: [this.id] }, { limit: 1 });
      return page.events[0]?.payload ?? {};
    })();
  }

  /** For a run cause: the upstream run (checked against the current namespace). */
  get run(): Deferred<Run> {
    return runDeferred(() => this.loadRun());
  }

  /** For a run cause: the upstream run's data, `await trigger.get('FirstFlow').data.model`. */
  get data(): TaskData<Record<string, unknown>> {
    return runDeferred(() => this.loadRun()).data;
  }

  /** @internal */
  async loadRun(): Promise<Run> {
    if (this.type !== 'run' || this.pathspec === null)
      throw new NotFoundError(
        'run',
        `Trigger '${this.name}' is an event, not a run; read its name, id, timestamp or payload.`,
      );
    const [flow, number] = this.pathspec.split('/') as [string, string];
    return new Run(this.stores, await fetchRunAt(this.stores, flow, Number(number)));
  }

  toJSON(): { type: string; name: string; id: string; timestamp: string; pathspec: string | null } {
    return {
      type: this.type,
      name: this.name,
      id: this.id,
      timestamp: this.timestamp.toISOString(),
      pathspec: this.pathspec,
    };
  }
}

/** Everything that started one run (Metaflow's `MetaflowTrigger`). */
export class Trigger {
  /** Every cause, in the order the trigger engine recorded them. */
  readonly events: readonly TriggerEvent[];

  /** @internal */
  constructor(
    stores: ClientStores,
    /** The triggered run's pathspec, for messages. */
    readonly of: string,
    causes: readonly TriggerCause[],
  ) {
    this.events = causes.map((c) => new TriggerEvent(stores, c));
  }

  /** The (first) event that started the run. */
  get event(): TriggerEvent {
    return this.events[0]!;
  }

  /** The (first) upstream run that started this one (`@triggerOnFinish`). */
  get run(): Deferred<Run> {
    return runDeferred(() => this.loadRun());
  }

  /** Every upstream run that started this one. */
  get runs(): Promise<Run[]> {
    return Promise.all(this.events.filter((e) => e.type === 'run').map((e) => e.loadRun()));
  }

  /**
   * The cause with this event name or upstream flow name:
   * `trigger.get('data_updated').id`, `await run.trigger.get('FirstFlow').data.model`.
   *
   * Rejects with a NotFoundError naming the causes there are.
   */
  get(name: string): Deferred<TriggerEvent> {
    return triggerEventDeferred(async () => this.find(name));
  }

  /** @internal */
  find(name: string): TriggerEvent {
    const found = this.events.find((e) => e.name === name);
    if (!found)
      throw new NotFoundError(
        'trigger',
        `Run ${this.of} was not triggered by '${name}'; it was triggered by: ${this.events.map((e) => `'${e.name}'`).join(', ')}.`,
      );
    return found;
  }

  /** @internal */
  async loadRun(): Promise<Run> {
    const first = this.events.find((e) => e.type === 'run');
    if (!first)
      throw new NotFoundError(
        'run',
        `Run ${this.of} was triggered by events (${this.events.map((e) => `'${e.name}'`).join(', ')}), not by a run.`,
      );
    return first.loadRun();
  }

  toJSON() {
    return this.events.map((e) => e.toJSON());
  }
}

const triggerEventShape = {
  relations: {
    run: (load: () => Promise<TriggerEvent>) => runDeferred(async () => (await load()).loadRun()),
    data: (load: () => Promise<TriggerEvent>) => runDeferred(async () => (await load()).loadRun()).data,
  },
};

function triggerEventDeferred(load: () => Promise<TriggerEvent>): Deferred<TriggerEvent> {
  return deferred(load, triggerEventShape as never);
}

const notTriggered = () =>
  new NotFoundError('trigger', 'The run was not triggered (it was started by hand).');

const triggerShape = {
  absent: notTriggered,
  relations: {
    run: (load: () => Promise<Trigger | null>) => runDeferred(async () => (await present(load)).loadRun()),
    event: (load: () => Promise<Trigger | null>) =>
      triggerEventDeferred(async () => (await present(load)).event),
    get: (load: () => Promise<Trigger | null>) => (name: string) =>
      triggerEventDeferred(async () => (await present(load)).find(name)),
  },
};

/** The loaded trigger, or a NotFoundError for a run started by hand. */
async function present(load: () => Promise<Trigger | null>): Promise<Trigger> {
  const trigger = await load();
  if (!trigger) throw notTriggered();
  return trigger;
}

/** @internal The deferred `run.trigger`. */
export function triggerDeferred(run: () => Promise<Run>): DeferredOrNull<Trigger> {
  const load = async (): Promise<Trigger | null> => {
    const r = await run();
    if (r.record.trigger.length === 0) return null;
    return new Trigger(await clientStores(), r.pathspec, r.record.trigger);
  };
  return deferred(
    load as () => Promise<Trigger>,
    triggerShape as never,
  ) as unknown as DeferredOrNull<Trigger>;
}

/**
 * Runs started by an event (its id) or by a run (its pathspec), oldest first, in the current
 * namespace. The forward walk of a chain.
 *
 * @example
 * namespace(null);
 * for (const run of await runsTriggeredBy('ETLFlow/12')) console.log(run.pathspec); // TrainingFlow/7
 */
export async function runsTriggeredBy<F extends FlowType = Record<string, unknown>>(
  eventIdOrPathspec: string,
): Promise<Run<F>[]> {
  const stores = await clientStores();
  const ns = getNamespace();
  const records = await stores.metadata.listRunsTriggeredBy(eventIdOrPathspec);
  return records
    .filter((r) => ns === null || r.tags.includes(ns) || r.systemTags.includes(ns))
    .map((r) => new Run<F>(stores, r));
}
