import { UsageError } from '../core/errors.ts';
import { parsePathspec } from '../core/pathspec.ts';
import type { EventInput, FlowtrailEvent } from '../events/model.ts';
import { validateEvent } from '../events/validate-event.ts';
import type { Stores } from '../store/embedded.ts';
import type { TriggerCause } from '../store/metadata-store.ts';
import { causeOf, RUN_COMPLETED } from './trigger-causes.ts';

/**
 * `--trigger RUN` / `--trigger-event JSON`: the causes and events the trigger engine would have
 * recorded. Upstream runs must have completed; events are emitted to the store first.
 */
export async function simulatedTrigger(
  stores: Stores,
  options: { triggerRuns?: readonly string[] | undefined; triggerEvents?: readonly EventInput[] | undefined },
): Promise<{ causes: TriggerCause[]; events: FlowtrailEvent[] } | undefined> {
  const runs = options.triggerRuns ?? [];
  const inputs = options.triggerEvents ?? [];
  if (runs.length === 0 && inputs.length === 0) return undefined;
  const events: FlowtrailEvent[] = [];
  for (const pathspec of runs) {
    const spec = runPathspec(pathspec);
    if (!spec) throw new UsageError(`--trigger takes a run pathspec such as FirstFlow/5, not '${pathspec}'.`);
    const run = await stores.metadata.getRun(spec.flow, spec.run);
    if (!run)
      throw new UsageError(`--trigger ${pathspec}: there is no such run in ${stores.metadata.location}.`);
    if (run.status !== 'completed')
      throw new UsageError(
        `--trigger ${pathspec}: only successful runs can trigger, and this one is ${run.status}.`,
      );
    const { events: found } = await stores.events.query(
      { event: { name: [RUN_COMPLETED] }, resource: { id: [`flowtrail.run.${pathspec}`] } },
      { limit: 1 },
    );
    if (!found[0])
      throw new UsageError(
        `--trigger ${pathspec}: its '${RUN_COMPLETED}' event is no longer in the event feed (removed by retention?).`,
      );
    events.push(found[0]);
  }
  const emitted = inputs.map((input) => validateEvent(input));
  if (emitted.length > 0) await stores.events.append(emitted);
  events.push(...emitted);
  return { causes: events.map(causeOf), events };
}

/** `Flow/N` parsed, or undefined when `pathspec` is anything else. */
function runPathspec(pathspec: string): { flow: string; run: number } | undefined {
  try {
    const spec = parsePathspec(pathspec);
    return spec.run !== undefined && spec.step === undefined ? { flow: spec.flow, run: spec.run } : undefined;
  } catch {
    return undefined;
  }
}
