import fs from 'node:fs';
import { FlowSpec, step } from 'flowtrail';

/** A run that stays running until the file named by WAIT_FOR_FILE exists (the live UI test and benchmark). */
export class WaitFlow extends FlowSpec {
  @step({ next: 'wait' })
  async start() {}

  @step({ next: 'end' })
  async wait() {
    const file = process.env.WAIT_FOR_FILE ?? '';
    while (!fs.existsSync(file)) await new Promise((r) => setTimeout(r, 20));
  }

  @step()
  async end() {}
}
