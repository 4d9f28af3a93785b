import type { CancelRequest } from '../../store/metadata-store.ts';

/** How often the orchestrator looks for a cancel request: one small read, never a write. */
export const CANCEL_CHECK_MS = 250;

/**
 * Watches the store for a request to cancel the run (`store/cancel-run.ts` records it, from any
 * process) and reports it once. A check still in flight (a slow remote store) is not doubled; a
 * failed check is simply tried again on the next tick.
 */
export class CancelWatch {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly read: () => Promise<CancelRequest | null>,
    private readonly onCancel: (request: CancelRequest) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), CANCEL_CHECK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const request = await this.read();
      if (request && this.timer) {
        this.stop();
        this.onCancel(request);
      }
    } catch {
      // The store was briefly unreachable: the next tick asks again.
    } finally {
      this.checking = false;
    }
  }
}
