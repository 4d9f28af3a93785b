/**
 * What the action tests share: real SQLite stores in a temp directory, an automation, a firing and
 * an action record built the way the engine records them, the triggering event stored in the
 * feed, and the services an action needs — the parts the engine owns (starting and cancelling
 * runs) as recording stand-ins, the ones the automation store will provide as in-memory ones.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventToJSON } from '../../../src/automations/event-json.ts';
import type { AutomationAction } from '../../../src/automations/model.ts';
import { TemplateEngine } from '../../../src/automations/templates.ts';
import { resourceIds } from '../../../src/events/lifecycle.ts';
import type { EventInput, FlowtrailEvent } from '../../../src/events/model.ts';
import { validateEvent } from '../../../src/events/validate-event.ts';
import type {
  ActionContext,
  ActionServices,
  DeploymentRunRequest,
} from '../../../src/server/actions/action-services.ts';
import type {
  ActionRecord,
  AutomationFiringRecord,
  AutomationRecord,
  AutomationRegistry,
  SecretStore,
} from '../../../src/store/automation-store.ts';
import type { DeploymentRecord } from '../../../src/store/deployment-store.ts';
import { openSqliteStores } from '../../../src/store/sql/sqlite/sqlite-stores.ts';

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
export const AUTOMATION_ID = '01900000-0000-7000-8000-000000000001';

export function automationRecord(overrides: Partial<AutomationRecord> = {}): AutomationRecord {
  return {
    id: AUTOMATION_ID,
    name: 'on-dataset',
    description: '',
    enabled: true,
    tags: [],
    trigger: {
      type: 'event',
      match: {},
      matchRelated: [],
      after: [],
      expect: ['dataset.*'],
      forEach: [],
      posture: 'reactive',
      threshold: 1,
      withinMs: 0,
    },
    actions: [{ type: 'do-nothing' }],
    actionsOnTrigger: [],
    actionsOnResolve: [],
    ownerResource: null,
    createdAt: T0,
    updatedAt: T0,
    lastFiredAt: null,
    ...overrides,
  };
}

export function deploymentRecord(flow: string, overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    flow,
    file: `/flows/${flow}.ts`,
    bundleSha: 'b'.repeat(64),
    codeSha: 'c'.repeat(64),
    params: {},
    triggers: { events: [], flows: [], resetWindowMs: 3_600_000, schedule: null },
    productionToken: `${flow.toLowerCase()}-token`,
    status: 'active',
    createdAt: T0,
    updatedAt: T0,
    lastProblem: null,
    nextScheduledAt: null,
    ...overrides,
  };
}

/** A user event, received a minute before the actions run. */
export function datasetEvent(input: Partial<EventInput> = {}): FlowtrailEvent {
  return validateEvent(
    {
      event: 'dataset.refreshed',
      resource: { 'flowtrail.resource.id': 'dataset.sales', 'flowtrail.resource.name': 'sales' },
      payload: { rows: 42, region: 'eu' },
      ...input,
    },
    { now: new Date(T0 - 60_000), allowReserved: true },
  );
}

/** In-memory secrets (the SQL secret store comes with the automation store). */
export class MemorySecrets implements SecretStore {
  readonly #values = new Map<string, Record<string, string>>();
  async set(name: string, value: Record<string, string>): Promise<void> {
    this.#values.set(name, { ...value });
  }
  async get(name: string): Promise<Record<string, string> | undefined> {
    const value = this.#values.get(name);
    return value && { ...value };
  }
  async list(): Promise<{ name: string; updatedAt: number }[]> {
    return [...this.#values.keys()].sort().map((name) => ({ name, updatedAt: T0 }));
  }
  async delete(name: string): Promise<boolean> {
    return this.#values.delete(name);
  }
}

/** An automation registry for actions that must not touch one. */
const noAutomations = new Proxy({ location: 'none' } as AutomationRegistry, {
  get(target, key) {
    if (key in target) return Reflect.get(target, key);
    return () => Promise.reject(new Error(`this test's action called automations.${String(key)}`));
  },
});

export interface ActionHarness extends AsyncDisposable {
  services: ActionServices;
  stores: ReturnType<typeof openSqliteStores>;
  secrets: MemorySecrets;
  /** What `startDeploymentRun` and `cancelRun` were called with. */
  started: DeploymentRunRequest[];
  cancelled: { pathspec: string; reason: string }[];
  /** Replaces the recording `startDeploymentRun`/`cancelRun` answer (e.g. to fail). */
  startRun: (request: DeploymentRunRequest) => Promise<{ runPathspec: string }>;
  cancel: (pathspec: string, reason: string) => Promise<void>;
  /** The context of one action of one firing; the event is stored in the feed first. */
  context(
    action: AutomationAction,
    options?: {
      event?: FlowtrailEvent | null;
      labels?: Record<string, string>;
      automation?: AutomationRecord;
    },
  ): Promise<ActionContext>;
  /** Every event in the feed after the first context's triggering event, in feed order. */
  emitted(): Promise<FlowtrailEvent[]>;
}

export async function actionHarness(
  options: { allowPrivateAddresses?: boolean; automations?: AutomationRegistry } = {},
): Promise<ActionHarness> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-actions-'));
  const stores = openSqliteStores(path.join(dir, 'flowtrail.db'));
  const secrets = new MemorySecrets();
  let clock = T0;
  let afterTriggering: number | null = null;
  const harness: ActionHarness = {
    stores,
    secrets,
    started: [],
    cancelled: [],
    startRun: async (request) => ({ runPathspec: `${request.deployment}/${harness.started.length}` }),
    cancel: async () => {},
    services: {
      events: stores.events,
      deployments: stores.deployments,
      automations: options.automations ?? noAutomations,
      secrets,
      startDeploymentRun: (request) => {
        harness.started.push(request);
        return harness.startRun(request);
      },
      cancelRun: (pathspec, reason) => {
        harness.cancelled.push({ pathspec, reason });
        return harness.cancel(pathspec, reason);
      },
      webhooks: { allowPrivateAddresses: options.allowPrivateAddresses ?? true, retryBaseMs: 1 },
      templates: new TemplateEngine(),
      now: () => ++clock,
    },
    async context(action, { event = datasetEvent(), labels = {}, automation } = {}) {
      const record = automation ?? automationRecord({ actions: [action] });
      if (event) await stores.events.append([event]);
      afterTriggering ??= await stores.events.headPosition();
      const firing: AutomationFiringRecord = {
        id: 'f'.repeat(64),
        automation: record.id,
        firing: {
          id: 'f'.repeat(64),
          automation: record.id,
          trigger: 'trigger',
          triggered: T0,
          at: event ? event.occurred.getTime() : T0,
          labels,
          event: event ? eventToJSON(event) : null,
          children: [],
        },
        eventIds: event ? [event.id] : [],
        triggeredAt: T0,
      };
      const actionRecord: ActionRecord = {
        id: `${firing.id}:actions:0`,
        firing: firing.id,
        automation: record.id,
        list: 'actions',
        index: 0,
        action,
        status: 'pending',
        attempts: 0,
        message: null,
        target: null,
        createdAt: T0,
        finishedAt: null,
      };
      return { automation: record, firing, record: actionRecord, events: event ? [event] : [] };
    },
    async emitted() {
      return (await stores.events.readAfter(afterTriggering ?? 0, 1000)).events;
    },
    async [Symbol.asyncDispose]() {
      await stores.metadata.close();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** The automation's own events among `events`, as [name, payload, target] for readable assertions. */
export function actionStory(events: readonly FlowtrailEvent[]) {
  return events
    .filter((e) => e.resource['flowtrail.resource.id'] === resourceIds.automation(AUTOMATION_ID))
    .map((e) => ({
      event: e.event,
      payload: e.payload,
      target:
        e.related.find((r) => r['flowtrail.resource.role'] === 'target')?.['flowtrail.resource.id'] ?? null,
      follows: e.follows,
      id: e.id,
    }));
}
