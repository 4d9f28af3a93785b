/**
 * A deployment's parameters as its runs see them: each declared parameter of the deployed flow
 * (type, required, default, help) with the value given at deploy time, which overrides the
 * default. The declarations live only in the stored module, so it is loaded (as the engine loads
 * it to start a run) once per module: a module's blob never changes under its sha.
 */
import type { ParameterDeclaration, ParameterType } from '../flow/declarations.ts';
import { loadDeployedFlow } from '../runtime/deploy.ts';
import type { ArtifactStore } from '../store/artifact-store.ts';
import type { DeploymentRecord } from '../store/deployment-store.ts';

export interface DeploymentParameter {
  name: string;
  cliName: string;
  type: ParameterType;
  required: boolean;
  help: string | null;
  /** Absent when the flow declares no default. */
  default?: unknown;
  /** The deploy-time value; absent when the deployment leaves the parameter to its default. */
  value?: unknown;
}

const MAX_CACHED = 64;
const declared = new Map<string, Promise<ParameterDeclaration[]>>();

function declarationsOf(
  deployment: DeploymentRecord,
  artifacts: ArtifactStore,
  buildDir: string,
): Promise<ParameterDeclaration[]> {
  const key = `${deployment.flow}\n${deployment.bundleSha}`;
  let found = declared.get(key);
  if (!found) {
    found = loadDeployedFlow(deployment, artifacts, buildDir).then((loaded) => [
      ...loaded.graph.params.values(),
    ]);
    // A failed load is not kept: the next request tries again.
    found.catch(() => declared.delete(key));
    if (declared.size >= MAX_CACHED) declared.delete(declared.keys().next().value as string);
    declared.set(key, found);
  }
  return found;
}

export async function deploymentParameters(
  deployment: DeploymentRecord,
  artifacts: ArtifactStore,
  buildDir: string,
): Promise<DeploymentParameter[]> {
  const params = await declarationsOf(deployment, artifacts, buildDir);
  return params.map((p) => ({
    name: p.name,
    cliName: p.cliName,
    type: p.type,
    required: p.required,
    help: p.help ?? null,
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(Object.hasOwn(deployment.params, p.name) ? { value: deployment.params[p.name] } : {}),
  }));
}
