/**
 * What a `flowtrail worker` has free: attempt slots (`--concurrency`) and the resources it
 * advertises (`--resources`). An attempt waits, in arrival order, until its request fits.
 */
import type { ResourceRequest } from '../../../flow/declarations.ts';
import type { ResourceOffer } from '../../../flow/resource-fit.ts';

interface Waiter {
  need: ResourceOffer;
  grant: () => void;
}

export class ResourceSlots {
  private slots: number;
  private readonly free: ResourceOffer;
  private readonly waiting: Waiter[] = [];

  constructor(concurrency: number, offer: ResourceOffer) {
    this.slots = concurrency;
    this.free = { ...offer };
  }

  /** Resolves with the release function once a slot and the request's resources are free. */
  acquire(request: ResourceRequest | undefined): Promise<() => void> {
    const need: ResourceOffer = {
      cpu: request?.cpu ?? 0,
      memoryMb: request?.memoryMb ?? 0,
      gpu: request?.gpu ?? 0,
    };
    return new Promise((resolve) => {
      this.waiting.push({ need, grant: () => resolve(this.releaser(need)) });
      this.grant();
    });
  }

  /** Attempts holding a slot. */
  busy(concurrency: number): number {
    return concurrency - this.slots;
  }

  private releaser(need: ResourceOffer): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.slots++;
      this.free.cpu += need.cpu;
      this.free.memoryMb += need.memoryMb;
      this.free.gpu += need.gpu;
      this.grant();
    };
  }

  private grant(): void {
    // In order: a large request at the head is not overtaken forever by small ones.
    while (this.waiting.length > 0) {
      const head = this.waiting[0]!;
      const n = head.need;
      if (this.slots < 1 || n.cpu > this.free.cpu || n.memoryMb > this.free.memoryMb || n.gpu > this.free.gpu)
        return;
      this.waiting.shift();
      this.slots--;
      this.free.cpu -= n.cpu;
      this.free.memoryMb -= n.memoryMb;
      this.free.gpu -= n.gpu;
      head.grant();
    }
  }
}
