/** Which of Flowtrail's lifecycle events concern a flow's runs list and its history. */
import type { EventFilterInput } from '../../live/event-stream.ts';

const flowResource = (flow: string) => `flowtrail.flow.${flow}`;

/** A run of the flow started or ended: the runs list changes. */
export function flowRunEvents(flow: string): EventFilterInput {
  return { event: { prefix: ['flowtrail.run.'] }, related: { id: [flowResource(flow)] } };
}

/** A run, step or task of the flow changed: the history's cells change. */
export function flowActivityEvents(flow: string): EventFilterInput {
  return {
    event: { prefix: ['flowtrail.run.', 'flowtrail.step.', 'flowtrail.task.'] },
    related: { id: [flowResource(flow)] },
  };
}
