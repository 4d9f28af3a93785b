/**
 * The normalized, JSON-serializable form of a flow's triggers and schedule: what `buildGraph` puts
 * on `graph.triggers` and what a deployment stores. Data only, so the stores can import it without
 * the decorators of `triggers.ts`.
 */
import { DAY_MS } from '../core/duration.ts';

/** One event a triggered flow waits for. */
export interface EventDependency {
  /** The event name (`data_updated`, `dataset.refreshed`…). */
  name: string;
  /** Flow parameter name → payload field name (the default mapping already applied). */
  parameters: Record<string, string>;
}

/** A cron schedule: five-field cron (or a macro such as `@daily`) read in `timezone`. */
export interface ScheduleSpec {
  cron: string;
  /** `UTC`, a fixed offset `±HH:MM`, or an IANA name. */
  timezone: string;
}

/**
 * Everything that starts a flow on its own, normalized and validated, JSON-serializable.
 * `events` and `flows` are the flow's dependencies: all of them must have arrived (each within
 * `resetWindowMs` of the others) for one run to start. `schedule` starts runs by itself.
 */
export interface TriggerSpec {
  events: EventDependency[];
  /** Upstream flows (`@triggerOnFinish`) whose successful run is a dependency. */
  flows: string[];
  /** How long an arrived dependency counts towards the AND, in ms (default 24 h). */
  resetWindowMs: number;
  schedule: ScheduleSpec | null;
}

/** The reset window when no decorator gives one: 24 hours. */
export const DEFAULT_RESET_WINDOW_MS = DAY_MS;
