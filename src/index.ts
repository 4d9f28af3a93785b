/**
 * Flowtrail's public entry point: authoring flows, running them, and the error types.
 */

export type {
  AutomationActionInput,
  AutomationInput,
  AutomationStateActionInput,
  CallWebhookActionInput,
  CancelRunActionInput,
  CompoundTriggerInput,
  DeploymentStateActionInput,
  DurationInput,
  EmitEventActionInput,
  EventTriggerInput,
  RunDeploymentActionInput,
  SequenceTriggerInput,
  TriggerInput,
} from './automations/automation-input.ts';
export type { AutomationDraftOptions } from './automations/draft-from-event.ts';
export type { EventJSON } from './automations/event-json.ts';
export type {
  Automation,
  AutomationAction,
  AutomationStateAction,
  CallWebhookAction,
  CancelRunAction,
  CompoundTrigger,
  DeploymentStateAction,
  DoNothingAction,
  EmitEventAction,
  EventTrigger,
  Posture,
  RunDeploymentAction,
  SequenceTrigger,
  TemplatedValue,
  Trigger as AutomationTrigger,
  WebhookMethod,
} from './automations/model.ts';
export type { Firing } from './automations/trigger-state.ts';
export type { HistoryOptions } from './client/automation-service.ts';
export {
  automationHistory,
  createAutomation,
  deleteAutomation,
  deleteSecret,
  draftAutomationFromEvent,
  getAutomation,
  listAutomations,
  listSecrets,
  replaceAutomation,
  setAutomationEnabled,
  setSecret,
} from './client/automations.ts';
export type { Defer, Deferred, DeferredOrNull } from './client/deferred.ts';
export { emitEvent, flushEvents } from './client/emit.ts';
export { allEvents, countEvents, listEvents, pruneEvents, streamEvents } from './client/events.ts';
export {
  type CancelOptions,
  DataArtifact,
  Flow,
  Flowtrail,
  Run,
  type RunCancellation,
  runsTriggeredBy,
  Step,
  Task,
} from './client/objects.ts';
export {
  defaultMetadata,
  defaultNamespace,
  getMetadata,
  getNamespace,
  metadata,
  namespace,
} from './client/provider.ts';
export type { TaskData } from './client/task-data.ts';
export { Trigger, TriggerEvent } from './client/trigger.ts';
export type { DataOf, FlowType, LogLineView, RunCode, TaskAttempt } from './client/types.ts';
export {
  ArtifactEncodeError,
  ArtifactMissingError,
  ConflictError,
  type ErrorCode,
  ErrorCodes,
  type ExceptionRecord,
  FlowLoadError,
  FlowtrailError,
  ForbiddenError,
  InvalidForeachError,
  InvalidGraphError,
  InvalidPathspecError,
  MergeConflictError,
  NamespaceMismatchError,
  NonRetriableError,
  NotFoundError,
  ParameterError,
  StoreError,
  TriggerDeclarationError,
  type TriggerDecorator,
  UnauthenticatedError,
  UnavailableError,
  UsageError,
  ValidationError,
} from './core/errors.ts';
export type {
  EventFilter,
  EventNameFilter,
  LabelSpec,
  RelatedFilter,
  ResourceFilter,
} from './events/filter.ts';
export type { EventInput, FlowtrailEvent, Labels, RelatedResource, Resource } from './events/model.ts';
export { type CurrentTask, type CurrentTrigger, type CurrentTriggerEvent, current } from './flow/current.ts';
export type { CatchOptions, ResourceRequest, RetryOptions, TimeoutOptions } from './flow/declarations.ts';
export { catchError, param, resources, retry, type StepOptions, step, timeout } from './flow/decorators.ts';
export {
  type ArtifactsOf,
  FlowSpec,
  type ForeachFrame,
  type InputOf,
  type Inputs,
  type MergeOptions,
} from './flow/flow-spec.ts';
// The graph is public only as far as docs/flows.md uses it: buildGraph(Flow).triggers and .params.
export { buildGraph, type FlowGraph } from './flow/graph.ts';
export type { EventDependency, ScheduleSpec, TriggerSpec } from './flow/trigger-spec.ts';
export {
  type DependencyOptions,
  type EventDeclaration,
  type ParameterMapping,
  type ScheduleOptions,
  schedule,
  type TriggerOnFinishOptions,
  type TriggerOptions,
  trigger,
  triggerOnFinish,
} from './flow/triggers.ts';
export type {
  ActionList,
  ActionRecord,
  ActionStatus,
  AutomationFiringRecord,
  AutomationQuery,
  AutomationRecord,
  FiringHistoryEntry,
} from './store/automation-store.ts';
export type { CancelOutcome } from './store/cancel-run.ts';
export type { CountBy, EventCount, EventPage, RetentionPolicy, TimeUnit } from './store/event-store.ts';
