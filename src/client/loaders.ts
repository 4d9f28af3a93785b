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
import type {
  ArtifactRecord,
  AttemptRecord,
  LogLine,
  RunRecord,
  StepRecord,
  TaskRecord,
} from '../store/metadata-store.ts';
import { reconcileRun } from '../store/run-liveness.ts';
import { type ClientStores, getNamespace, namespaceTags } from './provider.ts';
import type { LogLineView, RunCode, TaskAttempt } from './types.ts';

const PATHSPEC_PARTS = ['FlowName', 'RunID', 'StepName', 'TaskID', 'ArtifactName'];

/** A pathspec with exactly `parts` components, for `Kind.get(pathspec)`. */
export function expectParts(pathspec: string, kind: string, parts: number): Pathspec {
  const parsed = parsePathspec(pathspec);
  if (pathspecLevel(parsed) !== PATHSPEC_LEVELS[parts - 1]) {
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

/**
 * A run record by flow and number, checked against the namespace; reconciled (a `running` run whose
 * orchestrator is gone marked crashed) unless `reconcile` is false.
 */
export async function fetchRunAt(
  stores: ClientStores,
  flow: string,
  runNumber: number,
  options: { reconcile?: boolean } = {},
): Promise<RunRecord> {
  const pathspec = runPathspec(flow, runNumber);
  const record = await stores.metadata.getRun(flow, runNumber);
  if (!record) throw new NotFoundError(pathspec, `Run('${pathspec}') does not exist.`);
  const ns = getNamespace();
  if (ns !== null && !inNamespace(record))
    throw new NamespaceMismatchError(pathspec, ns, namespaceOfRun(record));
  return options.reconcile === false ? record : reconcile(stores, record);
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

/** The newest (completed, when `successful`) run of a flow in the current namespace. */
export async function fetchLatestRun(
  stores: ClientStores,
  flow: string,
  successful: boolean,
): Promise<RunRecord> {
  const record = await stores.metadata.latestRun({
    flow,
    tags: namespaceTags(),
    ...(successful ? { status: 'completed' as const } : {}),
  });
  if (!record)
    throw new NotFoundError(
      flow,
      `Flow('${flow}') has no ${successful ? 'successful ' : ''}run in namespace '${getNamespace() ?? '(global)'}'.`,
    );
  return reconcile(stores, record);
}

/** A run id (`'2'` or `2`) as its number. */
export function runNumberOf(flow: string, id: string | number): number {
  const n = typeof id === 'number' ? id : Number(id);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidPathspecError(childPathspec(flow, id), `Run id '${id}' must be a positive integer.`);
  return n;
}

/** The `end` task of a run and its step; a NotFoundError while the run has not reached it. */
export async function fetchEndTask(
  stores: ClientStores,
  run: { id: number; pathspec: string; status: string },
): Promise<{ step: StepRecord; task: TaskRecord }> {
  const [end] = await stores.metadata.listTasks(run.id, { step: 'end' });
  if (!end)
    throw new NotFoundError(
      `${run.pathspec}/end`,
      `Run('${run.pathspec}') has no end task (status: ${run.status}).`,
    );
  const step = await stores.metadata.getStep(run.id, 'end');
  return {
    step: step ?? { runId: run.id, name: 'end', createdAt: end.createdAt, finishedAt: end.finishedAt },
    task: end,
  };
}

/** The task of a step with the lowest split index. */
export async function fetchFirstTask(
  stores: ClientStores,
  runId: number,
  step: { name: string; pathspec: string },
): Promise<TaskRecord> {
  const [first] = await stores.metadata.listTasks(runId, { step: step.name, limit: 1 });
  if (!first) throw new NotFoundError(step.pathspec, `Step('${step.pathspec}') has no tasks.`);
  return first;
}

/** A task of a step by id. */
export async function fetchTask(
  stores: ClientStores,
  runId: number,
  step: { name: string; pathspec: string },
  id: string | number,
): Promise<TaskRecord> {
  const n = typeof id === 'number' ? id : Number(id);
  const record = Number.isInteger(n) ? await stores.metadata.getTask(runId, n) : undefined;
  if (!record || record.step !== step.name) {
    const pathspec = childPathspec(step.pathspec, id);
    throw new NotFoundError(pathspec, `Task('${pathspec}') does not exist.`);
  }
  return record;
}

/** Every attempt of a task; with `attempt`, a NotFoundError unless that one exists. */
export async function fetchAttempts(
  stores: ClientStores,
  task: TaskRecord,
  pathspec: string,
  attempt?: number,
): Promise<AttemptRecord[]> {
  const attempts = await stores.metadata.listAttempts(task.runId, task.taskId);
  if (attempt !== undefined && !attempts.some((a) => a.attempt === attempt))
    throw new NotFoundError(
      pathspec,
      `Task('${pathspec}') has no attempt ${attempt}; it has ${attempts.length} (0–${attempts.length - 1}).`,
    );
  return attempts;
}

/** An attempt record as `task.attempts` shows it. */
export const toTaskAttempt = (a: AttemptRecord): TaskAttempt => ({
  attempt: a.attempt,
  status: a.status,
  startedAt: new Date(a.startedAt),
  finishedAt: toDate(a.finishedAt),
  exception: a.exception,
  environmentInfo: a.envInfo,
});

/** A stored log line as `task.loglines()` shows it. */
export const toLogLineView = (l: LogLine): LogLineView => ({
  timestamp: new Date(l.ts),
  stream: l.stream,
  line: l.line,
  seq: l.seq,
});
