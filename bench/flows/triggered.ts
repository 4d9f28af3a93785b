import { FlowSpec, param, step, trigger } from 'flowtrail';

/** A trivial flow started by the `bench_ping` event (the trigger-latency benchmark). */
@trigger({ event: 'bench_ping', parameters: { seq: 'seq' } })
export class TriggeredFlow extends FlowSpec {
  @param.number({ default: 0 }) seq!: number;

  @step({ next: 'end' })
  async start() {}

  @step()
  async end() {}
}
