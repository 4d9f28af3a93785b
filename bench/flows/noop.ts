import { FlowSpec, step } from 'flowtrail';

/** A step that does nothing (bench/queue.ts submits its `start` as no-op attempts). */
export class NoopFlow extends FlowSpec {
  @step({ next: 'end' })
  async start() {}

  @step()
  async end() {}
}
