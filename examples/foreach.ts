import { catchError, current, FlowSpec, type Inputs, retry, step } from 'flowtrail';

/**
 * A foreach fan-out: one task per item. `score` fails on its first two attempts for item 'b'
 * (and is retried); `audit` always fails for one item and its error is caught into an artifact.
 */
export class ForeachFlow extends FlowSpec {
  items!: string[];
  item!: string;
  points!: number;
  scores!: number[];
  auditError!: { type: string; message: string } | undefined;
  audited!: boolean;
  failures!: number;

  @step({ next: 'score', foreach: 'items' })
  async start() {
    this.items = ['a', 'b', 'c'];
  }

  @retry({ times: 2 })
  @step({ next: 'audit' })
  async score() {
    this.item = this.input as string;
    if (this.item === 'b' && current.retryCount < 2) {
      throw new Error(`transient failure on attempt ${current.retryCount}`);
    }
    this.points = this.item.charCodeAt(0) - 96;
    console.log(`scored ${this.item} = ${this.points} (attempt ${current.retryCount})`);
  }

  @catchError({ artifact: 'auditError' })
  @step({ next: 'join' })
  async audit() {
    if (this.item === 'c') throw new Error('audit refused item c');
    this.audited = true;
  }

  @step({ next: 'end' })
  async join(inputs: Inputs<ForeachFlow>) {
    this.scores = inputs.map((i) => i.points);
    this.failures = inputs.filter((i) => i.auditError !== undefined).length;
  }

  @step()
  async end() {
    console.log(`scores=${this.scores.join(',')} failures=${this.failures}`);
  }
}
