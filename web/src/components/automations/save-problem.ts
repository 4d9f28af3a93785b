/**
 * Why a save failed, as the editor places it: the API's 422 names the field (`details.field`,
 * a path such as `trigger.threshold` or `actions[0].event`); JSON that does not parse names no
 * field. The form shows the message under the input the path belongs to; the JSON editor marks
 * the path's line.
 */
import { ApiError } from '../../api/api-error.ts';

export interface SaveProblem {
  message: string;
  /** The validation path, when the server named one. */
  field: string | null;
}

export function saveProblemOf(error: unknown): SaveProblem {
  if (error instanceof ApiError) {
    const field = typeof error.details.field === 'string' ? error.details.field : null;
    return { message: error.message, field };
  }
  return { message: error instanceof Error ? error.message : String(error), field: null };
}

/** Whether a problem at `field` belongs to the form input for `path` (the path or inside it). */
function within(field: string, path: string): boolean {
  return field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`);
}

/** Of the paths the form has inputs for, the most specific one the problem belongs to. */
export function formFieldFor(field: string | null, paths: readonly string[]): string | null {
  if (field === null) return null;
  let best: string | null = null;
  for (const p of paths) if (within(field, p) && (best === null || p.length > best.length)) best = p;
  return best;
}
