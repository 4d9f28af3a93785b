/**
 * Applies `MetadataWrite` ops in the caller's transaction, for every SQL dialect: the one switch
 * from a write op to its statements. `events.append` ops are not applied here: the metadata store
 * gathers them into one event insert per transaction (`SqlDialect.insertEvents`).
 */
import type { Transaction, Updateable } from 'kysely';
import type { MetadataWrite } from '../metadata-store.ts';
import {
  artifactRow,
  attemptRow,
  flag,
  inChunks,
  jsonOrNull,
  logLineRow,
  stepRow,
  taskRow,
} from './metadata-rows.ts';
import type { Database, RunsTable, RunTagsTable, TasksTable } from './schema.ts';
import type { UpdateStatements } from './update-statements.ts';

/** Inserts `run_tags` rows, skipping tags the run already carries. */
export async function insertTagRows(
  trx: Transaction<Database>,
  rows: readonly RunTagsTable[],
): Promise<void> {
  for (const part of inChunks(rows)) {
    await trx
      .insertInto('run_tags')
      .values(part)
      .onConflict((oc) => oc.columns(['tag', 'run_id']).doNothing())
      .execute();
  }
}

/**
 * Applies write ops in order in `trx`, except `events.append` (the caller inserts those): a run of
 * consecutive task inserts, or of attempt inserts, goes in as one multi-row insert.
 */
export async function applyWrites(
  trx: Transaction<Database>,
  ops: readonly MetadataWrite[],
  updates: UpdateStatements,
): Promise<void> {
  for (let i = 0; i < ops.length; ) {
    const op = ops[i]!;
    let end = i + 1;
    while (end < ops.length && ops[end]!.op === op.op) end++;
    if (op.op === 'task.create' && end - i > 1) {
      const rows = ops.slice(i, end).map((o) => taskRow((o as typeof op).task));
      for (const part of inChunks(rows)) await trx.insertInto('tasks').values(part).execute();
    } else if (op.op === 'attempt.start' && end - i > 1) {
      const rows = ops.slice(i, end).map((o) => attemptRow((o as typeof op).attempt));
      for (const part of inChunks(rows)) await trx.insertInto('attempts').values(part).execute();
    } else {
      end = i + 1;
      await applyWrite(trx, op, updates);
    }
    i = end;
  }
}

/** Applies one write op (other than `events.append`) in `trx`. */
async function applyWrite(
  trx: Transaction<Database>,
  op: MetadataWrite,
  updates: UpdateStatements,
): Promise<void> {
  switch (op.op) {
    case 'run.update': {
      const p = op.patch;
      const set: Updateable<RunsTable> = {};
      if (p.status !== undefined) set.status = p.status;
      if (p.finishedAt !== undefined) set.finished_at = p.finishedAt;
      if (p.heartbeatAt !== undefined) set.heartbeat_at = p.heartbeatAt;
      if (p.error !== undefined) set.error = jsonOrNull(p.error);
      if (p.codeSha !== undefined) set.code_sha = p.codeSha;
      if (Object.keys(set).length === 0) return;
      await trx.updateTable('runs').set(set).where('id', '=', op.runId).execute();
      return;
    }
    case 'step.upsert':
      await trx
        .insertInto('steps')
        .values(stepRow(op.step))
        .onConflict((oc) => oc.columns(['run_id', 'name']).doUpdateSet({ finished_at: op.step.finishedAt }))
        .execute();
      return;
    case 'task.create':
      await trx.insertInto('tasks').values(taskRow(op.task)).execute();
      return;
    case 'task.update': {
      const p = op.patch;
      const set: Partial<TasksTable> = {};
      if (p.status !== undefined) set.status = p.status;
      if (p.successful !== undefined) set.successful = flag(p.successful);
      if (p.foreachCount !== undefined) set.foreach_count = p.foreachCount;
      if (p.attempts !== undefined) set.attempts = p.attempts;
      if (p.finalAttempt !== undefined) set.final_attempt = p.finalAttempt;
      if (p.startedAt !== undefined) set.started_at = p.startedAt;
      if (p.finishedAt !== undefined) set.finished_at = p.finishedAt;
      const columns = Object.keys(set);
      if (columns.length === 0) return;
      await updates.execute(
        trx,
        `tasks:${columns.join(',')}`,
        [...Object.values(set), op.runId, op.taskId],
        () =>
          trx.updateTable('tasks').set(set).where('run_id', '=', op.runId).where('task_id', '=', op.taskId),
      );
      return;
    }
    case 'attempt.start':
      await trx.insertInto('attempts').values(attemptRow(op.attempt)).execute();
      return;
    case 'attempt.finish': {
      const set = { status: op.status, finished_at: op.finishedAt, exception: jsonOrNull(op.exception) };
      await updates.execute(
        trx,
        'attempts:finish',
        [set.status, set.finished_at, set.exception, op.runId, op.taskId, op.attempt],
        () =>
          trx
            .updateTable('attempts')
            .set(set)
            .where('run_id', '=', op.runId)
            .where('task_id', '=', op.taskId)
            .where('attempt', '=', op.attempt),
      );
      return;
    }
    case 'artifacts.add':
      for (const rows of inChunks(op.artifacts)) {
        await trx
          .insertInto('artifacts')
          .values(rows.map(artifactRow))
          .onConflict((oc) =>
            oc.columns(['run_id', 'task_id', 'attempt', 'name']).doUpdateSet((eb) => ({
              sha: eb.ref('excluded.sha'),
              codec: eb.ref('excluded.codec'),
              size: eb.ref('excluded.size'),
            })),
          )
          .execute();
      }
      return;
    case 'events.append':
      // Gathered by the metadata store into one insert at the end of the transaction.
      return;
    case 'logs.append':
      for (const rows of inChunks(op.lines))
        await trx.insertInto('log_lines').values(rows.map(logLineRow)).execute();
      return;
  }
}
