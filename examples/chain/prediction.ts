import { FlowSpec, step, triggerOnFinish } from 'flowtrail';

/** Scores with the newest model each time TrainingFlow finishes successfully. */
@triggerOnFinish({ flow: 'TrainingFlow' })
export class PredictionFlow extends FlowSpec {
  predictions!: number[];

  @step({ next: 'end' })
  async start() {
    this.predictions = [1, 2, 3].map((x) => x * 0.5);
  }

  @step()
  async end() {}
}
