/**
 * Automations from TypeScript: create, replace, enable or disable, delete, read, list, their firing
 * history, drafts from an event, and the secrets webhooks use — over the configured provider. In
 * local mode the client does what a server would (`AutomationService`: checks the deployments,
 * secrets and automations named, emits `flowtrail.automation.*`); in remote mode the server does,
 * and the client forwards. The store and validation code loads on first use, not with `flowtrail`.
 */
import type { AutomationInput } from '../automations/automation-input.ts';
import type { AutomationDraftOptions } from '../automations/draft-from-event.ts';
import type { FlowtrailEvent } from '../events/model.ts';
import type { AutomationQuery, AutomationRecord, FiringHistoryEntry } from '../store/automation-store.ts';
import type { AutomationOperations, HistoryOptions } from './automation-service.ts';
import { automationStores } from './provider.ts';

async function operations(): Promise<AutomationOperations> {
  const stores = await automationStores();
  if (stores.remote) {
    const { RemoteAutomations } = await import('./remote-automations.ts');
    return new RemoteAutomations(stores.automations);
  }
  const { AutomationService } = await import('./automation-service.ts');
  return new AutomationService(stores);
}

/**
 * Saves a new automation and returns its record (defaults filled, durations in ms).
 *
 * @throws ValidationError (as a rejection) naming the field, e.g. `trigger.within`, or an action's
 * `deployment`, `headersSecret` or `automation` that does not exist; ConflictError when the id exists.
 *
 * @example
 * const a = await createAutomation({
 *   name: 'retry failed nightly',
 *   trigger: { type: 'event', expect: ['flowtrail.run.failed'], match: { 'flowtrail.resource.id': 'flowtrail.run.NightlyFlow/*' } },
 *   actions: [{ type: 'run-deployment', deployment: 'NightlyFlow' }],
 * });
 */
export async function createAutomation(input: AutomationInput): Promise<AutomationRecord> {
  return (await operations()).create(input);
}

/**
 * Replaces automation `id` with `input` (a record read back is accepted as it is); its trigger
 * state starts again.
 *
 * @throws NotFoundError; ConflictError for a deployment's own automation (re-deploy instead).
 *
 * @example
 * const a = await getAutomation(id);
 * await replaceAutomation(id, { ...a, name: 'renamed' });
 */
export async function replaceAutomation(id: string, input: AutomationInput): Promise<AutomationRecord> {
  return (await operations()).replace(id, input);
}

/**
 * Enables or disables an automation (enabling starts its trigger state again).
 *
 * @example
 * await setAutomationEnabled(id, false);
 */
export async function setAutomationEnabled(id: string, enabled: boolean): Promise<AutomationRecord> {
  return (await operations()).setEnabled(id, enabled);
}

/**
 * Deletes an automation.
 *
 * @throws NotFoundError; ConflictError for a deployment's own automation.
 *
 * @example
 * await deleteAutomation(id);
 */
export async function deleteAutomation(id: string): Promise<void> {
  await (await operations()).delete(id);
}

/**
 * One automation.
 *
 * @throws NotFoundError when there is none.
 *
 * @example
 * const { name, enabled, lastFiredAt } = await getAutomation(id);
 */
export async function getAutomation(id: string): Promise<AutomationRecord> {
  return (await operations()).get(id);
}

/**
 * Automations by name: all, or those owned by a resource (`owner: null` — the unowned ones),
 * enabled or not, with a tag, or related to a resource (owning it, acting on it, or matching it).
 *
 * @example
 * const mine = await listAutomations({ owner: null, enabled: true });
 * const aboutNightly = await listAutomations({ relatedTo: 'flowtrail.deployment.NightlyFlow' });
 */
export async function listAutomations(query: AutomationQuery = {}): Promise<AutomationRecord[]> {
  return (await operations()).list(query);
}

/**
 * An automation's firings, newest first, each with the actions it decided on and how they ended.
 *
 * @example
 * const page = await automationHistory(id, { limit: 20 });
 * const next = await automationHistory(id, { limit: 20, before: page.at(-1)?.firing.triggeredAt });
 */
export async function automationHistory(
  id: string,
  options: HistoryOptions = {},
): Promise<FiringHistoryEntry[]> {
  return (await operations()).history(id, options);
}

/**
 * The automation input an event suggests — a trigger on its resource and name, firing on every
 * such event (or, `posture: 'proactive'`, when none comes `within` a window) — checked, not saved.
 * Pass it to {@link createAutomation}, changed or not.
 *
 * @throws NotFoundError for an unknown event id; ValidationError for an option that cannot work.
 *
 * @example
 * const draft = await draftAutomationFromEvent(eventId, { posture: 'proactive', within: '1h' });
 * await createAutomation({ ...draft, actions: [{ type: 'call-webhook', url: 'https://hooks.example.com/late' }] });
 */
export async function draftAutomationFromEvent(
  event: string | Pick<FlowtrailEvent, 'id' | 'event' | 'resource'>,
  options: AutomationDraftOptions = {},
): Promise<AutomationInput> {
  const service = await import('./automation-service.ts');
  if (typeof event !== 'string') return service.checkedDraft(event, options);
  return service.draftFromStoredEvent((await automationStores()).events, event, options);
}

/**
 * Stores a secret: the HTTP headers a `call-webhook` action sends (`headersSecret: name`). Values
 * are never listed or sent back. Over a service this needs an admin key.
 *
 * @example
 * await setSecret('pager', { Authorization: `Bearer ${process.env.PAGER_TOKEN}` });
 */
export async function setSecret(name: string, value: Readonly<Record<string, string>>): Promise<void> {
  const [{ saveSecret }, stores] = await Promise.all([import('./secret-service.ts'), automationStores()]);
  await saveSecret(stores.secrets, name, value, Date.now());
}

/**
 * The names of the stored secrets and when each was set.
 *
 * @example
 * for (const { name } of await listSecrets()) console.log(name);
 */
export async function listSecrets(): Promise<{ name: string; updatedAt: number }[]> {
  return (await automationStores()).secrets.list();
}

/**
 * Deletes a secret (webhooks naming it then fail until it is stored again).
 *
 * @throws NotFoundError when there is none.
 *
 * @example
 * await deleteSecret('pager');
 */
export async function deleteSecret(name: string): Promise<void> {
  const [{ removeSecret }, stores] = await Promise.all([import('./secret-service.ts'), automationStores()]);
  await removeSecret(stores.secrets, name);
}
