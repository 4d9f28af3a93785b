/**
 * Pausing and resuming a deployment, with the event that says so (`flowtrail.deployment.paused` /
 * `resumed`, resource `flowtrail.deployment.<flow>`): open views (the web UI's deployment screens)
 * follow the event stream, so a pause made anywhere shows there without a reload.
 */
import { deploymentEvent } from '../events/lifecycle.ts';
import type { DeploymentRegistry, DeploymentStatus } from './deployment-store.ts';
import type { EventStore } from './event-store.ts';

/**
 * Sets the status; false when there is no such deployment. `events` is null when the registry is
 * a remote service: its server emits the event.
 */
export async function setDeploymentStatus(
  deployments: DeploymentRegistry,
  events: Pick<EventStore, 'append'> | null,
  flow: string,
  status: DeploymentStatus,
  at: number,
): Promise<boolean> {
  if (!(await deployments.setStatus(flow, status, at))) return false;
  await events?.append([deploymentEvent(flow, status === 'paused' ? 'paused' : 'resumed', {}, at)]);
  return true;
}
