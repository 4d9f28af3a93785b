/**
 * When a task (and the attempt shown) was created, started and finished, how long it ran and how
 * long it waited for a worker: queue wait = first attempt's start − the task's creation.
 */
import type { Schemas } from '../../api/client.ts';
import { elapsed, formatDuration, formatTime } from '../../format/time.ts';

export function TaskTimings({
  task,
  attempts,
  attempt,
}: {
  task: Schemas['Task'];
  attempts: readonly Schemas['Attempt'][];
  attempt: Schemas['Attempt'] | undefined;
}) {
  const firstStart = attempts[0]?.startedAt ?? task.startedAt;
  const facts: [string, string][] = [
    ['Created', formatTime(task.createdAt)],
    ['Started', formatTime(firstStart)],
    ['Finished', formatTime(task.finishedAt)],
    ['Duration', formatDuration(elapsed(firstStart, task.finishedAt))],
    ['Queue wait', formatDuration(firstStart === null ? null : firstStart - task.createdAt)],
  ];
  if (attempt && attempts.length > 1)
    facts.push([
      `Attempt ${attempt.attempt} ran`,
      formatDuration(elapsed(attempt.startedAt, attempt.finishedAt)),
    ]);
  return (
    <dl className="task-facts" aria-label="Timings">
      {facts.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
