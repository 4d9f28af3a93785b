/**
 * The automation reads and writes the screens share, with their query keys: every key starts
 * with `automations`, so one invalidation after a change (or a `flowtrail.automation.*` event)
 * refreshes the list, the page and its history.
 */
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { unwrap } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import type { AutomationInput, AutomationRecord, HistoryEntry } from './automation-types.ts';

export const AUTOMATIONS_KEY = ['automations'] as const;
/** Firings per history page. */
export const HISTORY_PAGE = 20;

export function useAutomations() {
  return useQuery({
    queryKey: [...AUTOMATIONS_KEY, 'list'],
    queryFn: async () => unwrap(await api.GET('/api/v1/automations')).automations,
  });
}

export function useAutomation(id: string) {
  return useQuery({
    queryKey: [...AUTOMATIONS_KEY, 'one', id],
    queryFn: async () => unwrap(await api.GET('/api/v1/automations/{id}', { params: { path: { id } } })),
  });
}

interface HistoryCursor {
  before: number;
  beforeId: string;
}

/** Keyset pages of firings, newest first: each page starts after the last firing of the one before. */
export function useAutomationHistory(id: string) {
  return useInfiniteQuery({
    queryKey: [...AUTOMATIONS_KEY, 'history', id],
    initialPageParam: null as HistoryCursor | null,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/api/v1/automations/{id}/history', {
          params: { path: { id }, query: { limit: HISTORY_PAGE, ...(pageParam ?? {}) } },
        }),
      ).history,
    getNextPageParam: (page: HistoryEntry[]): HistoryCursor | null => {
      const last = page.at(-1);
      return page.length < HISTORY_PAGE || !last
        ? null
        : { before: last.firing.triggeredAt, beforeId: last.firing.id };
    },
  });
}

/** The firings an event took part in, with their actions. */
export function useEventFirings(eventId: string) {
  return useQuery({
    queryKey: [...AUTOMATIONS_KEY, 'event-firings', eventId],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/events/{eventId}/automation-firings', { params: { path: { eventId } } }))
        .firings,
  });
}

export function useDeploymentNames() {
  return useQuery({
    queryKey: ['deployments', 'names'],
    queryFn: async () => unwrap(await api.GET('/api/v1/deployments')).deployments.map((d) => d.flow),
  });
}

/** Saves a new automation (no id) or replaces the one `id` names. */
export async function saveAutomation(input: AutomationInput, id?: string): Promise<AutomationRecord> {
  return id === undefined
    ? unwrap(await api.POST('/api/v1/automations', { body: input }))
    : unwrap(await api.PUT('/api/v1/automations/{id}', { params: { path: { id } }, body: input }));
}

export async function setAutomationEnabled(id: string, enabled: boolean): Promise<AutomationRecord> {
  return unwrap(await api.PATCH('/api/v1/automations/{id}', { params: { path: { id } }, body: { enabled } }));
}

export async function deleteAutomation(id: string): Promise<void> {
  unwrap(await api.DELETE('/api/v1/automations/{id}', { params: { path: { id } } }));
}

/** The automation an event suggests (not saved). */
export async function draftFromEvent(eventId: string): Promise<AutomationInput> {
  return unwrap(
    await api.GET('/api/v1/events/{eventId}/automation-draft', { params: { path: { eventId } } }),
  );
}

/** A record as the editor's input: the store's own fields dropped (the API ignores them anyway). */
export function inputOf(record: AutomationRecord): AutomationInput {
  const { createdAt: _c, updatedAt: _u, lastFiredAt: _l, ...input } = record;
  return input;
}
