/**
 * What saving an automation means, in one place for every way in: the HTTP routes
 * (`server/routes/automation-routes.ts`) and, in local mode, the client API and the CLI
 * (`client/automations.ts`). It lives in the client layer because both the server (above it) and
 * the client use it, over the store ports only. It validates (`validateAutomation`), checks what
 * the automation names against the stores (deployments, secrets, automations), refuses edits of a
 * deployment's own automation, saves, and then emits `flowtrail.automation.created|updated|deleted`.
 * In remote mode the server runs it; the client only forwards (so nothing is emitted twice).
 */

import { automationChangedEvent } from '../automations/automation-events.ts';
import type { AutomationInput } from '../automations/automation-input.ts';
import { type AutomationDraftOptions, draftFromEvent } from '../automations/draft-from-event.ts';
import type { Automation, AutomationAction } from '../automations/model.ts';
import { validateAutomation } from '../automations/validate-automation.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import { checkEventId } from '../events/event-id.ts';
import type { FlowtrailEvent } from '../events/model.ts';
import type {
  AutomationQuery,
  AutomationRecord,
  AutomationRegistry,
  FiringHistoryEntry,
  SecretStore,
} from '../store/automation-store.ts';
import { deploymentResource } from '../store/deployment-automation.ts';
import type { DeploymentRegistry } from '../store/deployment-store.ts';
import type { EventStore } from '../store/event-store.ts';

export interface HistoryOptions {
  /** At most this many firings (1–1000; default the store's). */
  limit?: number;
  /** Only firings triggered before this time (ms): pass the last entry's `triggeredAt` for the next page. */
  before?: number;
  /**
   * With `before`: the last entry's firing id, so firings triggered in that same ms that sort
   * before it come next (a batch of events fires many at one moment; none is skipped).
   */
  beforeId?: string;
}

/** What users do with automations; {@link AutomationService} here, a forwarder to a server remotely. */
export interface AutomationOperations {
  /** @throws ValidationError naming the field; ConflictError when the id exists. */
  create(input: AutomationInput): Promise<AutomationRecord>;
  /** Replaces the automation `id` (its trigger state starts again). */
  replace(id: string, input: AutomationInput): Promise<AutomationRecord>;
  setEnabled(id: string, enabled: boolean): Promise<AutomationRecord>;
  delete(id: string): Promise<void>;
  get(id: string): Promise<AutomationRecord>;
  list(query?: AutomationQuery): Promise<AutomationRecord[]>;
  history(id: string, options?: HistoryOptions): Promise<FiringHistoryEntry[]>;
}

export interface AutomationServiceStores {
  automations: AutomationRegistry;
  secrets: Pick<SecretStore, 'get'>;
  deployments: Pick<DeploymentRegistry, 'get' | 'location'>;
  events: Pick<EventStore, 'append'>;
}

const MAX_HISTORY = 1000;
/** The owner resource of every deployment's own automation. */
const DEPLOYMENT_OWNER_PREFIX = deploymentResource('');
/** Fields of an `AutomationRecord` the store sets; ignored in input so a record can be sent back. */
const RECORD_FIELDS = ['createdAt', 'updatedAt', 'lastFiredAt'];

const ownerDeployment = (a: Pick<Automation, 'ownerResource'>): string | null =>
  a.ownerResource?.startsWith(DEPLOYMENT_OWNER_PREFIX)
    ? a.ownerResource.slice(DEPLOYMENT_OWNER_PREFIX.length)
    : null;

/**
 * The automation an input asks to save, validated: the store's own fields of a record read back
 * are ignored, and for a replacement (`id` given) the input's id, if any, must be that id.
 *
 * @throws ValidationError naming the field.
 */
export function automationToSave(input: unknown, id?: string): Automation {
  let given = input;
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const fields = Object.fromEntries(Object.entries(input).filter(([k]) => !RECORD_FIELDS.includes(k)));
    if (id !== undefined && fields.id !== undefined && fields.id !== id)
      throw new ValidationError(
        'id',
        `The body is automation ${JSON.stringify(fields.id)} but the request replaces ${id}; leave 'id' out or make them equal.`,
        { rule: 'id-mismatch' },
      );
    given = id === undefined ? fields : { ...fields, id };
  }
  return validateAutomation(given);
}

export const automationNotFound = (id: string, location: string): NotFoundError =>
  new NotFoundError(
    'automation',
    `There is no automation ${id} in ${location}; see \`flowtrail automations list\`.`,
  );

/** `HistoryOptions` from outside: a whole `limit` in 1–1000, a finite `before`, `beforeId` only with it. */
export function checkHistoryOptions(options: HistoryOptions): HistoryOptions {
  const { limit, before, beforeId } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY))
    throw new ValidationError(
      'limit',
      `'limit' must be a whole number from 1 to ${MAX_HISTORY}, got ${limit}.`,
      {
        rule: 'range',
      },
    );
  if (before !== undefined && !Number.isFinite(before))
    throw new ValidationError('before', `'before' must be a time in ms, got ${before}.`, { rule: 'type' });
  if (beforeId !== undefined && before === undefined)
    throw new ValidationError(
      'beforeId',
      "'beforeId' pages with 'before': give both (the last entry's triggeredAt and firing id).",
      {
        rule: 'requires',
      },
    );
  return {
    ...(limit !== undefined ? { limit } : {}),
    ...(before !== undefined ? { before } : {}),
    ...(beforeId !== undefined ? { beforeId } : {}),
  };
}

/**
 * The automation drafted from an event (`draftFromEvent`), checked, so an option that cannot work
 * (a proactive window under 10 s) fails now, named where it lands (`trigger.within`).
 *
 * @throws ValidationError for a bad option.
 */
export function checkedDraft(
  event: Pick<FlowtrailEvent, 'id' | 'event' | 'resource'>,
  options: AutomationDraftOptions = {},
): AutomationInput {
  const draft = draftFromEvent(event, options);
  validateAutomation(draft);
  return draft;
}

/**
 * {@link checkedDraft} of a stored event.
 *
 * @throws NotFoundError when there is no such event; ValidationError for a bad id or option.
 */
export async function draftFromStoredEvent(
  events: Pick<EventStore, 'query' | 'location'>,
  eventId: string,
  options: AutomationDraftOptions = {},
): Promise<AutomationInput> {
  const id = checkEventId(eventId, 'eventId', 'The event id');
  const [event] = (await events.query({ id: [id] }, { limit: 1 })).events;
  if (!event)
    throw new NotFoundError(
      'event',
      `There is no event ${id} in ${events.location}; see \`flowtrail events list\`.`,
    );
  return checkedDraft(event, options);
}

export class AutomationService implements AutomationOperations {
  constructor(
    private readonly stores: AutomationServiceStores,
    private readonly now: () => number = Date.now,
  ) {}

  async create(input: unknown): Promise<AutomationRecord> {
    const automation = automationToSave(input);
    this.refuseDeploymentOwner(automation);
    await this.checkReferences(automation);
    const record = await this.stores.automations.create(automation, this.now());
    await this.emit(record, 'created');
    return record;
  }

  async replace(id: string, input: unknown): Promise<AutomationRecord> {
    const automation = automationToSave(input, id);
    await this.editable(id);
    this.refuseDeploymentOwner(automation);
    await this.checkReferences(automation);
    const record = (await this.stores.automations.replace(automation, this.now())) ?? this.missing(id);
    await this.emit(record, 'updated');
    return record;
  }

  async setEnabled(id: string, enabled: boolean): Promise<AutomationRecord> {
    const existing = await this.editable(id);
    if (existing.enabled === enabled) return existing;
    const record = (await this.stores.automations.setEnabled(id, enabled, this.now())) ?? this.missing(id);
    await this.emit(record, 'updated');
    return record;
  }

  async delete(id: string): Promise<void> {
    const existing = await this.editable(id);
    if (!(await this.stores.automations.delete(id))) this.missing(id);
    await this.emit(existing, 'deleted');
  }

  async get(id: string): Promise<AutomationRecord> {
    return (await this.stores.automations.get(id)) ?? this.missing(id);
  }

  list(query: AutomationQuery = {}): Promise<AutomationRecord[]> {
    return this.stores.automations.list(query);
  }

  async history(id: string, options: HistoryOptions = {}): Promise<FiringHistoryEntry[]> {
    const checked = checkHistoryOptions(options);
    await this.get(id);
    return this.stores.automations.history(id, checked);
  }

  private missing(id: string): never {
    throw automationNotFound(id, this.stores.automations.location);
  }

  /** The stored automation, unless a deployment owns it (then only re-deploying changes it). */
  private async editable(id: string): Promise<AutomationRecord> {
    const existing = await this.get(id);
    const flow = ownerDeployment(existing);
    if (flow !== null)
      throw new ConflictError(
        `Automation ${id} ('${existing.name}') is deployment ${flow}'s own: it is derived from the flow's @trigger / @triggerOnFinish. Re-deploy the flow to change it, or pause it with \`flowtrail deployments pause ${flow}\`.`,
        { automation: id, owner: existing.ownerResource },
      );
    return existing;
  }

  private refuseDeploymentOwner(automation: Automation): void {
    const flow = ownerDeployment(automation);
    if (flow !== null)
      throw new ValidationError(
        'ownerResource',
        `'ownerResource' ${automation.ownerResource} is reserved for the automation a deployment derives from its triggers; deploy ${flow || 'the flow'} with @trigger instead, or name another owner.`,
        { rule: 'owner-reserved' },
      );
  }

  /** Every deployment, secret and automation an action names must exist (the first missing one is named). */
  private async checkReferences(automation: Automation): Promise<void> {
    const lists: [string, AutomationAction[]][] = [
      ['actions', automation.actions],
      ['actionsOnTrigger', automation.actionsOnTrigger],
      ['actionsOnResolve', automation.actionsOnResolve],
    ];
    for (const [list, actions] of lists)
      for (const [i, action] of actions.entries()) {
        const at = `${list}[${i}]`;
        switch (action.type) {
          case 'run-deployment':
          case 'pause-deployment':
          case 'resume-deployment':
            if (action.deployment !== null && !(await this.stores.deployments.get(action.deployment)))
              throw new ValidationError(
                `${at}.deployment`,
                `'${at}.deployment' names deployment '${action.deployment}', which does not exist in ${this.stores.deployments.location}; deploy it first (\`flowtrail deploy FILE\`) or fix the name.`,
                { rule: 'unknown-deployment', deployment: action.deployment },
              );
            break;
          case 'call-webhook':
            if (action.headersSecret !== null && !(await this.stores.secrets.get(action.headersSecret)))
              throw new ValidationError(
                `${at}.headersSecret`,
                `'${at}.headersSecret' names secret '${action.headersSecret}', which is not stored; store it first (\`flowtrail secrets set ${action.headersSecret} --value '{"Authorization":"…"}'\`).`,
                { rule: 'unknown-secret', secret: action.headersSecret },
              );
            break;
          case 'pause-automation':
          case 'resume-automation':
            if (
              action.automation !== null &&
              action.automation !== automation.id &&
              !(await this.stores.automations.get(action.automation))
            )
              throw new ValidationError(
                `${at}.automation`,
                `'${at}.automation' names automation ${action.automation}, which does not exist; see \`flowtrail automations list\`.`,
                { rule: 'unknown-automation', automation: action.automation },
              );
            break;
          default:
            break;
        }
      }
  }

  private async emit(automation: AutomationRecord, change: 'created' | 'updated' | 'deleted'): Promise<void> {
    await this.stores.events.append([automationChangedEvent(automation, change, this.now())]);
  }
}
