/**
 * Running the actions committed firings decided on: a firing's actions one after another, in list
 * order; different firings side by side. Each action ends `executed` or `failed` in the store;
 * one still `pending` after a crash runs again when an engine next takes the lease (what it does is
 * idempotent by the action's id where it matters: a run's creation).
 */
import type { FlowtrailEvent } from '../../events/model.ts';
import type { ActionRecord, AutomationFiringRecord, AutomationRecord } from '../../store/automation-store.ts';
import type { ActionServices } from '../actions/action-services.ts';
import { executeAction } from '../actions/execute-action.ts';
import type { ServerStores } from '../stores.ts';

export interface FiringWork {
  automation: AutomationRecord;
  firing: AutomationFiringRecord;
  actions: ActionRecord[];
  /** The firing's events, when at hand; read from the store otherwise. */
  events?: FlowtrailEvent[];
  /** The firing's `flowtrail.automation.triggered` event, when known: the first action event follows it. */
  triggeredEvent?: FlowtrailEvent;
}

/**
 * Firings whose actions run at once. More would only queue on the database (one SQLite writer)
 * and starve the engine's own commits; a slow webhook still holds only one of them.
 */
const CONCURRENT_FIRINGS = 8;

export class ActionRunner {
  private readonly running = new Set<Promise<void>>();
  private readonly queue: FiringWork[] = [];
  private active = 0;

  constructor(
    private readonly stores: ServerStores,
    private readonly services: ActionServices,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts the actions of each firing (in the background). */
  run(work: readonly FiringWork[]): void {
    for (const w of work) if (w.actions.length > 0) this.queue.push(w);
    this.pump();
  }

  private pump(): void {
    while (this.active < CONCURRENT_FIRINGS && this.queue.length > 0) {
      const w = this.queue.shift()!;
      this.active++;
      const done = this.runFiring(w)
        .catch((e: unknown) =>
          this.log(
            `trigger engine: actions of firing ${w.firing.id} stopped: ${(e as Error).message} (they run again on the next lease)`,
          ),
        )
        .finally(() => {
          this.active--;
          this.running.delete(done);
          this.pump();
        });
      this.running.add(done);
    }
  }

  /** Runs again what a previous engine left pending. */
  async resumePending(): Promise<void> {
    const pending = await this.stores.automations.pendingActions(10_000);
    if (pending.length === 0) return;
    const firingIds = [...new Set(pending.map((a) => a.firing))];
    const firings = new Map((await this.stores.automations.firings(firingIds)).map((f) => [f.id, f]));
    const automations = new Map<string, AutomationRecord>();
    const work: FiringWork[] = [];
    for (const id of firingIds) {
      const firing = firings.get(id);
      if (!firing) continue;
      let automation = automations.get(firing.automation);
      if (!automation) {
        automation = await this.stores.automations.get(firing.automation);
        if (automation) automations.set(automation.id, automation);
      }
      const actions = pending.filter((a) => a.firing === id);
      if (!automation) {
        for (const a of actions)
          await this.stores.automations.finishAction(
            a.id,
            {
              status: 'failed',
              attempts: a.attempts,
              message: 'The automation was deleted before this action ran.',
              target: null,
            },
            Date.now(),
          );
        continue;
      }
      work.push({ automation, firing, actions });
    }
    this.run(work);
  }

  /** Waits until every queued firing's actions have run. */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async runFiring(w: FiringWork): Promise<void> {
    const events = w.events ?? (await this.eventsOf(w.firing));
    for (const record of [...w.actions].sort((a, b) => a.list.localeCompare(b.list) || a.index - b.index)) {
      const outcome = await executeAction(
        {
          automation: w.automation,
          firing: w.firing,
          record,
          events,
          ...(w.triggeredEvent ? { follows: w.triggeredEvent.id } : {}),
        },
        this.services,
      );
      await this.stores.automations.finishAction(record.id, outcome, Date.now());
    }
  }

  private async eventsOf(firing: AutomationFiringRecord): Promise<FlowtrailEvent[]> {
    if (firing.eventIds.length === 0) return [];
    const found = (await this.stores.events.query({ id: firing.eventIds }, { limit: 500 })).events;
    const byId = new Map(found.map((e) => [e.id, e]));
    return firing.eventIds.flatMap((id) => byId.get(id) ?? []);
  }
}
