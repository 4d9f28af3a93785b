/**
 * `flowtrail show PATHSPEC`: what the client API knows about a flow, run, step, task or artifact,
 * as text or as one JSON object. One concept over ~400 lines: one describer per pathspec level,
 * each with its text and JSON form side by side so the two cannot drift apart.
 */
import { DataArtifact, Flow, Run, Step, Task } from '../client/objects.ts';
import type { TaskAttempt } from '../client/types.ts';
import { formatElapsed } from '../core/duration.ts';
import type { ExceptionRecord } from '../core/errors.ts';
import { durationMs, fields, formatSize, formatTime, isoOrNull, jsonText, table } from './format.ts';
import { pathspecLevel } from './targets.ts';
import { runUiLink } from './ui-link.ts';
import { inspectValue, toJsonValue } from './values.ts';

export interface ShowOptions {
  json: boolean;
  /** Most runs listed for a flow. */
  limit: number;
}

/** Text (or JSON) description of the object a pathspec names. */
export async function showPathspec(pathspec: string, options: ShowOptions): Promise<string> {
  switch (pathspecLevel(pathspec)) {
    case 'flow':
      return showFlow(pathspec, options);
    case 'run':
      return showRun(pathspec, options);
    case 'step':
      return showStep(pathspec, options);
    case 'task':
      return showTask(pathspec, options);
    case 'artifact':
      return showArtifact(pathspec, options);
  }
}

const exceptionText = (e: ExceptionRecord) => `${e.type}: ${e.message}`;
const exceptionJson = (e: ExceptionRecord | null) =>
  e === null
    ? null
    : { type: e.type, message: e.message, ...(e.code ? { code: e.code } : {}), stack: e.stack };
const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const list = (items: readonly string[]) => (items.length === 0 ? '(none)' : items.join(', '));

// ---- Flow

async function showFlow(pathspec: string, { json, limit }: ShowOptions): Promise<string> {
  const flow = await Flow.get(pathspec);
  const runs: Run[] = [];
  let more = false;
  for await (const run of flow) {
    if (runs.length === limit) {
      more = true;
      break;
    }
    runs.push(run);
  }
  const rows = runs.map((r) => ({
    id: r.id,
    pathspec: r.pathspec,
    status: r.status,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    durationMs: durationMs(r.createdAt, r.finishedAt, !r.finished),
    tags: r.userTags,
  }));
  if (json)
    return jsonText({
      flow: flow.name,
      pathspec: flow.pathspec,
      createdAt: flow.createdAt.toISOString(),
      runs: rows.map((r) => ({
        ...r,
        createdAt: isoOrNull(r.createdAt),
        finishedAt: isoOrNull(r.finishedAt),
      })),
      limit,
      more,
    });
  const lines = [`Flow ${flow.name}`, ''];
  if (rows.length === 0) lines.push('  (no runs in this namespace)');
  else {
    lines.push(`Runs, newest first (${rows.length}${more ? `; more with --limit ${limit * 2}` : ''}):`);
    lines.push(
      ...table(
        ['RUN', 'STATUS', 'CREATED', 'FINISHED', 'DURATION', 'TAGS'],
        rows.map((r) => [
          r.id,
          r.status,
          formatTime(r.createdAt),
          formatTime(r.finishedAt),
          formatElapsed(r.durationMs),
          r.tags.join(', '),
        ]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

// ---- Run

interface StepSummary {
  name: string;
  status: 'completed' | 'failed' | 'running' | 'cancelled';
  tasks: number;
  completed: number;
  failed: number;
  running: number;
  pending: number;
  /** Tasks the run's cancel stopped or kept from starting. */
  cancelled: number;
  /** Completed tasks whose error was caught (`@catchError`): finished, not successful. */
  caught: number;
  createdAt: Date;
  finishedAt: Date | null;
}

async function summarizeStep(step: Step): Promise<StepSummary> {
  const s: StepSummary = {
    name: step.name,
    status: 'completed',
    tasks: 0,
    completed: 0,
    failed: 0,
    running: 0,
    pending: 0,
    cancelled: 0,
    caught: 0,
    createdAt: step.createdAt,
    finishedAt: step.finishedAt,
  };
  for await (const task of step) {
    s.tasks++;
    s[task.status]++;
    if (task.status === 'completed' && !task.successful) s.caught++;
  }
  s.status =
    s.running + s.pending > 0
      ? 'running'
      : s.failed > 0
        ? 'failed'
        : s.cancelled > 0
          ? 'cancelled'
          : 'completed';
  return s;
}

async function showRun(pathspec: string, { json }: ShowOptions): Promise<string> {
  const run = await Run.get(pathspec);
  const stepList: Step[] = [];
  for await (const step of run) stepList.push(step);
  stepList.reverse(); // the client lists newest first; show them in the order they ran
  const steps = await Promise.all(stepList.map(summarizeStep));
  const duration = durationMs(run.createdAt, run.finishedAt, !run.finished);
  if (json)
    return jsonText({
      pathspec: run.pathspec,
      flow: run.flowName,
      id: run.id,
      status: run.status,
      successful: run.successful,
      finished: run.finished,
      createdAt: run.createdAt.toISOString(),
      finishedAt: isoOrNull(run.finishedAt),
      durationMs: duration,
      parameters: toJsonValue(run.parameters, 0),
      tags: run.userTags,
      systemTags: run.systemTags,
      originPathspec: run.originPathspec,
      trigger: run.record.trigger,
      error: exceptionJson(run.error),
      ui: runUiLink(run.flowName, run.runNumber),
      steps: steps.map((s) => ({
        ...s,
        createdAt: s.createdAt.toISOString(),
        finishedAt: isoOrNull(s.finishedAt),
        durationMs: durationMs(s.createdAt, s.finishedAt),
      })),
    });
  const params = Object.entries(run.parameters);
  const lines = [
    `Run ${run.pathspec}`,
    ...fields([
      ['Status', run.status],
      ['Created', formatTime(run.createdAt)],
      ['Finished', formatTime(run.finishedAt)],
      ['Duration', `${formatElapsed(duration)}${run.finished ? '' : ' so far'}`],
      ['User tags', list(run.userTags)],
      ['System tags', list(run.systemTags)],
      ['Origin run', run.originPathspec ?? '(none)'],
      [
        'Triggered by',
        run.record.trigger.length === 0
          ? '(started by hand)'
          : run.record.trigger
              .map((c) =>
                c.type === 'run'
                  ? `run ${c.pathspec}`
                  : c.type === 'automation'
                    ? `automation ${c.name} (${c.id})`
                    : `event ${c.name} (${c.id})`,
              )
              .join(', '),
      ],
      ...(run.error ? [['Error', exceptionText(run.error)] as const] : []),
      ['UI', runUiLink(run.flowName, run.runNumber)],
    ]),
    '',
    'Parameters:',
    ...(params.length === 0
      ? ['  (none)']
      : params.map(([k, v]) => `  ${k} = ${inspectValue(v, 200).replace(/\n\s*/g, ' ')}`)),
    '',
    'Steps:',
    ...(steps.length === 0
      ? ['  (none yet)']
      : table(
          ['STEP', 'STATUS', 'TASKS', 'COMPLETED', 'FAILED', 'RUNNING', 'PENDING', 'CANCELLED', 'DURATION'],
          steps.map((s) => [
            s.name,
            s.status,
            String(s.tasks),
            s.caught > 0 ? `${s.completed} (${s.caught} caught)` : String(s.completed),
            String(s.failed),
            String(s.running),
            String(s.pending),
            String(s.cancelled),
            formatElapsed(durationMs(s.createdAt, s.finishedAt)),
          ]),
        )),
  ];
  return `${lines.join('\n')}\n`;
}

// ---- Step

interface TaskRow {
  id: string;
  pathspec: string;
  index: number | null;
  foreachPath: readonly number[];
  status: string;
  successful: boolean;
  finished: boolean;
  attempts: number;
  createdAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
}

/** Runtime of a task: from its first attempt's start to its end. */
function taskDuration(task: Task, attempts: readonly TaskAttempt[]): number | null {
  return durationMs(attempts[0]?.startedAt ?? null, task.finishedAt, !task.finished && attempts.length > 0);
}

async function showStep(pathspec: string, { json }: ShowOptions): Promise<string> {
  const step = await Step.get(pathspec);
  const tasks: Task[] = [];
  for await (const task of step) tasks.push(task);
  tasks.sort((a, b) => a.taskId - b.taskId);
  const rows: TaskRow[] = await Promise.all(
    tasks.map(async (t) => {
      const attempts = await t.attempts;
      return {
        id: t.id,
        pathspec: t.pathspec,
        index: t.index ?? null,
        foreachPath: t.foreachPath,
        status: t.status,
        successful: t.successful,
        finished: t.finished,
        attempts: attempts.length,
        createdAt: t.createdAt,
        finishedAt: t.finishedAt,
        durationMs: taskDuration(t, attempts),
      };
    }),
  );
  if (json)
    return jsonText({
      pathspec: step.pathspec,
      name: step.name,
      createdAt: step.createdAt.toISOString(),
      finishedAt: isoOrNull(step.finishedAt),
      durationMs: durationMs(step.createdAt, step.finishedAt),
      tasks: rows.map((r) => ({
        ...r,
        createdAt: r.createdAt.toISOString(),
        finishedAt: isoOrNull(r.finishedAt),
      })),
    });
  const lines = [
    `Step ${step.pathspec}`,
    ...fields([
      ['Created', formatTime(step.createdAt)],
      ['Finished', formatTime(step.finishedAt)],
      ['Duration', formatElapsed(durationMs(step.createdAt, step.finishedAt))],
    ]),
    '',
    `Tasks (${rows.length}):`,
    ...(rows.length === 0
      ? ['  (none yet)']
      : table(
          ['TASK', 'INDEX', 'STATUS', 'SUCCESSFUL', 'ATTEMPTS', 'DURATION'],
          rows.map((r) => [
            r.id,
            r.foreachPath.length > 1 ? r.foreachPath.join('.') : r.index === null ? '-' : String(r.index),
            r.status,
            r.finished ? yesNo(r.successful) : '-',
            String(r.attempts),
            formatElapsed(r.durationMs),
          ]),
        )),
  ];
  return `${lines.join('\n')}\n`;
}

// ---- Task

async function showTask(pathspec: string, { json }: ShowOptions): Promise<string> {
  const task = await Task.get(pathspec);
  const [attempts, env, artifacts] = await Promise.all([task.attempts, task.environmentInfo, task.artifacts]);
  artifacts.sort((a, b) => a.name.localeCompare(b.name));
  const duration = taskDuration(task, attempts);
  if (json)
    return jsonText({
      pathspec: task.pathspec,
      id: task.id,
      step: task.stepName,
      status: task.status,
      successful: task.successful,
      finished: task.finished,
      index: task.index ?? null,
      foreachPath: task.foreachPath,
      attempt: task.attempt,
      createdAt: task.createdAt.toISOString(),
      finishedAt: isoOrNull(task.finishedAt),
      durationMs: duration,
      originPathspec: task.originPathspec,
      attempts: attempts.map((a) => ({
        attempt: a.attempt,
        status: a.status,
        startedAt: a.startedAt.toISOString(),
        finishedAt: isoOrNull(a.finishedAt),
        durationMs: durationMs(a.startedAt, a.finishedAt),
        exception: exceptionJson(a.exception),
      })),
      environmentInfo: env,
      artifacts: artifacts.map((a) => ({ name: a.name, size: a.size, encoding: a.encoding, sha: a.sha })),
    });
  const lines = [
    `Task ${task.pathspec}`,
    ...fields([
      ['Status', task.status],
      ['Successful', task.finished ? yesNo(task.successful) : '- (not finished)'],
      [
        'Foreach index',
        task.index === undefined
          ? '(not in a foreach)'
          : `${task.index}${task.foreachPath.length > 1 ? ` (path ${task.foreachPath.join('.')})` : ''}`,
      ],
      ['Created', formatTime(task.createdAt)],
      ['Finished', formatTime(task.finishedAt)],
      ['Duration', formatElapsed(duration)],
      ['Origin', task.originPathspec ?? '(none)'],
    ]),
    '',
    `Attempts (${attempts.length}):`,
    ...(attempts.length === 0
      ? ['  (none yet)']
      : table(
          ['ATTEMPT', 'STATUS', 'STARTED', 'DURATION', 'EXCEPTION'],
          attempts.map((a) => [
            String(a.attempt),
            a.status,
            formatTime(a.startedAt),
            formatElapsed(durationMs(a.startedAt, a.finishedAt)),
            a.exception ? exceptionText(a.exception).replace(/\n/g, ' ') : '',
          ]),
        )),
    '',
    `Environment (attempt ${task.attempt}):`,
    ...(env && Object.keys(env).length > 0
      ? fields(Object.entries(env).map(([k, v]) => [k, String(v)] as const))
      : ['  (not recorded)']),
    '',
    `Artifacts (${artifacts.length}):`,
    ...(artifacts.length === 0
      ? ['  (none)']
      : table(
          ['NAME', 'SIZE', 'ENCODING'],
          artifacts.map((a) => [a.name, formatSize(a.size), a.encoding]),
        )),
  ];
  if (artifacts.length > 0) lines.push('', `Values: flowtrail dump ${task.pathspec}`);
  return `${lines.join('\n')}\n`;
}

// ---- Artifact

async function showArtifact(pathspec: string, { json }: ShowOptions): Promise<string> {
  const a = await DataArtifact.get(pathspec);
  if (json)
    return jsonText({
      pathspec: a.pathspec,
      name: a.name,
      sha: a.sha,
      size: a.size,
      encoding: a.encoding,
      createdAt: a.createdAt.toISOString(),
    });
  const lines = [
    `DataArtifact ${a.pathspec}`,
    ...fields([
      ['SHA', a.sha],
      ['Size', `${formatSize(a.size)}${a.size >= 1024 ? ` (${a.size} bytes)` : ''}`],
      ['Encoding', a.encoding],
      ['Created', formatTime(a.createdAt)],
      ['Value', `flowtrail dump ${a.pathspec}`],
    ]),
  ];
  return `${lines.join('\n')}\n`;
}
