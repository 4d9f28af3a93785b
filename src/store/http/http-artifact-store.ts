import { ArtifactMissingError } from '../../core/errors.ts';
import { type ArtifactStore, checkBytes, checkSha, type StoredBlob } from '../artifact-store.ts';
import type { ServiceClient } from './service-client.ts';

/** The `ArtifactStore` port through a Flowtrail service: blobs are read (and written) by the server. */
export class HttpArtifactStore implements ArtifactStore {
  constructor(private readonly client: ServiceClient) {}

  get location(): string {
    return `service@${this.client.url}`;
  }

  async put(bytes: Uint8Array): Promise<StoredBlob> {
    checkBytes(bytes);
    return this.client.request<StoredBlob>('POST', '/api/v1/artifacts', { bytes });
  }

  async get(sha: string): Promise<Uint8Array> {
    checkSha(sha);
    return this.client.request<Uint8Array>('GET', `/api/v1/artifacts/${encodeURIComponent(sha)}`, {
      expectBytes: true,
    });
  }

  async has(sha: string): Promise<boolean> {
    try {
      await this.size(sha);
      return true;
    } catch (e) {
      if (e instanceof ArtifactMissingError) return false;
      throw e;
    }
  }

  async size(sha: string): Promise<number> {
    checkSha(sha);
    return (
      await this.client.request<{ size: number }>('GET', `/api/v1/artifacts/${encodeURIComponent(sha)}/size`)
    ).size;
  }
}
