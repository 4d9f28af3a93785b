import { FlowSpec, type Inputs, step } from 'flowtrail';

/** A foreach over WIDE_ITEMS items (default 10,000): the 10,000-task run of the UI test and benchmark. */
export class WideForeachFlow extends FlowSpec {
  items!: number[];
  doubled!: number;
  total!: number;

  @step({ next: 'work', foreach: 'items' })
  async start() {
    this.items = Array.from({ length: Number(process.env.WIDE_ITEMS ?? 10_000) }, (_, i) => i);
  }

  @step({ next: 'join' })
  async work() {
    this.doubled = (this.input as number) * 2;
  }

  @step({ next: 'end' })
  async join(inputs: Inputs<WideForeachFlow>) {
    this.total = inputs.reduce((sum, i) => sum + i.doubled, 0);
  }

  @step()
  async end() {}
}
