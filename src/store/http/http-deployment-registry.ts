import type {
  ArrivedDependency,
  DeploymentRecord,
  DeploymentRegistry,
  DeploymentStatus,
  FiringRecord,
} from '../deployment-store.ts';
import type { ServiceClient } from './service-client.ts';

const seg = encodeURIComponent;

/** Deployments through a Flowtrail service (`/api/v1/deployments…`): `flowtrail deploy` in remote mode. */
export class HttpDeploymentRegistry implements DeploymentRegistry {
  constructor(private readonly client: ServiceClient) {}

  get location(): string {
    return `service@${this.client.url}`;
  }

  async upsert(deployment: DeploymentRecord): Promise<void> {
    await this.client.request<void>('POST', `/api/v1/deployments/${seg(deployment.flow)}`, {
      json: deployment,
    });
  }

  get(flow: string): Promise<DeploymentRecord | undefined> {
    return this.client.request('GET', `/api/v1/deployments/${seg(flow)}`, { notFoundAsUndefined: true });
  }

  async list(): Promise<DeploymentRecord[]> {
    return (await this.client.request<{ deployments: DeploymentRecord[] }>('GET', '/api/v1/deployments'))
      .deployments;
  }

  async setStatus(flow: string, status: DeploymentStatus, at: number): Promise<boolean> {
    const found = await this.client.request<{ changed: boolean } | undefined>(
      'POST',
      `/api/v1/deployments/${seg(flow)}/status`,
      { json: { status, at }, notFoundAsUndefined: true },
    );
    return found?.changed ?? false;
  }

  async delete(flow: string): Promise<boolean> {
    const found = await this.client.request<{ deleted: boolean } | undefined>(
      'DELETE',
      `/api/v1/deployments/${seg(flow)}`,
      { notFoundAsUndefined: true },
    );
    return found?.deleted ?? false;
  }

  async arrivals(flow: string): Promise<ArrivedDependency[]> {
    return (
      await this.client.request<{ arrivals: ArrivedDependency[] }>(
        'GET',
        `/api/v1/deployments/${seg(flow)}/arrivals`,
      )
    ).arrivals;
  }

  async firings(flow: string, limit?: number): Promise<FiringRecord[]> {
    return (
      await this.client.request<{ firings: FiringRecord[] }>(
        'GET',
        `/api/v1/deployments/${seg(flow)}/firings`,
        {
          query: { limit },
        },
      )
    ).firings;
  }
}
