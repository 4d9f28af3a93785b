/**
 * `flowtrail deploy FILE`: registers a deployment — the compiled flow module and its code package
 * (stored as blobs, so later edits of the file do not change what runs), parameter values, the
 * triggers and schedule — in the database the trigger engine (`flowtrail server`) reads.
 */

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { homePaths } from '../core/config.ts';
import { nextCronTime, parseCron } from '../core/cron.ts';
import { ConflictError } from '../core/errors.ts';
import { findParameter, resolveParameters } from '../flow/parameters.ts';
import { DEFAULT_RESET_WINDOW_MS, type TriggerSpec } from '../flow/trigger-spec.ts';
import type { ArtifactStore } from '../store/artifact-store.ts';
import type { DeploymentRecord, DeploymentRegistry } from '../store/deployment-store.ts';
import type { CodePackage } from './code-package.ts';
import { importFlowModule, type LoadedFlow, loadFlow } from './flow-loader.ts';

const NO_TRIGGERS: TriggerSpec = {
  events: [],
  flows: [],
  resetWindowMs: DEFAULT_RESET_WINDOW_MS,
  schedule: null,
};

/**
 * Refuses a deployment whose `@triggerOnFinish` chain would lead back to itself (A on A, or A on
 * B on … on A): each run would start the next forever.
 */
export function checkNoTriggerLoop(
  flow: string,
  triggers: TriggerSpec,
  others: readonly DeploymentRecord[],
): void {
  const upstreamOf = new Map<string, readonly string[]>(
    others.filter((d) => d.flow !== flow).map((d) => [d.flow, d.triggers.flows]),
  );
  upstreamOf.set(flow, triggers.flows);
  // Walk upstream from `flow`; reaching `flow` again is a loop.
  const walk = (current: string, chain: string[]): string[] | undefined => {
    for (const up of upstreamOf.get(current) ?? []) {
      if (up === flow) return [...chain, up];
      if (chain.includes(up)) continue;
      const found = walk(up, [...chain, up]);
      if (found) return found;
    }
    return undefined;
  };
  const loop = walk(flow, [flow]);
  if (loop)
    throw new ConflictError(
      `Deploying ${flow} would make it trigger itself in a loop: ${[...loop].reverse().join(' → ')} (each arrow: "finishing starts"). Remove one @triggerOnFinish of the cycle.`,
      { flow, loop },
    );
}

export interface DeployOptions {
  file: string;
  flowName?: string;
  /** Parameter values for deployed runs (they override the flow's defaults; triggers map over them). */
  params?: Record<string, unknown>;
  paramsFromText?: boolean;
  /** Where flows are compiled. */
  home: string;
  deployments: DeploymentRegistry;
  artifacts: ArtifactStore;
  now?: number;
}

export async function deployFlow(
  options: DeployOptions,
): Promise<{ deployment: DeploymentRecord; replaced: boolean }> {
  const now = options.now ?? Date.now();
  const loaded = await loadFlow(options.file, homePaths(options.home).build, options.flowName);
  const flow = loaded.graph.flowName;
  const triggers = loaded.graph.triggers ?? NO_TRIGGERS;
  const params = deployParameters(loaded, options.params ?? {}, options.paramsFromText ?? false);
  checkNoTriggerLoop(flow, triggers, await options.deployments.list());
  const bundle = await options.artifacts.put(await fs.readFile(loaded.bundle));
  const code = await options.artifacts.put(new TextEncoder().encode(JSON.stringify(loaded.code)));
  const existing = await options.deployments.get(flow);
  const deployment: DeploymentRecord = {
    flow,
    file: loaded.file,
    bundleSha: bundle.sha,
    codeSha: code.sha,
    params,
    triggers,
    productionToken: existing?.productionToken ?? `${flow.toLowerCase()}-${randomBytes(4).toString('hex')}`,
    status: existing?.status ?? 'active',
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    lastProblem: null,
    nextScheduledAt: triggers.schedule
      ? nextCronTime(parseCron(triggers.schedule.cron), new Date(now), triggers.schedule.timezone).getTime()
      : null,
  };
  await options.deployments.upsert(deployment);
  return { deployment, replaced: existing !== undefined };
}

/**
 * Deploy-time parameter values, checked now rather than when the first trigger fires. Only the
 * given ones are kept: required parameters may still come from a trigger's payload.
 */
function deployParameters(
  loaded: LoadedFlow,
  given: Record<string, unknown>,
  fromText: boolean,
): Record<string, unknown> {
  const all = loaded.graph.params;
  const names = new Set<string>();
  for (const key of Object.keys(given)) {
    const p = findParameter(all, key);
    if (!p)
      resolveParameters(all, { [key]: given[key] }); // throws the usual unknown-parameter error
    else names.add(p.name);
  }
  const subset = new Map([...all].filter(([, p]) => names.has(p.name)));
  return resolveParameters(subset, given, { fromText });
}

/** Where a deployment's module is written in the build directory (once per sha). */
export const deployedBundlePath = (deployment: DeploymentRecord, buildDir: string): string =>
  path.join(buildDir, `deployed-${deployment.flow}-${deployment.bundleSha.slice(0, 16)}.mjs`);

/**
 * The flow a deployment runs: its stored module written to the build directory (once per sha)
 * and imported, with its stored code package.
 */
export async function loadDeployedFlow(
  deployment: DeploymentRecord,
  artifacts: ArtifactStore,
  buildDir: string,
): Promise<LoadedFlow> {
  const bundle = deployedBundlePath(deployment, buildDir);
  try {
    await fs.access(bundle);
  } catch {
    await fs.mkdir(buildDir, { recursive: true });
    const tmp = `${bundle}.${process.pid}.tmp`;
    await fs.writeFile(tmp, await artifacts.get(deployment.bundleSha));
    await fs.rename(tmp, bundle);
  }
  const code = JSON.parse(
    Buffer.from(await artifacts.get(deployment.codeSha)).toString('utf8'),
  ) as CodePackage;
  const { cls, graph } = await importFlowModule(bundle, deployment.flow, deployment.file);
  return { file: deployment.file, bundle, code, cls, graph };
}
