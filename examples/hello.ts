import { current, FlowSpec, step } from 'flowtrail';

/** The smallest flow: start → hello → end, passing one artifact along. */
export class HelloFlow extends FlowSpec {
  message!: string;

  @step({ next: 'hello' })
  async start() {
    this.message = 'Hello from Flowtrail';
    console.log(`starting ${current.pathspec}`);
  }

  @step({ next: 'end' })
  async hello() {
    console.log(`${this.message}, says ${current.stepName}`);
    this.message = `${this.message}!`;
  }

  @step()
  async end() {
    console.log(`done: ${this.message}`);
  }
}
