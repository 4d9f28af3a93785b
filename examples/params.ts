import { FlowSpec, param, step } from 'flowtrail';

/** Typed parameters: `flowtrail run examples/params.ts --alpha 0.5 --dataset sales --config '{"layers":[4,2]}'`. */
export class ParamsFlow extends FlowSpec {
  @param.number({ default: 0.01, help: 'learning rate' }) alpha!: number;
  @param.string({ required: true, help: 'dataset name' }) dataset!: string;
  @param.boolean({ default: false }) verbose!: boolean;
  @param.json<{ layers: number[] }>({ default: { layers: [8] } }) config!: { layers: number[] };
  summary!: string;

  @step({ next: 'end' })
  async start() {
    this.summary = `${this.dataset}: alpha=${this.alpha} layers=${this.config.layers.join('x')} verbose=${this.verbose}`;
    console.log(this.summary);
  }

  @step()
  async end() {
    console.log(`done with ${this.dataset}`);
  }
}
