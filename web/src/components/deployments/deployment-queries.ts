/**
 * What the deployment screens read, one query per API answer (keys shared so a pause or a live
 * event refreshes every view that shows it), and the event filters that keep them current.
 */
import { useQuery } from '@tanstack/react-query';
import { unwrap } from '../../api/api-error.ts';
import { api, type Schemas } from '../../api/client.ts';
import type { EventFilterInput } from '../../live/event-stream.ts';

export type DeploymentRecord = Schemas['Deployment'];
export type FiringRecord = Schemas['Firing'];
export type AutomationRecord = Schemas['Automation'];

/** Every key below starts with this, so one invalidation refreshes all deployment views. */
export const DEPLOYMENTS_KEY = ['deployments'] as const;
const AUTOMATIONS_KEY = ['automations'] as const;

/** The owner resource of a deployment's own automation (`ownerResource` of the automation). */
export const deploymentResource = (flow: string) => `flowtrail.deployment.${flow}`;

/** The events that change what a deployment screen shows: pauses, firings, the runs they start. */
const DEPLOYMENT_EVENT_NAMES = ['flowtrail.deployment.', 'flowtrail.automation.', 'flowtrail.run.'];

/** The list's filter: any deployment's or automation's event, any run's lifecycle. */
export const deploymentsLiveFilter: EventFilterInput = { event: { prefix: DEPLOYMENT_EVENT_NAMES } };

/** One deployment's filter: its own events, its automation's, its flow's runs'. */
export function deploymentLiveFilter(flow: string, automationId: string | undefined): EventFilterInput {
  const ids = [deploymentResource(flow), `flowtrail.flow.${flow}`];
  if (automationId) ids.push(`flowtrail.automation.${automationId}`);
  return { event: { prefix: DEPLOYMENT_EVENT_NAMES }, anyResource: { id: ids } };
}

export function useDeploymentList() {
  return useQuery({
    queryKey: [...DEPLOYMENTS_KEY, 'list'],
    queryFn: async () => unwrap(await api.GET('/api/v1/deployments')),
  });
}

/** Every automation, for the list's owned ones (one request, matched by owner resource). */
export function useAutomations() {
  return useQuery({
    queryKey: [...AUTOMATIONS_KEY, 'list'],
    queryFn: async () => unwrap(await api.GET('/api/v1/automations')).automations,
  });
}

export function useDeployment(flow: string) {
  return useQuery({
    queryKey: [...DEPLOYMENTS_KEY, 'one', flow],
    queryFn: async () => unwrap(await api.GET('/api/v1/deployments/{flow}', { params: { path: { flow } } })),
  });
}

/** The automation the deployment owns (its @trigger / @triggerOnFinish), or null without one. */
export function useOwnedAutomation(flow: string) {
  return useQuery({
    queryKey: [...AUTOMATIONS_KEY, 'owned', flow],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/automations', { params: { query: { owner: deploymentResource(flow) } } }))
        .automations[0] ?? null,
  });
}

export function useDeploymentParameters(flow: string) {
  return useQuery({
    queryKey: [...DEPLOYMENTS_KEY, 'parameters', flow],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/deployments/{flow}/parameters', { params: { path: { flow } } }))
        .parameters,
    // The declarations change only with a re-deploy, which the deployment query notices.
    staleTime: 60_000,
  });
}

export function useFirings(flow: string, limit: number) {
  return useQuery({
    queryKey: [...DEPLOYMENTS_KEY, 'firings', flow],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/deployments/{flow}/firings', {
          params: { path: { flow }, query: { limit } },
        }),
      ).firings,
  });
}

export function useArrivals(flow: string) {
  return useQuery({
    queryKey: [...DEPLOYMENTS_KEY, 'arrivals', flow],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/deployments/{flow}/arrivals', { params: { path: { flow } } })).arrivals,
  });
}

/** The deployment's runs: those carrying its `production:<token>` tag, newest first. */
export function useDeploymentRuns(flow: string, token: string | undefined, limit: number) {
  return useQuery({
    queryKey: [...DEPLOYMENTS_KEY, 'runs', flow, token],
    enabled: token !== undefined,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/flows/{flow}/runs', {
          params: { path: { flow }, query: { tag: [`production:${token}`], limit } },
        }),
      ).runs,
  });
}

/** The query keys a deployment event refreshes. */
export const deploymentQueryKeys = [DEPLOYMENTS_KEY, AUTOMATIONS_KEY] as const;
