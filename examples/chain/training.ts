import { FlowSpec, step, triggerOnFinish } from 'flowtrail';

/** Trains a model each time ETLFlow finishes successfully. */
@triggerOnFinish({ flow: 'ETLFlow' })
export class TrainingFlow extends FlowSpec {
  model!: { weights: number[]; version: string };

  @step({ next: 'end' })
  async start() {
    this.model = { weights: [0.5, 0.25], version: new Date().toISOString() };
  }

  @step()
  async end() {}
}
