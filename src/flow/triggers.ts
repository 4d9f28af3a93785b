/**
 * The declaration side of triggers and schedules: the class decorators `@trigger`,
 * `@triggerOnFinish` and `@schedule`, what they record, and their normalization into the
 * {@link TriggerSpec} (`trigger-spec.ts`) a flow's graph carries.
 *
 * Everything that can be checked from the decorator's own arguments is checked when the decorator
 * runs (that is, when the flow module is imported); the mapping of event payload fields to flow
 * parameters is checked against the flow's parameters in `buildGraph`. Over 400 lines because it is
 * one concept: the three decorators share their argument checks and their normalization.
 */
import { normalizeTimezone, parseCron } from '../core/cron.ts';
import { formatDuration, parseDuration } from '../core/duration.ts';
import { FlowtrailError, TriggerDeclarationError, type TriggerDecorator } from '../core/errors.ts';
import { isValidFlowName } from '../core/pathspec.ts';
import { quoteValue } from '../core/quote-value.ts';
import { EVENT_NAME_CHARACTERS, isEventName } from '../events/event-name.ts';
import { EVENT_LIMITS, RESERVED_PREFIX } from '../events/model.ts';
import {
  declarationsOf,
  type EventDependencyDeclaration,
  type ParameterDeclaration,
  type TriggerDeclarations,
} from './declarations.ts';
import type { FlowSpec } from './flow-spec.ts';
import { findParameter } from './parameters.ts';
import { DEFAULT_RESET_WINDOW_MS, type EventDependency, type TriggerSpec } from './trigger-spec.ts';

// ---------------------------------------------------------------------------------------------
// Decorator options

/**
 * How event payload fields become flow parameters: `{ param: 'payload_field' }`, or a list of
 * `'param'` (the field of the same name) and `['param', 'payload_field']` pairs.
 */
export type ParameterMapping<P extends string = string> =
  | { readonly [K in P]?: string }
  | readonly (P | readonly [P, string])[];

/** An event a flow waits for, with its own parameter mapping. */
export interface EventDeclaration<P extends string = string> {
  name: string;
  parameters?: ParameterMapping<P>;
}

/** Options shared by `@trigger` and `@triggerOnFinish`. */
export interface DependencyOptions {
  /**
   * How long an arrived dependency counts towards the AND of all of the flow's dependencies:
   * a duration such as `'30m'`, `'6h'`, `'1d'`, `'1h30m'` (units s, m, h, d, w) or seconds as a
   * number. Default 24 h. It applies to the whole flow, so give it once (or the same everywhere).
   */
  resetWindow?: string | number;
}

/** Options of {@link trigger}: one `event` (with an optional top-level `parameters`) or several `events`. */
export type TriggerOptions<P extends string = string> =
  | {
      event: string | EventDeclaration<P>;
      /** The mapping of the single `event` (or give it inside `event`). */
      parameters?: ParameterMapping<P>;
      events?: undefined;
      options?: DependencyOptions;
    }
  | {
      events: readonly (string | EventDeclaration<P>)[];
      event?: undefined;
      parameters?: undefined;
      options?: DependencyOptions;
    };

/** Options of {@link triggerOnFinish}: one upstream `flow` or several `flows`. */
export type TriggerOnFinishOptions =
  | { flow: string; flows?: undefined; options?: DependencyOptions }
  | { flows: readonly string[]; flow?: undefined; options?: DependencyOptions };

/** Options of {@link schedule}. */
export interface ScheduleOptions {
  /** Five-field cron (`'0 3 * * *'`) or `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`. */
  cron: string;
  /** `UTC` (default), a fixed offset such as `+02:00`, or an IANA name such as `Europe/Paris`. */
  timezone?: string;
}

/** A flow class whose instances have the properties `P` (the mapped parameters). */
type FlowClassWith<P extends string> = abstract new (...args: never[]) => FlowSpec & { [K in P]: unknown };

// ---------------------------------------------------------------------------------------------
// Decorators

const PARAMETER_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const PAYLOAD_FIELD = /^[A-Za-z0-9_]+$/;

/**
 * Starts the flow when an event arrives. Several events (in `events`, or in several `@trigger`
 * decorators, or together with `@triggerOnFinish`) are ANDed: a run starts once every one of them
 * has arrived within the reset window. With exactly one event and no `parameters`, every flow
 * parameter takes the payload field of the same name; with `parameters`, only the listed ones do.
 * Mapped parameter names are checked by the compiler against the class.
 *
 * @example
 * @trigger({ event: 'data_updated', parameters: { alpha: 'alpha_field' } })
 * class TrainFlow extends FlowSpec {
 *   @param.number({ default: 0.01 }) alpha!: number;
 *   // …steps
 * }
 *
 * @trigger({ events: ['raw.loaded', { name: 'labels.ready', parameters: ['labelSet'] }], options: { resetWindow: '6h' } })
 * class JoinFlow extends FlowSpec { … }
 */
export function trigger<const P extends string = never>(
  options: TriggerOptions<P>,
): <C extends FlowClassWith<P>>(value: C, context: ClassDecoratorContext<C>) => void {
  return (_value, context) => {
    const d: Declaring = declaring('@trigger', context);
    const opts = d.object(options, ['event', 'events', 'parameters', 'options'], "{ event: 'data_updated' }");
    const hasEvent = opts.event !== undefined;
    const hasEvents = opts.events !== undefined;
    if (hasEvent && hasEvents) d.fail("specify only one of 'event' or 'events'.");
    if (!hasEvent && !hasEvents)
      d.fail("no event specified; give { event: 'name' } or { events: ['a', 'b'] }.");
    if (hasEvents && opts.parameters !== undefined)
      d.fail(
        "a top-level 'parameters' goes with a single 'event'; with 'events', give each event its own { name, parameters }.",
      );
    let raw: unknown[];
    if (hasEvent) raw = [opts.event];
    else if (!Array.isArray(opts.events) || opts.events.length === 0)
      d.fail("'events' must be a non-empty list of event names or { name, parameters } objects.");
    else raw = opts.events;
    const events = raw.map((entry) => eventEntry(d, entry));
    if (hasEvent && opts.parameters !== undefined) {
      if (events[0]!.parameters)
        d.fail(
          `event '${events[0]!.name}' has parameters both inside 'event' and at the top level; give them once.`,
        );
      events[0]!.parameters = mapping(d, events[0]!.name, opts.parameters);
    }

    const triggers = d.triggers;
    const seen = new Set(triggers.events.map((e) => e.name));
    for (const e of events) {
      if (seen.has(e.name))
        d.fail(`duplicate event name '${e.name}'; each event may be listed once per flow.`, {
          event: e.name,
        });
      seen.add(e.name);
    }
    const mappedBy = new Map<string, string>();
    for (const e of [...triggers.events, ...events])
      for (const p of Object.keys(e.parameters ?? {})) {
        const other = mappedBy.get(p);
        if (other !== undefined)
          d.fail(
            `parameter '${p}' is mapped by both event '${other}' and event '${e.name}'; map each parameter from one event only.`,
            { parameter: p, event: e.name },
          );
        mappedBy.set(p, e.name);
      }
    resetWindow(d, opts.options);
    // Decorators run bottom-up; insert before the ones already applied to keep source order.
    triggers.events.splice(triggers.events.length - triggers.own.events, 0, ...events);
    triggers.own.events += events.length;
  };
}

/**
 * Starts the flow when a run of another flow completes successfully. Several flows (and any
 * `@trigger` events on the same class) are ANDed, as with {@link trigger}.
 *
 * @example
 * @triggerOnFinish({ flow: 'ETLFlow' })
 * class ReportFlow extends FlowSpec { … }
 *
 * @triggerOnFinish({ flows: ['ExtractFlow', 'LabelFlow'], options: { resetWindow: '12h' } })
 * class TrainFlow extends FlowSpec { … }
 */
export function triggerOnFinish(
  options: TriggerOnFinishOptions,
): <C extends FlowClassWith<never>>(value: C, context: ClassDecoratorContext<C>) => void {
  return (_value, context) => {
    const d: Declaring = declaring('@triggerOnFinish', context);
    const opts = d.object(options, ['flow', 'flows', 'options'], "{ flow: 'ETLFlow' }");
    const hasFlow = opts.flow !== undefined;
    const hasFlows = opts.flows !== undefined;
    if (hasFlow && hasFlows) d.fail("specify only one of 'flow' or 'flows'.");
    if (!hasFlow && !hasFlows) d.fail("no flow specified; give { flow: 'Name' } or { flows: ['A', 'B'] }.");
    let flows: unknown[];
    if (hasFlow) flows = [opts.flow];
    else if (!Array.isArray(opts.flows) || opts.flows.length === 0)
      d.fail("'flows' must be a non-empty list of flow names.");
    else flows = opts.flows;
    const triggers = d.triggers;
    const seen = new Set(triggers.flows);
    const names: string[] = [];
    for (const f of flows) {
      if (typeof f !== 'string' || !isValidFlowName(f))
        d.fail(
          `flow name ${quoteValue(f)} is malformed; a flow name is a class name (letters, digits and _, not starting with a digit).`,
          { upstream: f },
        );
      if (f === d.flow)
        d.fail(`${d.flow} cannot trigger on its own finish (every run would start the next one).`, {
          upstream: f,
        });
      if (seen.has(f)) d.fail(`duplicate flow name '${f}'; each flow may be listed once.`, { upstream: f });
      seen.add(f);
      names.push(f);
    }
    resetWindow(d, opts.options);
    triggers.flows.splice(triggers.flows.length - triggers.own.flows, 0, ...names);
    triggers.own.flows += names.length;
  };
}

/**
 * Starts a run of the flow on a cron schedule (five fields: minute hour day-of-month month
 * day-of-week, or a macro), read in `timezone` (default UTC). A schedule is not a dependency: it
 * starts runs on its own, whatever `@trigger`/`@triggerOnFinish` say. One schedule per flow; a
 * subclass's `@schedule` replaces its parent's.
 *
 * @example
 * @schedule({ cron: '0 3 * * *' })                               // every day at 03:00 UTC
 * @schedule({ cron: '*\/15 9-17 * * mon-fri', timezone: '+02:00' })
 */
export function schedule(
  options: ScheduleOptions,
): <C extends FlowClassWith<never>>(value: C, context: ClassDecoratorContext<C>) => void {
  return (_value, context) => {
    const d: Declaring = declaring('@schedule', context);
    const opts = d.object(options, ['cron', 'timezone'], "{ cron: '0 3 * * *' }");
    if (typeof opts.cron !== 'string') d.fail("'cron' must be a cron expression such as '0 3 * * *'.");
    const cron = d.checked(() => parseCron(opts.cron as string).expression);
    const timezone =
      opts.timezone === undefined ? 'UTC' : d.checked(() => normalizeTimezone(opts.timezone as string));
    const triggers = d.triggers;
    if (triggers.own.schedule)
      d.fail(
        `a flow has one schedule, and ${d.flow} already declares @schedule({ cron: '${triggers.schedule!.cron}' }).`,
      );
    triggers.schedule = { cron, timezone };
    triggers.own.schedule = true;
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers of the decorators

interface Declaring {
  decorator: TriggerDecorator;
  flow: string;
  triggers: TriggerDeclarations;
  fail(message: string, details?: Record<string, unknown>, cause?: unknown): never;
  /** The options as a record, refusing a non-object and unknown keys. */
  object(options: unknown, keys: readonly string[], example: string): Record<string, unknown>;
  /** Runs a check from core (cron, timezone) and rethrows its error as this decorator's. */
  checked<T>(fn: () => T): T;
}

function declaring(decorator: TriggerDecorator, context: ClassDecoratorContext): Declaring {
  const kind = (context as { kind: string }).kind;
  if (kind !== 'class')
    throw new TriggerDeclarationError(decorator, `${decorator} decorates a flow class, not a ${kind}.`);
  const flow = context.name ?? '(anonymous class)';
  const fail = (message: string, details: Record<string, unknown> = {}, cause?: unknown): never => {
    throw new TriggerDeclarationError(
      decorator,
      `${decorator} on ${flow}: ${message}`,
      { flow, ...details },
      cause,
    );
  };
  return {
    decorator,
    flow,
    triggers: declarationsOf(context.metadata).triggers,
    fail,
    object(options, keys, example) {
      if (options === null || typeof options !== 'object' || Array.isArray(options))
        fail(`pass an options object such as ${example}.`);
      const record = options as Record<string, unknown>;
      for (const key of Object.keys(record))
        if (!keys.includes(key))
          fail(`unknown option '${key}'; the options are ${keys.map((k) => `'${k}'`).join(', ')}.`);
      return record;
    },
    checked(fn) {
      try {
        return fn();
      } catch (e) {
        if (!(e instanceof FlowtrailError)) throw e;
        return fail(e.message, { ...e.details }, e);
      }
    },
  };
}

function eventEntry(d: Declaring, entry: unknown): EventDependencyDeclaration {
  let name: unknown = entry;
  let parameters: unknown;
  if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
    const record = entry as Record<string, unknown>;
    for (const key of Object.keys(record))
      if (key !== 'name' && key !== 'parameters')
        d.fail(`unknown key '${key}' in an event; an event is 'name' or { name, parameters }.`);
    if (!('name' in record)) d.fail("an event object is missing its 'name'.");
    name = record.name;
    parameters = record.parameters;
  }
  if (typeof name !== 'string')
    d.fail(`an event is a name or { name, parameters }, got ${quoteValue(entry)}.`);
  const eventName = name as string;
  if (!isEventName(eventName))
    d.fail(
      `event name ${quoteValue(eventName)} is malformed; use ${EVENT_NAME_CHARACTERS} (at most ${EVENT_LIMITS.maxNameLength} characters), e.g. 'dataset.refreshed'.`,
      { event: eventName },
    );
  if (eventName.startsWith(RESERVED_PREFIX))
    d.fail(
      `event name '${eventName}' uses the reserved prefix '${RESERVED_PREFIX}'; Flowtrail's own lifecycle events are reached with @triggerOnFinish({ flow: … }).`,
      { event: eventName },
    );
  const out: EventDependencyDeclaration = { name: eventName };
  if (parameters !== undefined) out.parameters = mapping(d, eventName, parameters);
  return out;
}

function mapping(d: Declaring, event: string, raw: unknown): Record<string, string> {
  const pairs: [unknown, unknown][] = [];
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (typeof item === 'string') pairs.push([item, item]);
      else if (Array.isArray(item) && item.length === 2) pairs.push([item[0], item[1]]);
      else
        d.fail(
          `the parameters of event '${event}' list ${quoteValue(item)}; each entry is 'param' or ['param', 'payload_field'].`,
          { event },
        );
    }
  } else if (raw !== null && typeof raw === 'object') {
    pairs.push(...Object.entries(raw));
  } else {
    d.fail(
      `the parameters of event '${event}' must be { param: 'payload_field' } or a list of 'param' / ['param', 'payload_field'].`,
      { event },
    );
  }
  const out: Record<string, string> = {};
  for (const [param, field] of pairs) {
    if (typeof param !== 'string' || !PARAMETER_NAME.test(param))
      d.fail(`parameter name ${quoteValue(param)} in the mapping of event '${event}' is not a valid name.`, {
        event,
        parameter: param,
      });
    const p = param as string;
    if (typeof field !== 'string' || !PAYLOAD_FIELD.test(field))
      d.fail(
        `payload field ${quoteValue(field)} (for parameter '${p}') of event '${event}' is malformed; payload field names are letters, digits and _.`,
        { event, parameter: p, field },
      );
    if (Object.hasOwn(out, p))
      d.fail(`parameter '${p}' is mapped twice in event '${event}'.`, { event, parameter: p });
    out[p] = field as string;
  }
  return out;
}

function resetWindow(d: Declaring, options: unknown): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    d.fail("'options' must be an object such as { resetWindow: '6h' }.");
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record))
    if (key !== 'resetWindow') d.fail(`unknown option '${key}' in 'options'; the only one is 'resetWindow'.`);
  if (record.resetWindow === undefined) return;
  const ms = d.checked(() => parseDuration(record.resetWindow, 'resetWindow'));
  const triggers = d.triggers;
  if (triggers.own.resetWindow && triggers.resetWindowMs !== ms)
    d.fail(
      `resetWindow ${formatDuration(ms)} conflicts with ${formatDuration(triggers.resetWindowMs!)} given by another decorator of ${d.flow}; the window applies to all of the flow's dependencies, so give it once.`,
    );
  triggers.resetWindowMs = ms;
  triggers.own.resetWindow = true;
}

// ---------------------------------------------------------------------------------------------
// Normalization (buildGraph)

/**
 * The {@link TriggerSpec} of a flow from its recorded declarations, checked against its parameters:
 * every mapped parameter must be a declared `@param`. Applies the default mapping (exactly one
 * event without `parameters`: every parameter from the payload field of the same name).
 * Null when the flow declares no trigger and no schedule.
 *
 * @example
 * const decls = declarationsOfClass(TrainFlow);
 * resolveTriggers('TrainFlow', decls.triggers, decls.params); // what buildGraph puts on graph.triggers
 */
export function resolveTriggers(
  flowName: string,
  declared: TriggerDeclarations,
  params: Map<string, ParameterDeclaration>,
): TriggerSpec | null {
  if (declared.events.length === 0 && declared.flows.length === 0 && !declared.schedule) return null;
  const events = declared.events.map((e): EventDependency => {
    if (!e.parameters) {
      const parameters: Record<string, string> = {};
      if (declared.events.length === 1) for (const p of params.keys()) parameters[p] = p;
      return { name: e.name, parameters };
    }
    for (const p of Object.keys(e.parameters)) {
      if (params.has(p)) continue;
      const close = findParameter(params, p);
      const known = [...params.keys()];
      throw new TriggerDeclarationError(
        '@trigger',
        `@trigger on ${flowName}: event '${e.name}' maps unknown parameter '${p}'${close ? ` (did you mean '${close.name}'?)` : ''}; ${
          known.length > 0
            ? `the parameters of ${flowName} are ${known.map((k) => `'${k}'`).join(', ')}.`
            : `${flowName} declares no parameters (add one with @param).`
        }`,
        { flow: flowName, event: e.name, parameter: p, parameters: known },
      );
    }
    return { name: e.name, parameters: { ...e.parameters } };
  });
  return {
    events,
    flows: [...declared.flows],
    resetWindowMs: declared.resetWindowMs ?? DEFAULT_RESET_WINDOW_MS,
    schedule: declared.schedule ? { ...declared.schedule } : null,
  };
}
