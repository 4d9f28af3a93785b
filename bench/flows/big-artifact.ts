import { randomFillSync } from 'node:crypto';
import { FlowSpec, param, step } from 'flowtrail';

/** Writes one large binary artifact in `start` and reads it in `consume` (the artifact benchmark). */
export class BigArtifactFlow extends FlowSpec {
  @param.number({ default: 200 }) mb!: number;
  blob!: Buffer;
  madeAt!: number;
  readMs!: number;
  checksum!: number;

  @step({ next: 'consume' })
  async start() {
    const blob = Buffer.allocUnsafe(this.mb * 1024 * 1024);
    const chunk = randomFillSync(Buffer.alloc(64 * 1024));
    for (let o = 0; o < blob.length; o += chunk.length) chunk.copy(blob, o);
    this.blob = blob;
    // The time the value was ready: storing it happens after the step returns.
    this.madeAt = Date.now();
  }

  @step({ next: 'end' })
  async consume() {
    const t0 = performance.now();
    const blob = this.blob;
    this.readMs = performance.now() - t0;
    this.checksum = blob[blob.length - 1]!;
  }

  @step()
  async end() {}
}
