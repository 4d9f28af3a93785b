/**
 * An action's own failure (no deployment by that name, a webhook answering 500, a template that
 * does not render): the action ends `failed` with this reason, and is not tried again. A store or
 * service that cannot be reached is not the action's failure: that error propagates, so the
 * action stays `pending` and the engine tries it again later.
 */
import { FlowtrailError } from '../../core/errors.ts';

type Target = { id: string; name: string } | null;

export class ActionFailure extends Error {
  /** Tries made before giving up (a webhook's requests). */
  readonly attempts: number;
  /** What it was acting on, when known (related to the `action.failed` event). */
  readonly target: Target;

  constructor(reason: string, options: { attempts?: number; target?: Target } = {}) {
    super(reason);
    this.name = 'ActionFailure';
    this.attempts = options.attempts ?? 1;
    this.target = options.target ?? null;
  }

  /**
   * What an error thrown while acting on `target` means: the action's failure (any error with a
   * message — not found, conflict, invalid parameters, a bug), or, for an unreachable store or
   * service, that error itself, to be rethrown.
   *
   * @example
   * try { await services.cancelRun(run, reason); } catch (error) { throw ActionFailure.wrap(error, target); }
   */
  static wrap(error: unknown, target: Target): Error {
    if (error instanceof ActionFailure) return error;
    if (error instanceof FlowtrailError && (error.code === 'STORE' || error.code === 'UNAVAILABLE'))
      return error;
    const reason = error instanceof Error ? error.message || error.name : String(error);
    return new ActionFailure(reason, { target });
  }
}
