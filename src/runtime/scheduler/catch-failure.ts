import type { ExceptionRecord } from '../../core/errors.ts';
import type { GraphNode } from '../../flow/graph.ts';
import type { ArtifactStore } from '../../store/artifact-store.ts';
import { storeArtifact } from '../artifact-scope.ts';
import type { ArtifactRefs, TaskOutcome } from '../protocol.ts';

/**
 * The artifacts of a task whose failure `@catchError` caught: what the attempt had set (a dead
 * worker left none: then what the task inherited), plus the error in the catch's artifact.
 */
export async function caughtArtifacts(
  store: ArtifactStore,
  node: GraphNode,
  outcome: TaskOutcome,
  exception: ExceptionRecord,
  inherited: ArtifactRefs,
): Promise<ArtifactRefs> {
  const base: ArtifactRefs =
    Object.keys(outcome.artifacts).length > 0 ? { ...outcome.artifacts } : { ...inherited };
  const name = node.options.catch!.artifact;
  if (name) base[name] = await storeArtifact(store, name, { ...exception });
  return base;
}

/** The stderr line a caught failure prints unless `printException: false`. */
export function caughtLine(node: GraphNode, exception: ExceptionRecord): string | undefined {
  if (node.options.catch!.printException === false) return undefined;
  return `@catchError: ${exception.type}: ${exception.message}`;
}
