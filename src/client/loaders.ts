/**
 * What the client objects read from the stores, as records: existence and namespace checks with
 * the messages a user sees (`NotFoundError` naming what there is instead, `NamespaceMismatchError`
 * naming the object's namespace), pathspec shapes, and the batched reads behind iteration. The
 * classes in `objects.ts` wrap these records; nothing here builds a client object.
 */
import { InvalidPathspecError, NamespaceMismatchError, NotFoundError } from '../core/errors.ts';
import {
  childPathspec,
  PATHSPEC_LEVELS,
  type Pathspec,
  parsePathspec,
  pathspecLevel,
  runPathspec,
} from '../core/pathspec.ts';
import type { ArtifactRecord, RunRecord, StepRecord, TaskRecord } from '../store/metadata-store.ts';
import { reconcileRun } from '../store/run-liveness.ts';
import { type ClientStores, getNamespace } from './provider.ts';
import type { RunCode } from './types.ts';

const PATHSPEC_PARTS = ['FlowName', 'RunID', 'StepName', 'TaskID', 'ArtifactName'];

/** A pathspec with exactly `parts` components, for `Kind.get(pathspec)`. */
export function expectParts(pathspec: string, kind: string, parts: number): Pathspec {
  const parsed = parsePathspec(pathspec);
  if (PATHSPEC_LEVELS.indexOf(pathspecLevel(parsed)) + 1 !== parts) {
    const shape = PATHSPEC_PARTS.slice(0, parts).join('/');
    throw new InvalidPathspecError(pathspec, `Expects ${kind}('${shape}'), got '${pathspec}'.`);
  }
  return parsed;
}

/** The namespace a run is in: its `production:` tag when deployed, else its `user:` tag. */
function namespaceOfRun(record: RunRecord): string {
  const tags = [...record.systemTags, ...record.tags];
  return (
    tags.find((t) => t.startsWith('production:')) ??
    tags.find((t) => t.startsWith('user:')) ??
    `user:${record.user}`
  );
}

/** Whether a run is visible in the current namespace. */
export function inNamespace(record: RunRecord): boolean {
  const ns = getNamespace();
  return ns === null || record.tags.includes(ns) || record.systemTags.includes(ns);
}

/** The run's record, with a `running` run whose orchestrator is gone marked `crashed`. */
export const reconcile = (stores: ClientStores, run: RunRecord): Promise<RunRecord> =>
  reconcileRun(stores.metadata, run);

/** A run record by flow and number, checked against the namespace. */
export async function fetchRunAt(stores: ClientStores, flow: string, runNumber: number): Promise<RunRecord> {
  const pathspec = runPathspec(flow, runNumber);
  const record = await stores.metadata.getRun(flow, runNumber);
  if (!record) throw new NotFoundError(pathspec, `Run('${pathspec}') does not exist.`);
  const ns = getNamespace();
  if (ns !== null && !inNamespace(record))
    throw new NamespaceMismatchError(pathspec, ns, namespaceOfRun(record));
  return reconcile(stores, record);
}

/** A flow's creation time, checked against the namespace (a flow is in the namespaces of its runs). */
export async function fetchFlow(stores: ClientStores, flow: string): Promise<{ createdAt: number }> {
  const row = await stores.metadata.getFlow(flow);
  if (!row) throw new NotFoundError(flow, `Flow('${flow}') does not exist.`);
  const ns = getNamespace();
  if (ns !== null && !(await stores.metadata.flowHasRun(flow, [ns]))) {
    const [latest] = await stores.metadata.listRuns(flow, { limit: 1 });
    throw new NamespaceMismatchError(flow, ns, latest ? namespaceOfRun(latest) : undefined);
  }
  return row;
}

/** A step record of a run; a missing one is a NotFoundError listing the run's steps, in the order they ran. */
export async function fetchStep(
  stores: ClientStores,
  run: { id: number; pathspec: string },
  name: string,
): Promise<StepRecord> {
  const step = await stores.metadata.getStep(run.id, name);
  if (step) return step;
  const steps = await stores.metadata.listSteps(run.id);
  // In the order they ran, as a user reads the flow.
  const names = steps
    .sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name))
    .map((s) => s.name);
  throw new NotFoundError(
    childPathspec(run.pathspec, name),
    `Step('${childPathspec(run.pathspec, name)}') does not exist; ${names.length ? `Run('${run.pathspec}') has steps ${names.join(', ')}` : `Run('${run.pathspec}') has no steps yet`}.`,
  );
}

/** The artifact indexes of a page of tasks in one query: task id → name → record. */
export async function artifactsByTask(
  stores: ClientStores,
  runId: number,
  tasks: readonly TaskRecord[],
): Promise<Map<number, Map<string, ArtifactRecord>>> {
  const out = new Map<number, Map<string, ArtifactRecord>>();
  const rows = await stores.metadata.listArtifactsOfTasks(
    runId,
    tasks.map((t) => t.taskId),
  );
  for (const a of rows) {
    let m = out.get(a.taskId);
    if (!m) {
      m = new Map();
      out.set(a.taskId, m);
    }
    m.set(a.name, a);
  }
  return out;
}

/** The code package a run executed, or null for a run stored without one. */
export async function fetchRunCode(stores: ClientStores, codeSha: string | null): Promise<RunCode | null> {
  if (!codeSha) return null;
  const pkg = JSON.parse(Buffer.from(await stores.artifacts.get(codeSha)).toString('utf8')) as {
    entry: string;
    files: Record<string, string>;
  };
  return { entry: pkg.entry, files: pkg.files, flowSource: pkg.files[pkg.entry] ?? '' };
}

/** A store timestamp (ms) as a Date; null stays null. */
export const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
