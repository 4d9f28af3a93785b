/**
 * The automation operations of a client in remote mode: checked here for a quick answer, then
 * sent to the service, whose server runs the whole `AutomationService` (references, the
 * deployment-owned rule, the change events). Nothing is emitted here, so nothing twice.
 */
import type {
  AutomationQuery,
  AutomationRecord,
  AutomationRegistry,
  FiringHistoryEntry,
} from '../store/automation-store.ts';
import {
  type AutomationOperations,
  automationNotFound,
  automationToSave,
  checkHistoryOptions,
  type HistoryOptions,
} from './automation-service.ts';

export class RemoteAutomations implements AutomationOperations {
  constructor(private readonly registry: AutomationRegistry) {}

  create(input: unknown): Promise<AutomationRecord> {
    return this.registry.create(automationToSave(input), Date.now());
  }

  async replace(id: string, input: unknown): Promise<AutomationRecord> {
    return (await this.registry.replace(automationToSave(input, id), Date.now())) ?? this.missing(id);
  }

  async setEnabled(id: string, enabled: boolean): Promise<AutomationRecord> {
    return (await this.registry.setEnabled(id, enabled, Date.now())) ?? this.missing(id);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.registry.delete(id))) this.missing(id);
  }

  async get(id: string): Promise<AutomationRecord> {
    return (await this.registry.get(id)) ?? this.missing(id);
  }

  list(query: AutomationQuery = {}): Promise<AutomationRecord[]> {
    return this.registry.list(query);
  }

  async history(id: string, options: HistoryOptions = {}): Promise<FiringHistoryEntry[]> {
    const checked = checkHistoryOptions(options);
    await this.get(id);
    return this.registry.history(id, checked);
  }

  private missing(id: string): never {
    throw automationNotFound(id, this.registry.location);
  }
}
