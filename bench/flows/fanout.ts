import { FlowSpec, type Inputs, param, step } from 'flowtrail';

/** A foreach over N trivial tasks (the fan-out benchmark). */
export class FanoutFlow extends FlowSpec {
  @param.number({ default: 100 }) n!: number;
  items!: number[];
  out!: number;
  total!: number;

  @step({ next: 'work', foreach: 'items' })
  async start() {
    this.items = Array.from({ length: this.n }, (_, i) => i);
  }

  @step({ next: 'join' })
  async work() {
    this.out = (this.input as number) * 2;
  }

  @step({ next: 'end' })
  async join(inputs: Inputs<FanoutFlow>) {
    this.total = inputs.reduce((s, i) => s + i.out, 0);
  }

  @step()
  async end() {}
}
