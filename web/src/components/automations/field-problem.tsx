/** A save problem shown under the form input it belongs to (`data-problem-field` names its path). */
import type { SaveProblem } from './save-problem.ts';

export function FieldProblem({
  path,
  problem,
  at,
}: {
  path: string;
  problem: SaveProblem | null;
  at: string | null;
}) {
  if (!problem || at !== path) return null;
  return (
    <div className="field-problem" role="alert" data-problem-field={problem.field ?? ''}>
      {problem.message}
    </div>
  );
}
