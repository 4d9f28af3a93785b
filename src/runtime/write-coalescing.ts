import type { FlowtrailEvent } from '../events/model.ts';
import type {
  ArtifactRecord,
  AttemptRecord,
  LogLine,
  MetadataWrite,
  RunPatch,
  TaskPatch,
  TaskRecord,
} from '../store/metadata-store.ts';

/** Copies the defined fields of `patch` onto `target`. */
function applyPatch<T extends object>(target: T, patch: Partial<T>): void {
  for (const key in patch) if (patch[key] !== undefined) target[key] = patch[key] as T[typeof key];
}

/**
 * Folds one transaction's writes into fewer statements with the same end state: a task created
 * and updated in the batch is inserted in its final state, likewise an attempt started and
 * finished; updates of one row merge; artifact rows, log lines and events each go in as one
 * multi-row write at the end (after every row they refer to), and task and attempt inserts are
 * grouped into runs the store writes as multi-row inserts. A trivial task then costs its share of
 * five multi-row statements instead of six statements of its own.
 */
export function coalesceWrites(ops: readonly MetadataWrite[]): MetadataWrite[] {
  // Task and attempt inserts each sit together, where the first of their kind was, so the store
  // can write them as one multi-row insert; moving them is safe as no other op of the batch
  // touches their rows (updates of those rows are folded into them).
  const out: (MetadataWrite | MetadataWrite[])[] = [];
  const taskInserts: MetadataWrite[] = [];
  const attemptInserts: MetadataWrite[] = [];
  const createdTasks = new Map<string, TaskRecord>();
  const taskUpdates = new Map<string, TaskPatch>();
  const runUpdates = new Map<number, RunPatch>();
  const startedAttempts = new Map<string, AttemptRecord>();
  const stepUpserts = new Map<string, { finishedAt: number | null }>();
  const artifacts = new Map<string, ArtifactRecord>();
  const lines: LogLine[] = [];
  const events: FlowtrailEvent[] = [];
  for (const op of ops) {
    switch (op.op) {
      case 'task.create': {
        const task = { ...op.task };
        createdTasks.set(`${task.runId}:${task.taskId}`, task);
        if (taskInserts.length === 0) out.push(taskInserts);
        taskInserts.push({ op: 'task.create', task });
        break;
      }
      case 'task.update': {
        const key = `${op.runId}:${op.taskId}`;
        const created = createdTasks.get(key);
        const updated = taskUpdates.get(key);
        if (created) applyPatch(created, op.patch);
        else if (updated) applyPatch(updated, op.patch);
        else {
          const patch = { ...op.patch };
          taskUpdates.set(key, patch);
          out.push({ op: 'task.update', runId: op.runId, taskId: op.taskId, patch });
        }
        break;
      }
      case 'attempt.start': {
        const attempt = { ...op.attempt };
        startedAttempts.set(`${attempt.runId}:${attempt.taskId}:${attempt.attempt}`, attempt);
        if (attemptInserts.length === 0) out.push(attemptInserts);
        attemptInserts.push({ op: 'attempt.start', attempt });
        break;
      }
      case 'attempt.finish': {
        const started = startedAttempts.get(`${op.runId}:${op.taskId}:${op.attempt}`);
        if (started) {
          started.status = op.status;
          started.finishedAt = op.finishedAt;
          started.exception = op.exception;
        } else out.push(op);
        break;
      }
      case 'run.update': {
        const merged = runUpdates.get(op.runId);
        if (merged) applyPatch(merged, op.patch);
        else {
          const patch = { ...op.patch };
          runUpdates.set(op.runId, patch);
          out.push({ op: 'run.update', runId: op.runId, patch });
        }
        break;
      }
      case 'step.upsert': {
        // Only `finished_at` changes on conflict, so the last upsert's wins.
        const key = `${op.step.runId}:${op.step.name}`;
        const first = stepUpserts.get(key);
        if (first) first.finishedAt = op.step.finishedAt;
        else {
          const step = { ...op.step };
          stepUpserts.set(key, step);
          out.push({ op: 'step.upsert', step });
        }
        break;
      }
      case 'artifacts.add':
        // One statement may not upsert a row twice (PostgreSQL refuses): a later row for the same
        // artifact updates the earlier one as its own upsert would (content, not creation time).
        for (const a of op.artifacts) {
          const key = `${a.runId}:${a.taskId}:${a.attempt}:${a.name}`;
          const earlier = artifacts.get(key);
          if (earlier) artifacts.set(key, { ...earlier, sha: a.sha, codec: a.codec, size: a.size });
          else artifacts.set(key, a);
        }
        break;
      case 'logs.append':
        for (const l of op.lines) lines.push(l);
        break;
      case 'events.append':
        for (const e of op.events) events.push(e);
        break;
    }
  }
  const folded = out.flat();
  if (artifacts.size > 0) folded.push({ op: 'artifacts.add', artifacts: [...artifacts.values()] });
  if (lines.length > 0) folded.push({ op: 'logs.append', lines });
  if (events.length > 0) folded.push({ op: 'events.append', events });
  return folded;
}
