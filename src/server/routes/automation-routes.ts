/**
 * Automation routes: create, replace, enable/disable, delete, read, list, firing history, a draft
 * from an event (the web UI's "Automate" button), and the secrets webhooks use (admin only; a
 * value is never sent back). Every change goes through `AutomationService`, which validates,
 * checks what the automation names and emits the `flowtrail.automation.*` events.
 */
import { z } from 'zod';
import { AutomationService, draftFromStoredEvent } from '../../client/automation-service.ts';
import { removeSecret, saveSecret } from '../../client/secret-service.ts';
import { ValidationError } from '../../core/errors.ts';
import type { AutomationQuery } from '../../store/automation-store.ts';
import { EVENT_FIRINGS_LIMIT, firingsCausedBy } from '../../store/event-firings.ts';
import { automationInput, automationRecord, historyEntry } from '../automation-schemas.ts';
import { parseInput } from '../parse-input.ts';
import { type Route, type RouteContext, route } from '../route.ts';
import { intParam } from '../schemas.ts';

const idParams = z.object({ id: z.string() });
const secretParams = z.object({ name: z.string() });
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const service = (ctx: RouteContext) => new AutomationService(ctx.stores);

const listQuery = z
  .object({
    owner: z.string().optional().meta({ description: 'Only automations owned by this resource id.' }),
    unowned: flag.optional().meta({ description: 'true: only automations without an owner.' }),
    enabled: flag.optional(),
    tag: z.string().optional(),
    relatedTo: z
      .string()
      .optional()
      .meta({ description: 'A resource id the automation owns, acts on or matches literally.' }),
  })
  .strict();

function automationQuery(q: z.output<typeof listQuery>): AutomationQuery {
  if (q.owner !== undefined && q.unowned)
    throw new ValidationError('unowned', "Give 'owner' or 'unowned=true', not both.", { rule: 'exclusive' });
  const out: AutomationQuery = {};
  if (q.owner !== undefined) out.owner = q.owner;
  else if (q.unowned) out.owner = null;
  if (q.enabled !== undefined) out.enabled = q.enabled;
  if (q.tag !== undefined) out.tag = q.tag;
  if (q.relatedTo !== undefined) out.relatedTo = q.relatedTo;
  return out;
}

const secretBody = z.object({ value: z.record(z.string(), z.string()) }).strict();

export const automationRoutes: readonly Route[] = [
  route({
    method: 'post',
    path: '/api/v1/automations',
    operationId: 'createAutomation',
    summary:
      'Saves a new automation. 422 names the field at fault (a trigger rule, a template, the loop guard, a deployment, secret or automation an action names that does not exist); 409 when the id exists.',
    tag: 'automations',
    scope: 'write',
    body: automationInput,
    bodyCheckedByHandler: true,
    response: automationRecord,
    status: 201,
    handle: ({ body, ctx }) => service(ctx).create(body),
  }),
  route({
    method: 'get',
    path: '/api/v1/automations',
    operationId: 'listAutomations',
    summary: 'Automations by name, optionally by owner, state, tag or a resource they relate to.',
    tag: 'automations',
    scope: 'read',
    query: listQuery,
    response: z.object({ automations: z.array(automationRecord) }),
    handle: async ({ query, ctx }) => ({ automations: await service(ctx).list(automationQuery(query)) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/automations/{id}',
    operationId: 'getAutomation',
    summary: 'One automation.',
    tag: 'automations',
    scope: 'read',
    params: idParams,
    response: automationRecord,
    handle: ({ params, ctx }) => service(ctx).get(params.id),
  }),
  route({
    method: 'put',
    path: '/api/v1/automations/{id}',
    operationId: 'replaceAutomation',
    summary:
      "Replaces an automation (a record read back is accepted as it is); its trigger state starts again. 409 for a deployment's own automation: re-deploy the flow instead.",
    tag: 'automations',
    scope: 'write',
    params: idParams,
    body: automationInput,
    bodyCheckedByHandler: true,
    response: automationRecord,
    handle: ({ params, body, ctx }) => service(ctx).replace(params.id, body),
  }),
  route({
    method: 'patch',
    path: '/api/v1/automations/{id}',
    operationId: 'setAutomationEnabled',
    summary: 'Enables or disables an automation (enabling starts its trigger state again).',
    tag: 'automations',
    scope: 'write',
    params: idParams,
    body: z.object({ enabled: z.boolean() }).strict(),
    response: automationRecord,
    handle: ({ params, body, ctx }) => service(ctx).setEnabled(params.id, body.enabled),
  }),
  route({
    method: 'delete',
    path: '/api/v1/automations/{id}',
    operationId: 'deleteAutomation',
    summary: "Deletes an automation (409 for a deployment's own: delete the deployment).",
    tag: 'automations',
    scope: 'write',
    params: idParams,
    response: z.object({ deleted: z.boolean() }),
    handle: async ({ params, ctx }) => {
      await service(ctx).delete(params.id);
      return { deleted: true };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/automations/{id}/history',
    operationId: 'automationHistory',
    summary:
      "Firings of an automation, newest first, with the actions each decided on; page with `before` = the last entry's `triggeredAt` and `beforeId` = its firing id.",
    tag: 'automations',
    scope: 'read',
    params: idParams,
    query: z
      .object({
        limit: intParam().optional(),
        before: intParam().optional(),
        beforeId: z.string().optional().meta({
          description: "With `before`: the last entry's firing id (firings of that same ms after it).",
        }),
      })
      .strict(),
    response: z.object({ history: z.array(historyEntry) }),
    handle: async ({ params, query, ctx }) => ({
      history: await service(ctx).history(params.id, {
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
        ...(query.before !== undefined ? { before: query.before } : {}),
        ...(query.beforeId !== undefined ? { beforeId: query.beforeId } : {}),
      }),
    }),
  }),
  route({
    method: 'get',
    path: '/api/v1/events/{eventId}/automation-firings',
    operationId: 'eventAutomationFirings',
    summary: `The automation firings an event took part in (found through their \`flowtrail.automation.triggered\` events), newest first, with their actions; at most ${EVENT_FIRINGS_LIMIT}.`,
    tag: 'automations',
    scope: 'read',
    params: z.object({ eventId: z.string() }),
    response: z.object({ firings: z.array(historyEntry) }),
    handle: async ({ params, ctx }) => ({ firings: await firingsCausedBy(ctx.stores, params.eventId) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/events/{eventId}/automation-draft',
    operationId: 'draftAutomationFromEvent',
    summary:
      "The automation an event suggests (not saved): a trigger on the event's resource and name, firing on every such event, or with posture=proactive when none comes within `within`. POST it to /automations, changed or not.",
    tag: 'automations',
    scope: 'read',
    params: z.object({ eventId: z.string() }),
    query: z
      .object({
        posture: z.enum(['reactive', 'proactive']).optional(),
        within: z.string().optional().meta({ description: "A duration such as '10m', or seconds." }),
        name: z.string().optional(),
      })
      .strict(),
    response: automationInput,
    handle: ({ params, query, ctx }) =>
      draftFromStoredEvent(ctx.stores.events, params.eventId, {
        ...(query.posture !== undefined ? { posture: query.posture } : {}),
        // Seconds come as digits in a query string.
        ...(query.within !== undefined
          ? { within: /^\d+(\.\d+)?$/.test(query.within) ? Number(query.within) : query.within }
          : {}),
        ...(query.name !== undefined ? { name: query.name } : {}),
      }),
  }),
  route({
    method: 'put',
    path: '/api/v1/secrets/{name}',
    operationId: 'setSecret',
    summary:
      'Stores a secret: the HTTP headers a call-webhook action names by `headersSecret`. Its value is never sent back.',
    tag: 'automations',
    scope: 'admin',
    params: secretParams,
    body: secretBody,
    bodyCheckedByHandler: true,
    response: 'none',
    handle: async ({ params, body, ctx }) => {
      // The header rules name the header at fault better than the schema would.
      const { value } = parseInput(z.object({ value: z.unknown() }).strict(), body, 'body');
      await saveSecret(ctx.stores.secrets, params.name, value, Date.now());
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/secrets',
    operationId: 'listSecrets',
    summary: 'The names of the stored secrets and when each was set (never their values).',
    tag: 'automations',
    scope: 'admin',
    response: z.object({ secrets: z.array(z.object({ name: z.string(), updatedAt: z.number().int() })) }),
    handle: async ({ ctx }) => ({ secrets: await ctx.stores.secrets.list() }),
  }),
  route({
    method: 'delete',
    path: '/api/v1/secrets/{name}',
    operationId: 'deleteSecret',
    summary: 'Deletes a secret.',
    tag: 'automations',
    scope: 'admin',
    params: secretParams,
    response: z.object({ deleted: z.boolean() }),
    handle: async ({ params, ctx }) => {
      await removeSecret(ctx.stores.secrets, params.name);
      return { deleted: true };
    },
  }),
];
