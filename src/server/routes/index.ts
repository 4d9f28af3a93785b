/**
 * Every route of the HTTP API (`/api/v1`), one table per group. Metadata routes mirror the
 * `MetadataStore` port, event routes the `EventStore` port and artifact routes the `ArtifactStore`
 * port, so the `http` adapters (`store/http/`) are thin and pass the ports' conformance suites
 * through the server. Order matters where paths overlap (`/runs/running` before `/runs/{runId}`).
 */
import type { Route } from '../route.ts';
import { artifactRoutes } from './artifact-routes.ts';
import { automationRoutes } from './automation-routes.ts';
import { deploymentRoutes } from './deployment-routes.ts';
import { eventRoutes } from './event-routes.ts';
import { metadataRoutes } from './metadata-routes.ts';
import { runControlRoutes } from './run-control-routes.ts';
import { runPageRoutes } from './run-page-routes.ts';
import { serviceRoutes } from './service-routes.ts';
import { taskPageRoutes } from './task-page-routes.ts';

export const routes: readonly Route[] = [
  ...serviceRoutes,
  ...metadataRoutes,
  ...runControlRoutes,
  // The task page of the web UI.
  ...taskPageRoutes,
  ...runPageRoutes,
  ...artifactRoutes,
  ...deploymentRoutes,
  ...automationRoutes,
  ...eventRoutes,
];
