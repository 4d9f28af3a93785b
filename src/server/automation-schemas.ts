/**
 * zod schemas of the automation routes, for the OpenAPI document. Bodies are checked by
 * `validateAutomation` itself (`bodyCheckedByHandler`): it names the field and the rule far better
 * than a schema can (`trigger.triggers[1].threshold`, template syntax, the loop guard), so these
 * describe the shapes rather than every rule. Records mirror `store/automation-store.ts`.
 */
import { z } from 'zod';
import { storedEvent } from './schemas.ts';

const int = () => z.number().int();
const duration = z
  .union([z.string(), z.number()])
  .meta({ description: "'10m', '1h30m' (units s, m, h, d, w) or seconds; 0 where a window may be empty." });
const labelSpec = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
const templated = z.unknown().meta({ description: 'JSON; every string in it is a LiquidJS template.' });

const eventTrigger = z
  .object({
    type: z.literal('event'),
    match: labelSpec.optional(),
    matchRelated: z.union([labelSpec, z.array(labelSpec)]).optional(),
    after: z.array(z.string()).optional(),
    expect: z.array(z.string()).min(1).meta({ description: "Event-name globs; ['*'] for every event." }),
    forEach: z.array(z.string()).optional(),
    posture: z.enum(['reactive', 'proactive']).optional(),
    threshold: int().min(1).optional(),
    within: duration.optional(),
    withinMs: int().optional(),
  })
  .strict()
  .meta({ id: 'EventTrigger' });

const compoundTrigger = z
  .object({
    type: z.literal('compound'),
    get triggers() {
      return z.array(trigger);
    },
    require: z.union([z.enum(['any', 'all']), int().min(1)]),
    within: duration.nullable().optional(),
    withinMs: int().nullable().optional(),
  })
  .strict()
  .meta({ id: 'CompoundTrigger' });

const sequenceTrigger = z
  .object({
    type: z.literal('sequence'),
    get triggers() {
      return z.array(trigger);
    },
    within: duration.nullable().optional(),
    withinMs: int().nullable().optional(),
  })
  .strict()
  .meta({ id: 'SequenceTrigger' });

const trigger: z.ZodType = z
  .union([eventTrigger, compoundTrigger, sequenceTrigger])
  .meta({ id: 'AutomationTrigger' });

const resource = z.record(z.string(), z.string());
const action = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z.literal('run-deployment'),
        deployment: z.string(),
        parameters: z.record(z.string(), templated).optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('emit-event'),
        event: z.string(),
        resource,
        related: z.array(resource).optional(),
        payload: z.record(z.string(), templated).optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('call-webhook'),
        url: z.string(),
        method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
        headersSecret: z.string().nullable().optional(),
        body: z.string().nullable().optional(),
        timeout: duration.optional(),
        timeoutMs: int().optional(),
        retries: int().min(0).max(5).optional(),
      })
      .strict(),
    z
      .object({
        type: z.enum(['pause-deployment', 'resume-deployment']),
        deployment: z.string().nullable().optional(),
      })
      .strict(),
    z
      .object({
        type: z.enum(['pause-automation', 'resume-automation']),
        automation: z.string().nullable().optional(),
      })
      .strict(),
    z.object({ type: z.literal('cancel-run'), run: z.string().nullable().optional() }).strict(),
    z.object({ type: z.literal('do-nothing') }).strict(),
  ])
  .meta({ id: 'AutomationAction' });

const automationFields = {
  id: z.string().optional().meta({ description: 'A UUID; default a new UUIDv7.' }),
  name: z.string(),
  description: z.string().optional(),
  enabled: z.boolean().optional(),
  tags: z.array(z.string()).optional(),
  trigger,
  actions: z.array(action),
  actionsOnTrigger: z.array(action).optional(),
  actionsOnResolve: z.array(action).optional(),
  ownerResource: z.string().nullable().optional(),
};

export const automationInput = z.object(automationFields).strict().meta({ id: 'AutomationInput' });

export const automationRecord = z
  .object({
    ...automationFields,
    id: z.string(),
    createdAt: int(),
    updatedAt: int().meta({ description: 'Saved, replaced or re-enabled last (ms).' }),
    lastFiredAt: int().nullable(),
  })
  .meta({ id: 'Automation' });

const firing = z
  .object({
    id: z.string(),
    automation: z.string(),
    trigger: z
      .string()
      .meta({ description: 'The path of the trigger that fired, e.g. trigger.triggers[1].' }),
    triggered: int(),
    at: int(),
    labels: z.record(z.string(), z.string()),
    event: storedEvent.nullable(),
    get children() {
      return z.array(firing);
    },
  })
  .meta({ id: 'AutomationFiring' });

const actionRecord = z
  .object({
    id: z.string(),
    firing: z.string(),
    automation: z.string(),
    list: z.enum(['actions', 'actionsOnTrigger']),
    index: int(),
    action,
    status: z.enum(['pending', 'executed', 'failed']),
    attempts: int(),
    message: z.string().nullable(),
    target: z.string().nullable(),
    createdAt: int(),
    finishedAt: int().nullable(),
  })
  .meta({ id: 'AutomationActionRecord' });

export const historyEntry = z
  .object({
    firing: z.object({
      id: z.string(),
      automation: z.string(),
      firing,
      eventIds: z.array(z.string()),
      triggeredAt: int(),
    }),
    actions: z.array(actionRecord),
  })
  .meta({ id: 'AutomationHistoryEntry' });
