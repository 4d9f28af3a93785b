/**
 * The automation model: a trigger (what to notice in the event feed, or its absence) and the
 * actions to take when it fires. Plain JSON-serializable data; `validate-automation.ts` builds it
 * from outside input, `trigger-evaluation.ts` evaluates its trigger, `templates.ts` renders its
 * action templates. Durations are in ms (`withinMs`), as everywhere else in Flowtrail
 * (`resetWindowMs`); input may also give `within` as `'10m'` or seconds.
 */
import type { LabelSpec } from '../events/filter.ts';

/** Reactive: fire on the presence of events. Proactive: fire on their absence. */
export type Posture = 'reactive' | 'proactive';

/**
 * A trigger on single events. An event is *covered* when its name matches a glob of `expect` or
 * `after`, its primary resource satisfies `match`, and each spec of `matchRelated` holds on some
 * related resource (label globs with `!`, as in `EventFilter`). Covered events are counted in
 * buckets, one per value of the `forEach` labels.
 */
export interface EventTrigger {
  type: 'event';
  /** Labels of the primary resource; `{}` matches every resource. */
  match: LabelSpec;
  /** Each spec must hold on at least one related resource (AND over the list). */
  matchRelated: LabelSpec[];
  /** Event-name globs; one of them must be seen first to arm a window. Empty: always armed. */
  after: string[];
  /** Event-name globs that count. Never empty: `['*']` says "every event" explicitly. */
  expect: string[];
  /**
   * Labels whose values split the counting into independent buckets: a primary-resource label
   * (`flowtrail.resource.id`), or `related:<role>:<label>` for the first related resource in a role.
   */
  forEach: string[];
  posture: Posture;
  /** Reactive: fire when the count reaches it. Proactive: fire when a window ends below it. */
  threshold: number;
  /** The window, in ms. Reactive 0 fires on every expected event; proactive is at least 10 s. */
  withinMs: number;
}

/** Fires when `require` of its children (all, any, or a number) have fired within `withinMs`. */
export interface CompoundTrigger {
  type: 'compound';
  triggers: Trigger[];
  require: 'any' | 'all' | number;
  /** The most the children's firings (by their events' `occurred`) may lie apart; null: no limit. */
  withinMs: number | null;
}

/** Fires when every child has fired, their latest firings in list order, within `withinMs`. */
export interface SequenceTrigger {
  type: 'sequence';
  triggers: Trigger[];
  withinMs: number | null;
}

export type CompositeTrigger = CompoundTrigger | SequenceTrigger;
export type Trigger = EventTrigger | CompositeTrigger;

/**
 * A JSON value that may hold templates: every string is a LiquidJS template. A string that is one
 * `{{ … }}` and nothing else keeps the type of its value (a number stays a number, an object an
 * object); any other string renders as text.
 */
export type TemplatedValue =
  | string
  | number
  | boolean
  | null
  | TemplatedValue[]
  | { [key: string]: TemplatedValue };

/** Start a run of a deployment (one deployment per flow, named by its flow). */
export interface RunDeploymentAction {
  type: 'run-deployment';
  /** The deployed flow's name. */
  deployment: string;
  /** Parameter name → templated value. */
  parameters: Record<string, TemplatedValue>;
}

/** Emit an event; every string in it is a template. */
export interface EmitEventAction {
  type: 'emit-event';
  event: string;
  resource: Record<string, string>;
  related: Record<string, string>[];
  payload: Record<string, TemplatedValue>;
}

export type WebhookMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Call an HTTP endpoint. The URL is literal (checked at save); the body is a template. */
export interface CallWebhookAction {
  type: 'call-webhook';
  url: string;
  method: WebhookMethod;
  /** Name of a stored secret whose value is the request's headers (a JSON object); null: none. */
  headersSecret: string | null;
  /** A template rendered as the request body; null: no body. */
  body: string | null;
  timeoutMs: number;
  /** Further attempts after a failed one (with backoff). */
  retries: number;
}

/** Pause or resume a deployment's triggers and schedule. */
export interface DeploymentStateAction {
  type: 'pause-deployment' | 'resume-deployment';
  /** The deployed flow's name; null: the flow of the triggering event's run. */
  deployment: string | null;
}

/** Disable or enable an automation. */
export interface AutomationStateAction {
  type: 'pause-automation' | 'resume-automation';
  /** The automation id; null: the `flowtrail.automation.<id>` resource of the triggering event. */
  automation: string | null;
}

/** Cancel a run. */
export interface CancelRunAction {
  type: 'cancel-run';
  /**
   * A template giving the run's pathspec (`Flow/12`); null: the run named by the firing's
   * `flowtrail.resource.id` label, else the first `flowtrail.run.*` resource of the event.
   */
  run: string | null;
}

export interface DoNothingAction {
  type: 'do-nothing';
}

export type AutomationAction =
  | RunDeploymentAction
  | EmitEventAction
  | CallWebhookAction
  | DeploymentStateAction
  | AutomationStateAction
  | CancelRunAction
  | DoNothingAction;

export interface Automation {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  tags: string[];
  trigger: Trigger;
  /** Run on every firing. */
  actions: AutomationAction[];
  /** Run when a firing is a "triggered" state change (every firing here). */
  actionsOnTrigger: AutomationAction[];
  /** Run when a firing resolves; no trigger type resolves yet, so these never run. */
  actionsOnResolve: AutomationAction[];
  /** The resource that owns the automation, e.g. `flowtrail.deployment.NightlyFlow`; null: none. */
  ownerResource: string | null;
}

/** A proactive window shorter than this is refused: absence needs time to be noticed. */
export const MIN_PROACTIVE_WITHIN_MS = 10_000;
