import { homePaths, resolveHome } from '../core/config.ts';
import { nextCronTime, parseCron } from '../core/cron.ts';
import { formatDuration } from '../core/duration.ts';
import type { FlowGraph } from '../flow/graph.ts';
import type { TriggerSpec } from '../flow/trigger-spec.ts';
import { loadFlow } from '../runtime/flow-loader.ts';

/** Text (or JSON) description of a flow file: steps with their transitions and options, parameters, triggers. */
export async function showFlowFile(
  file: string,
  flowName: string | undefined,
  json: boolean,
): Promise<string> {
  const { graph } = await loadFlow(file, homePaths(resolveHome()).build, flowName);
  return describeFlow(graph, json);
}

/**
 * Text (or JSON) description of a flow's graph. The JSON has `flow`, `steps`, `parameters` and
 * `triggers` (the graph's `TriggerSpec`, or null). `now` is when the schedule's next time is counted from.
 *
 * @example
 * process.stdout.write(describeFlow(buildGraph(TrainFlow), false));
 */
export function describeFlow(graph: FlowGraph, json: boolean, now: Date = new Date()): string {
  const steps = graph.order.map((name) => {
    const n = graph.nodes.get(name)!;
    return {
      name,
      kind: n.kind,
      next: n.next,
      ...(n.foreach ? { foreach: n.foreach } : {}),
      ...(n.matchingJoin ? { join: n.matchingJoin } : {}),
      ...(n.options.retry ? { retry: n.options.retry } : {}),
      ...(n.options.catch ? { catch: n.options.catch } : {}),
      ...(n.options.timeoutSeconds ? { timeoutSeconds: n.options.timeoutSeconds } : {}),
      ...(n.options.isolated ? { isolated: true } : {}),
    };
  });
  const params = [...graph.params.values()];
  if (json)
    return `${JSON.stringify({ flow: graph.flowName, steps, parameters: params, triggers: graph.triggers }, null, 2)}\n`;
  const lines = [`Flow ${graph.flowName}`, '', 'Steps:'];
  for (const s of steps) {
    const opts = [
      s.retry ? `retry ×${s.retry.times}` : '',
      s.catch ? `catch → ${s.catch.artifact ?? '(no artifact)'}` : '',
      s.timeoutSeconds ? `timeout ${s.timeoutSeconds}s` : '',
      s.isolated ? 'isolated' : '',
    ].filter(Boolean);
    const arrow =
      s.next.length === 0 ? '' : ` → ${s.next.join(', ')}${s.foreach ? ` (foreach ${s.foreach})` : ''}`;
    lines.push(`  ${s.name} [${s.kind}]${arrow}${opts.length ? `  {${opts.join('; ')}}` : ''}`);
  }
  lines.push('', 'Parameters:');
  if (params.length === 0) lines.push('  (none)');
  for (const p of params) {
    const def = p.default !== undefined ? ` default ${JSON.stringify(p.default)}` : '';
    lines.push(
      `  --${p.cliName} <${p.type}>${p.required ? ' required' : ''}${def}${p.help ? `  ${p.help}` : ''}`,
    );
  }
  lines.push('', 'Triggers:', ...triggerLines(graph.triggers, now));
  return `${lines.join('\n')}\n`;
}

/**
 * The triggers section, e.g.
 * ```
 *   when all of these have arrived within 6h:
 *     event raw.loaded  (no parameters)
 *     event labels.ready  {labelSet ← label_set}
 *     a successful run of ETLFlow
 *   schedule 0 3 * * * (UTC), next at 2025-01-02T03:00:00.000Z
 * ```
 */
function triggerLines(spec: TriggerSpec | null, now: Date): string[] {
  if (!spec) return ['  (none)'];
  const dependencies = [
    ...spec.events.map((e) => {
      const mapping = Object.entries(e.parameters).map(([param, field]) => `${param} ← ${field}`);
      return `event ${e.name}  ${mapping.length ? `{${mapping.join(', ')}}` : '(no parameters)'}`;
    }),
    ...spec.flows.map((f) => `a successful run of ${f}`),
  ];
  const lines: string[] = [];
  if (dependencies.length === 1) lines.push(`  ${dependencies[0]}`);
  else if (dependencies.length > 1) {
    lines.push(`  when all of these have arrived within ${formatDuration(spec.resetWindowMs)}:`);
    for (const d of dependencies) lines.push(`    ${d}`);
  }
  if (spec.schedule) {
    const { cron, timezone } = spec.schedule;
    const next = nextCronTime(parseCron(cron), now, timezone).toISOString();
    lines.push(`  schedule ${cron} (${timezone}), next at ${next}`);
  }
  return lines;
}
