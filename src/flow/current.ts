import { FlowtrailError } from '../core/errors.ts';

/** One cause of the run's trigger, as step code sees it (`current.trigger`). */
export interface CurrentTriggerEvent {
  /** `automation`: the automation whose firing started the run (after its events). */
  type: 'event' | 'run' | 'automation';
  /** The event name, for a run the upstream flow's name, for an automation its name. */
  name: string;
  id: string;
  timestamp: Date;
  /** For a run: its pathspec (`ETLFlow/3`). */
  pathspec: string | null;
}

/** What started the run, inside a step; read payloads and upstream data with the client API. */
export interface CurrentTrigger {
  /** The first cause. */
  event: CurrentTriggerEvent;
  events: readonly CurrentTriggerEvent[];
  /** The cause with this event name or upstream flow name, if any. */
  get(name: string): CurrentTriggerEvent | undefined;
}

/** Facts about the task that is running, for step code. */
export interface CurrentTask {
  flowName: string;
  runId: number;
  stepName: string;
  taskId: number;
  /** 0 on the first attempt, 1 on the first retry… */
  retryCount: number;
  /** `Flow/run/step/task`. */
  pathspec: string;
  namespace: string;
  user: string;
  tags: readonly string[];
  /** The run this one resumes, when it is a resumed run. */
  originRunId: number | undefined;
  parameterNames: readonly string[];
  /** What started the run (a deployment's trigger, or `run --trigger…`); null when started by hand. */
  trigger: CurrentTrigger | null;
}

/** The `current.trigger` view of a run's causes (null when there are none). */
export function currentTriggerOf(
  causes: readonly {
    type: 'event' | 'run' | 'automation';
    name: string;
    id: string;
    timestamp: number;
    pathspec: string | null;
    firing?: string;
  }[],
): CurrentTrigger | null {
  if (causes.length === 0) return null;
  const events = causes.map((c) => ({
    type: c.type,
    name: c.name,
    id: c.id,
    timestamp: new Date(c.timestamp),
    pathspec: c.pathspec,
  }));
  return { event: events[0]!, events, get: (name) => events.find((e) => e.name === name) };
}

// Kept on globalThis so that every copy of this module in a process sees the same task.
const SLOT = Symbol.for('flowtrail.currentTask');
const slot = globalThis as unknown as Record<symbol, CurrentTask | undefined>;

/** Sets the running task (the worker does this around each task). */
export function setCurrentTask(task: CurrentTask | undefined): void {
  slot[SLOT] = task;
}

function read<K extends keyof CurrentTask>(key: K): CurrentTask[K] {
  const active = slot[SLOT];
  if (!active)
    throw new FlowtrailError('USAGE', `current.${String(key)} is only available inside a running step.`);
  return active[key];
}

/**
 * The task that is running, readable anywhere in step code.
 *
 * @example
 * import { current } from 'flowtrail';
 * console.log(`${current.pathspec} attempt ${current.retryCount}`);
 */
export const current: Readonly<CurrentTask> & { readonly isRunning: boolean } = {
  get isRunning() {
    return slot[SLOT] !== undefined;
  },
  get flowName() {
    return read('flowName');
  },
  get runId() {
    return read('runId');
  },
  get stepName() {
    return read('stepName');
  },
  get taskId() {
    return read('taskId');
  },
  get retryCount() {
    return read('retryCount');
  },
  get pathspec() {
    return read('pathspec');
  },
  get namespace() {
    return read('namespace');
  },
  get user() {
    return read('user');
  },
  get tags() {
    return read('tags');
  },
  get originRunId() {
    return read('originRunId');
  },
  get parameterNames() {
    return read('parameterNames');
  },
  get trigger() {
    return read('trigger');
  },
};
