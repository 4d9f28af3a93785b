/**
 * What started a run, as the client sees it: `run.trigger` (backwards: the events and upstream
 * runs that started it) and `run.triggered()` / `runsTriggeredBy()` (forwards: the runs an event
 * or a run started). Chains walk with one `await`:
 * `await Flow.get('PredictionFlow').latestRun.trigger.run.trigger.run`.
 *
 * `Run` lives in `objects.ts`, which builds these objects; this file imports its type only and
 * reaches runs through the {@link RunLoader} it is handed (`runsTriggeredBy` sits beside `Run`).
 */
import { NotFoundError } from '../core/errors.ts';
import type { TriggerCause } from '../store/metadata-store.ts';
import { type Deferred, type DeferredOrNull, deferred } from './deferred.ts';
import type { Run } from './objects.ts';
import { type ClientStores, clientStores } from './provider.ts';
import type { TaskData } from './task-data.ts';

/** @internal How trigger objects load the runs they point at. */
export interface RunLoader {
  /** The run at a `Flow/N` pathspec, checked against the current namespace. */
  load(pathspec: string): Promise<Run>;
  /** The deferred form of a run still to load. */
  defer(load: () => Promise<Run>): Deferred<Run>;
}

/** One event that started a run (Metaflow's `MetaflowEvent`). */
export class TriggerEvent {
  /**
   * `event` for an event the flow waited for; `run` for an upstream run that finished;
   * `automation` for the automation whose firing started the run (listed after its events).
   */
  readonly type: 'event' | 'run' | 'automation';
  /** The event name, or for a run the upstream flow's name. */
  readonly name: string;
  /** The event id (for a run: of its `flowtrail.run.completed` event). */
  readonly id: string;
  /** When the event occurred. */
  readonly timestamp: Date;
  /** For a run: its pathspec (`ETLFlow/3`); null for an event. */
  readonly pathspec: string | null;
  /** For an automation: the firing that started the run; null otherwise. */
  readonly firing: string | null;

  /** @internal */
  constructor(
    private readonly stores: ClientStores,
    cause: TriggerCause,
    private readonly runLoader: RunLoader,
  ) {
    this.type = cause.type;
    this.name = cause.name;
    this.id = cause.id;
    this.timestamp = new Date(cause.timestamp);
    this.pathspec = cause.pathspec;
    this.firing = cause.firing ?? null;
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
    return this.runLoader.defer(() => this.loadRun());
  }

  /** For a run cause: the upstream run's data, `await trigger.get('FirstFlow').data.model`. */
  get data(): TaskData<Record<string, unknown>> {
    return this.runLoader.defer(() => this.loadRun()).data;
  }

  /** @internal */
  async loadRun(): Promise<Run> {
    if (this.type !== 'run' || this.pathspec === null)
      throw new NotFoundError(
        'run',
        `Trigger '${this.name}' is an event, not a run; read its name, id, timestamp or payload.`,
      );
    return this.runLoader.load(this.pathspec);
  }

  toJSON(): {
    type: string;
    name: string;
    id: string;
    timestamp: string;
    pathspec: string | null;
    firing?: string;
  } {
    return {
      type: this.type,
      name: this.name,
      id: this.id,
      timestamp: this.timestamp.toISOString(),
      pathspec: this.pathspec,
      ...(this.firing ? { firing: this.firing } : {}),
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
    private readonly runLoader: RunLoader,
  ) {
    this.events = causes.map((c) => new TriggerEvent(stores, c, runLoader));
  }

  /** The (first) event that started the run. */
  get event(): TriggerEvent {
    return this.events[0]!;
  }

  /** The (first) upstream run that started this one (`@triggerOnFinish`). */
  get run(): Deferred<Run> {
    return this.runLoader.defer(() => this.loadRun());
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
    return triggerEventDeferred(async () => this.find(name), this.runLoader);
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

function triggerEventDeferred(load: () => Promise<TriggerEvent>, runs: RunLoader): Deferred<TriggerEvent> {
  return deferred(load, {
    relations: {
      run: (l: () => Promise<TriggerEvent>) => runs.defer(async () => (await l()).loadRun()),
      data: (l: () => Promise<TriggerEvent>) => runs.defer(async () => (await l()).loadRun()).data,
    },
  } as never);
}

const notTriggered = () =>
  new NotFoundError('trigger', 'The run was not triggered (it was started by hand).');

/** The loaded trigger, or a NotFoundError for a run started by hand. */
async function present(load: () => Promise<Trigger | null>): Promise<Trigger> {
  const trigger = await load();
  if (!trigger) throw notTriggered();
  return trigger;
}

/** @internal The deferred `run.trigger`: null for a run started by hand. */
export function triggerDeferred(run: () => Promise<Run>, runs: RunLoader): DeferredOrNull<Trigger> {
  const load = async (): Promise<Trigger | null> => {
    const r = await run();
    if (r.record.trigger.length === 0) return null;
    return new Trigger(await clientStores(), r.pathspec, r.record.trigger, runs);
  };
  const shape = {
    absent: notTriggered,
    relations: {
      run: (l: () => Promise<Trigger | null>) => runs.defer(async () => (await present(l)).loadRun()),
      event: (l: () => Promise<Trigger | null>) =>
        triggerEventDeferred(async () => (await present(l)).event, runs),
      get: (l: () => Promise<Trigger | null>) => (name: string) =>
        triggerEventDeferred(async () => (await present(l)).find(name), runs),
    },
  };
  return deferred(load as () => Promise<Trigger>, shape as never) as unknown as DeferredOrNull<Trigger>;
}
