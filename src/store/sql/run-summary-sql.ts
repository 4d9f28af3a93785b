/**
 * `summarizeRun` in SQL: a run's steps as the run page draws them (counts by status, a duration
 * histogram, first start, last finish, parent steps). Aggregates run in the database, so a run of
 * 10,000 tasks costs a handful of grouped queries, not 10,000 rows over the wire.
 */
import { type Kysely, sql } from 'kysely';
import { DURATION_BUCKETS, type StepOverview, type TaskStatus } from '../metadata-store.ts';
import type { Database } from './schema.ts';

const STATUSES: readonly TaskStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];
/**
 * Parent ids looked up per statement: a join's first task names every foreach task (10,000 ids),
 * so few large statements beat many small ones; far under SQLite's (32,766) and PostgreSQL's
 * (65,535) bound-parameter limits.
 */
const IDS_PER_LOOKUP = 5_000;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

function emptySummary(step: string): StepOverview {
  return {
    step,
    counts: { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 },
    total: 0,
    caught: 0,
    firstTaskId: null,
    parents: [],
    foreachCount: null,
    inForeach: false,
    firstStartedAt: null,
    lastFinishedAt: null,
    minDurationMs: null,
    maxDurationMs: null,
    histogram: new Array<number>(DURATION_BUCKETS).fill(0),
  };
}

export async function summarizeRunSql(db: Kysely<Database>, runId: number): Promise<StepOverview[]> {
  const byStep = new Map<string, StepOverview>();
  const summaryOf = (step: string) => {
    let s = byStep.get(step);
    if (!s) {
      s = emptySummary(step);
      byStep.set(step, s);
    }
    return s;
  };

  // 1. Counts and timings per (step, status).
  const groups = await db
    .selectFrom('tasks')
    .select((eb) => [
      'step_name',
      'status',
      eb.fn.countAll().as('n'),
      eb.fn.min('task_id').as('first_id'),
      eb.fn.min('started_at').as('first_start'),
      eb.fn.max('finished_at').as('last_finish'),
      eb.fn.max('foreach_count').as('foreach_count'),
      eb.fn.max('foreach_path').as('foreach_path'),
      sql<number | string>`sum(case when successful = 0 then 1 else 0 end)`.as('unsuccessful'),
      sql<number | null>`min(finished_at - started_at)`.as('min_d'),
      sql<number | null>`max(finished_at - started_at)`.as('max_d'),
    ])
    .where('run_id', '=', runId)
    .groupBy(['step_name', 'status'])
    .execute();
  for (const g of groups) {
    const s = summaryOf(g.step_name);
    const n = Number(g.n);
    if ((STATUSES as readonly string[]).includes(g.status)) s.counts[g.status as TaskStatus] += n;
    s.total += n;
    if (g.status === 'completed') s.caught += Number(g.unsuccessful ?? 0);
    s.firstTaskId = minOf(s.firstTaskId, num(g.first_id));
    s.firstStartedAt = minOf(s.firstStartedAt, num(g.first_start));
    s.lastFinishedAt = maxOf(s.lastFinishedAt, num(g.last_finish));
    s.foreachCount = maxOf(s.foreachCount, num(g.foreach_count));
    s.minDurationMs = minOf(s.minDurationMs, num(g.min_d));
    s.maxDurationMs = maxOf(s.maxDurationMs, num(g.max_d));
    if (g.foreach_path !== null && g.foreach_path !== '') s.inForeach = true;
  }

  // 2. The duration histogram: each finished task's bucket between its step's min and max.
  if (groups.length > 0) {
    const buckets = sql.lit(DURATION_BUCKETS);
    const hist = await sql<{ step_name: string; bucket: number | string; n: number | string }>`
      select t.step_name, ((t.finished_at - t.started_at - s.mn) * ${buckets}) / (s.mx - s.mn + 1) as bucket,
             count(*) as n
      from tasks t
      join (select step_name, min(finished_at - started_at) as mn, max(finished_at - started_at) as mx
            from tasks
            where run_id = ${runId} and finished_at is not null and started_at is not null
            group by step_name) s on s.step_name = t.step_name
      where t.run_id = ${runId} and t.finished_at is not null and t.started_at is not null
      group by t.step_name, ((t.finished_at - t.started_at - s.mn) * ${buckets}) / (s.mx - s.mn + 1)`.execute(
      db,
    );
    for (const h of hist.rows) {
      const bucket = Math.min(DURATION_BUCKETS - 1, Math.max(0, Number(h.bucket)));
      summaryOf(h.step_name).histogram[bucket]! += Number(h.n);
    }
  }

  // 3. Parent steps: the steps of the parents of each step's first task.
  const firsts = await db
    .selectFrom('tasks')
    .select(['step_name', 'parent_ids'])
    .where('run_id', '=', runId)
    .where('task_id', 'in', (eb) =>
      eb
        .selectFrom('tasks')
        .select((e) => e.fn.min('task_id').as('id'))
        .where('run_id', '=', runId)
        .groupBy('step_name'),
    )
    .execute();
  for (const f of firsts) {
    const ids = JSON.parse(f.parent_ids) as number[];
    const parents = new Set<string>();
    for (let i = 0; i < ids.length; i += IDS_PER_LOOKUP) {
      const chunk = ids.slice(i, i + IDS_PER_LOOKUP);
      const rows = await db
        .selectFrom('tasks')
        .select('step_name')
        .distinct()
        .where('run_id', '=', runId)
        .where('task_id', 'in', chunk)
        .execute();
      for (const r of rows) parents.add(r.step_name);
    }
    summaryOf(f.step_name).parents = [...parents].sort();
  }

  // 4. Steps recorded without tasks yet.
  const steps = await db
    .selectFrom('steps')
    .select('name')
    .where('run_id', '=', runId)
    .orderBy('created_at')
    .orderBy('name')
    .execute();
  for (const s of steps) summaryOf(s.name);

  return [...byStep.values()].sort(
    (a, b) => (a.firstTaskId ?? Number.MAX_SAFE_INTEGER) - (b.firstTaskId ?? Number.MAX_SAFE_INTEGER),
  );
}
