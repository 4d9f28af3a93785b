/**
 * TEMPORARY — replaced when the SQL automation store (issue 12, the store part, built in parallel)
 * is merged: `openSqliteStores` / `openPostgresStores` then return `automations` and `secrets`, and
 * this file goes. Until then every call fails loudly instead of pretending to store anything.
 */
import { StoreError } from '../core/errors.ts';
import type { AutomationStore, SecretStore } from './automation-store.ts';

function pending<T extends object>(what: string, location: string): T {
  return new Proxy({} as T, {
    get: (_target, key) =>
      key === 'location'
        ? location
        : () =>
            Promise.reject(
              new StoreError(`The ${what} of ${location} is not built yet (issue 12, store part).`),
            ),
  });
}

export function pendingAutomationStores(location: string): {
  automations: AutomationStore;
  secrets: SecretStore;
} {
  return {
    automations: pending<AutomationStore>('automation store', location),
    secrets: pending<SecretStore>('secret store', location),
  };
}
