/**
 * What executing an action needs from the server, injected by the engine (so every action is
 * testable with real stores and recording stand-ins for the parts the engine owns: starting and
 * cancelling runs), and the shapes an action's execution takes in and gives back.
 */
import type { TemplateEngine } from '../../automations/templates.ts';
import type { FlowtrailEvent } from '../../events/model.ts';
import type {
  ActionRecord,
  AutomationFiringRecord,
  AutomationRecord,
  AutomationRegistry,
  SecretStore,
} from '../../store/automation-store.ts';
import type { DeploymentRegistry } from '../../store/deployment-store.ts';
import type { EventStore } from '../../store/event-store.ts';
import type { ResolveHost } from './webhook-address.ts';

/** How webhooks may be called. */
export interface WebhookSettings {
  /** Call loopback, private, link-local… addresses too (`flowtrail server --allow-private-webhooks`). */
  allowPrivateAddresses: boolean;
  /** First retry delay in ms, doubled per retry, with jitter (default 500). */
  retryBaseMs?: number;
  /** Resolves a host name to its addresses (default: the system resolver, `dns.lookup`). */
  resolve?: ResolveHost;
}

/** A request to start a run of a deployment for an action. */
export interface DeploymentRunRequest {
  deployment: string;
  /** The action's rendered parameters. */
  parameters: Record<string, unknown>;
  /** The action record's id: one run per action of a firing, however often it is executed. */
  idempotencyKey: string;
  automation: AutomationRecord;
  firing: AutomationFiringRecord;
  /** The firing's events (its causes). */
  events: FlowtrailEvent[];
}

export interface ActionServices {
  /** Where the action events (and an emit-event action's event) go. */
  events: EventStore;
  deployments: DeploymentRegistry;
  automations: AutomationRegistry;
  secrets: SecretStore;
  /** Starts (or finds, by idempotency key) a run of a deployment; returns its pathspec. Provided by the engine. */
  startDeploymentRun(request: DeploymentRunRequest): Promise<{ runPathspec: string }>;
  /** Cancels a run by pathspec (the engine wires `runtime/cancel-run.ts`). */
  cancelRun(pathspec: string, reason: string): Promise<void>;
  webhooks: WebhookSettings;
  templates: TemplateEngine;
  now(): number;
}

/** One action of one firing, to execute. */
export interface ActionContext {
  automation: AutomationRecord;
  firing: AutomationFiringRecord;
  record: ActionRecord;
  /** The firing's events, loaded (oldest first). */
  events: FlowtrailEvent[];
  /**
   * The event `action.triggered` follows, e.g. the firing's `flowtrail.automation.triggered`;
   * default: the triggering event, when it was received less than 5 minutes ago.
   */
  follows?: string | null;
}

/** What an action did: the target is related to its `action.executed` event. */
export interface ActionDone {
  message: string;
  target: { id: string; name: string } | null;
  /** Tries it took (a webhook's requests); default 1. */
  attempts?: number;
}

/** How an action ended, as the engine records it (`AutomationStore.finishAction`). */
export interface ActionOutcome {
  status: 'executed' | 'failed';
  attempts: number;
  /** What it did (`started ETLFlow/12`), or why it failed. */
  message: string;
  /** The resource id it acted on, or null. */
  target: string | null;
}
