/** A deployment record to put straight into a store, for tests of automations that name deployments. */
import type { DeploymentRecord } from '../../src/store/deployment-store.ts';

export function deploymentRecord(
  flow: string,
  triggers: Partial<DeploymentRecord['triggers']> = {},
): DeploymentRecord {
  const now = Date.now();
  return {
    flow,
    file: `/flows/${flow}.ts`,
    bundleSha: 'b'.repeat(64),
    codeSha: 'c'.repeat(64),
    params: {},
    triggers: { events: [], flows: [], resetWindowMs: 3_600_000, schedule: null, ...triggers },
    productionToken: `${flow.toLowerCase()}-1`,
    status: 'active',
    createdAt: now,
    updatedAt: now,
    lastProblem: null,
    nextScheduledAt: null,
  };
}
