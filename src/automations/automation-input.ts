/**
 * An automation as a caller writes it (the TypeScript API, a JSON file for the CLI, an HTTP body):
 * the {@link Automation} model with its defaults optional and durations also as text (`'10m'`) or
 * seconds. `validateAutomation` turns it into the model; a stored automation is itself a valid
 * input, so it can be read, changed and written back.
 */
import type { LabelSpec } from '../events/filter.ts';
import type { DoNothingAction, Posture, TemplatedValue, WebhookMethod } from './model.ts';

/** `'10m'`, `'1h30m'` (units s, m, h, d, w), or seconds as a number; `0` where a window may be empty. */
export type DurationInput = string | number;

export interface EventTriggerInput {
  type: 'event';
  match?: LabelSpec;
  /** One spec or a list; each must hold on some related resource. */
  matchRelated?: LabelSpec | readonly LabelSpec[];
  after?: readonly string[];
  /** Required and non-empty: `['*']` says "every event". */
  expect: readonly string[];
  forEach?: readonly string[];
  posture?: Posture;
  threshold?: number;
  /** Reactive default 0; proactive required, at least 10 s. Or `withinMs`, not both. */
  within?: DurationInput;
  withinMs?: number;
}

export interface CompoundTriggerInput {
  type: 'compound';
  triggers: readonly TriggerInput[];
  require: 'any' | 'all' | number;
  within?: DurationInput | null;
  withinMs?: number | null;
}

export interface SequenceTriggerInput {
  type: 'sequence';
  triggers: readonly TriggerInput[];
  within?: DurationInput | null;
  withinMs?: number | null;
}

export type TriggerInput = EventTriggerInput | CompoundTriggerInput | SequenceTriggerInput;

export interface RunDeploymentActionInput {
  type: 'run-deployment';
  deployment: string;
  parameters?: Readonly<Record<string, TemplatedValue>>;
}

export interface EmitEventActionInput {
  type: 'emit-event';
  event: string;
  resource: Readonly<Record<string, string>>;
  related?: readonly Readonly<Record<string, string>>[];
  payload?: Readonly<Record<string, TemplatedValue>>;
}

export interface CallWebhookActionInput {
  type: 'call-webhook';
  url: string;
  method?: WebhookMethod;
  headersSecret?: string | null;
  body?: string | null;
  /** Default 10 s, at most 60 s. Or `timeoutMs`, not both. */
  timeout?: DurationInput;
  timeoutMs?: number;
  retries?: number;
}

export interface DeploymentStateActionInput {
  type: 'pause-deployment' | 'resume-deployment';
  deployment?: string | null;
}

export interface AutomationStateActionInput {
  type: 'pause-automation' | 'resume-automation';
  automation?: string | null;
}

export interface CancelRunActionInput {
  type: 'cancel-run';
  run?: string | null;
}

export type AutomationActionInput =
  | RunDeploymentActionInput
  | EmitEventActionInput
  | CallWebhookActionInput
  | DeploymentStateActionInput
  | AutomationStateActionInput
  | CancelRunActionInput
  | DoNothingAction;

export interface AutomationInput {
  /** Default: a new UUIDv7. */
  id?: string;
  name: string;
  description?: string;
  enabled?: boolean;
  tags?: readonly string[];
  trigger: TriggerInput;
  actions: readonly AutomationActionInput[];
  actionsOnTrigger?: readonly AutomationActionInput[];
  actionsOnResolve?: readonly AutomationActionInput[];
  ownerResource?: string | null;
}
