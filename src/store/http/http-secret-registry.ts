import type { SecretStore } from '../automation-store.ts';
import type { ServiceClient } from './service-client.ts';

const seg = encodeURIComponent;

/**
 * Secrets through a Flowtrail service (`/api/v1/secrets…`, admin keys): set, list names, delete.
 * A value never comes back over HTTP, so there is no `get`: only the server reads values.
 */
export class HttpSecretRegistry implements Omit<SecretStore, 'get'> {
  constructor(private readonly client: ServiceClient) {}

  async set(name: string, value: Record<string, string>): Promise<void> {
    await this.client.request<void>('PUT', `/api/v1/secrets/${seg(name)}`, { json: { value } });
  }

  async list(): Promise<{ name: string; updatedAt: number }[]> {
    return (
      await this.client.request<{ secrets: { name: string; updatedAt: number }[] }>('GET', '/api/v1/secrets')
    ).secrets;
  }

  async delete(name: string): Promise<boolean> {
    const found = await this.client.request<{ deleted: boolean } | undefined>(
      'DELETE',
      `/api/v1/secrets/${seg(name)}`,
      { notFoundAsUndefined: true },
    );
    return found?.deleted ?? false;
  }
}
