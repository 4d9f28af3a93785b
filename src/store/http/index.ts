import { HttpArtifactStore } from './http-artifact-store.ts';
import { HttpAutomationRegistry } from './http-automation-registry.ts';
import { HttpDeploymentRegistry } from './http-deployment-registry.ts';
import { HttpEventStore } from './http-event-store.ts';
import { HttpMetadataStore } from './http-metadata-store.ts';
import { HttpSecretRegistry } from './http-secret-registry.ts';
import { ServiceClient, type ServiceClientOptions } from './service-client.ts';

export {
  HttpArtifactStore,
  HttpDeploymentRegistry,
  HttpEventStore,
  HttpMetadataStore,
  ServiceClient,
  type ServiceClientOptions,
};

/**
 * The stores of a Flowtrail service: metadata, events and artifact reads over HTTP.
 *
 * @example
 * const stores = openServiceStores({ url: 'http://127.0.0.1:8787', apiKey: process.env.FLOWTRAIL_API_KEY });
 */
export function openServiceStores(options: ServiceClientOptions) {
  const client = new ServiceClient(options);
  return {
    client,
    metadata: new HttpMetadataStore(client),
    events: new HttpEventStore(client),
    artifacts: new HttpArtifactStore(client),
    deployments: new HttpDeploymentRegistry(client),
    automations: new HttpAutomationRegistry(client),
    secrets: new HttpSecretRegistry(client),
    close: async () => client.close(),
  };
}
