/**
 * The Flowtrail object a resource id names (`flowtrail.run.ETLFlow/3`, `flowtrail.task.F/3/train/7`…,
 * the ids `src/events/lifecycle.ts` builds), and the UI address of its page. Deployments and
 * automations have their own screens (issue 13, parts 4 and 5): their addresses are plain paths.
 */

export type FlowtrailObject =
  | { kind: 'flow'; flow: string }
  | { kind: 'run'; flow: string; run: string }
  | { kind: 'step'; flow: string; run: string; step: string }
  | { kind: 'task'; flow: string; run: string; step: string; task: string }
  | { kind: 'artifact'; flow: string; run: string; step: string; task: string; name: string }
  | { kind: 'deployment'; flow: string }
  | { kind: 'automation'; id: string };

const SEGMENT = '([^/]+)';
const NUMBER = '(\\d+)';
const PATTERNS: readonly [FlowtrailObject['kind'], RegExp][] = [
  ['flow', new RegExp(`^flowtrail\\.flow\\.${SEGMENT}$`)],
  ['run', new RegExp(`^flowtrail\\.run\\.${SEGMENT}/${NUMBER}$`)],
  ['step', new RegExp(`^flowtrail\\.step\\.${SEGMENT}/${NUMBER}/${SEGMENT}$`)],
  ['task', new RegExp(`^flowtrail\\.task\\.${SEGMENT}/${NUMBER}/${SEGMENT}/${NUMBER}$`)],
  ['artifact', new RegExp(`^flowtrail\\.artifact\\.${SEGMENT}/${NUMBER}/${SEGMENT}/${NUMBER}/${SEGMENT}$`)],
  ['deployment', new RegExp(`^flowtrail\\.deployment\\.${SEGMENT}$`)],
  ['automation', /^flowtrail\.automation\.(.+)$/],
];

/** The object a resource id names, or undefined for anything else (a user's own resources). */
export function flowtrailObject(resourceId: string): FlowtrailObject | undefined {
  for (const [kind, pattern] of PATTERNS) {
    const m = pattern.exec(resourceId);
    if (!m) continue;
    const [, a = '', b = '', c = '', d = '', e = ''] = m;
    switch (kind) {
      case 'flow':
        return { kind, flow: a };
      case 'run':
        return { kind, flow: a, run: b };
      case 'step':
        return { kind, flow: a, run: b, step: c };
      case 'task':
        return { kind, flow: a, run: b, step: c, task: d };
      case 'artifact':
        return { kind, flow: a, run: b, step: c, task: d, name: e };
      case 'deployment':
        return { kind, flow: a };
      case 'automation':
        return { kind, id: a };
    }
  }
  return undefined;
}

/** The object's pathspec-like label: `ETLFlow/3/train/7`, `deployment ETLFlow`. */
export function objectLabel(o: FlowtrailObject): string {
  switch (o.kind) {
    case 'flow':
      return o.flow;
    case 'run':
      return `${o.flow}/${o.run}`;
    case 'step':
      return `${o.flow}/${o.run}/${o.step}`;
    case 'task':
      return `${o.flow}/${o.run}/${o.step}/${o.task}`;
    case 'artifact':
      return `${o.flow}/${o.run}/${o.step}/${o.task}/${o.name}`;
    case 'deployment':
      return o.flow;
    case 'automation':
      return o.id;
  }
}
