import type { Automation } from '../../automations/model.ts';
import type {
  AutomationQuery,
  AutomationRecord,
  AutomationRegistry,
  FiringHistoryEntry,
} from '../automation-store.ts';
import type { ServiceClient } from './service-client.ts';

const seg = encodeURIComponent;

/**
 * Automations through a Flowtrail service (`/api/v1/automations…`): the client and the CLI in
 * remote mode. The server validates, checks references and emits the change events; its clock
 * stamps the records (the engine compares them with the events' `received`), so `now` is not sent.
 */
export class HttpAutomationRegistry implements AutomationRegistry {
  constructor(private readonly client: ServiceClient) {}

  get location(): string {
    return `service@${this.client.url}`;
  }

  create(automation: Automation): Promise<AutomationRecord> {
    return this.client.request('POST', '/api/v1/automations', { json: automation });
  }

  replace(automation: Automation): Promise<AutomationRecord | undefined> {
    return this.client.request('PUT', `/api/v1/automations/${seg(automation.id)}`, {
      json: automation,
      notFoundAsUndefined: true,
    });
  }

  setEnabled(id: string, enabled: boolean): Promise<AutomationRecord | undefined> {
    return this.client.request('PATCH', `/api/v1/automations/${seg(id)}`, {
      json: { enabled },
      notFoundAsUndefined: true,
    });
  }

  async delete(id: string): Promise<boolean> {
    const found = await this.client.request<{ deleted: boolean } | undefined>(
      'DELETE',
      `/api/v1/automations/${seg(id)}`,
      { notFoundAsUndefined: true },
    );
    return found?.deleted ?? false;
  }

  get(id: string): Promise<AutomationRecord | undefined> {
    return this.client.request('GET', `/api/v1/automations/${seg(id)}`, { notFoundAsUndefined: true });
  }

  async list(query: AutomationQuery = {}): Promise<AutomationRecord[]> {
    const answer = await this.client.request<{ automations: AutomationRecord[] }>(
      'GET',
      '/api/v1/automations',
      {
        query: {
          owner: query.owner ?? undefined,
          unowned: query.owner === null ? true : undefined,
          enabled: query.enabled,
          tag: query.tag,
          relatedTo: query.relatedTo,
        },
      },
    );
    return answer.automations;
  }

  async history(
    id: string,
    options: { limit?: number; before?: number; beforeId?: string } = {},
  ): Promise<FiringHistoryEntry[]> {
    const answer = await this.client.request<{ history: FiringHistoryEntry[] } | undefined>(
      'GET',
      `/api/v1/automations/${seg(id)}/history`,
      {
        query: { limit: options.limit, before: options.before, beforeId: options.beforeId },
        notFoundAsUndefined: true,
      },
    );
    return answer?.history ?? [];
  }
}
