import { FlowSpec, type Inputs, step } from 'flowtrail';

/** A static branch: two steps run in parallel and a join combines them. */
export class BranchFlow extends FlowSpec {
  base!: number;
  leftValue!: number;
  rightValue!: number;
  total!: number;
  fromLeft!: number;

  @step({ next: ['left', 'right'] })
  async start() {
    this.base = 10;
  }

  @step({ next: 'join' })
  async left() {
    this.leftValue = this.base + 1;
  }

  @step({ next: 'join' })
  async right() {
    this.rightValue = this.base * 2;
  }

  @step({ next: 'end' })
  async join(inputs: Inputs<BranchFlow>) {
    this.fromLeft = inputs.get('left').leftValue;
    this.total = inputs[0]!.leftValue + inputs[1]!.rightValue;
    // `base` is the same in both branches, so it merges without conflict.
    this.mergeArtifacts(inputs, { exclude: ['leftValue', 'rightValue'] });
  }

  @step()
  async end() {
    console.log(`total=${this.total} base=${this.base}`);
  }
}
