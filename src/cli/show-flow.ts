import { homePaths, resolveHome } from '../core/config.ts';
import { loadFlow } from '../runtime/flow-loader.ts';

/** Text (or JSON) description of a flow file: steps with their transitions and options, parameters. */
export async function showFlowFile(
  file: string,
  flowName: string | undefined,
  json: boolean,
): Promise<string> {
  const { graph } = await loadFlow(file, homePaths(resolveHome()).build, flowName);
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
    return `${JSON.stringify({ flow: graph.flowName, steps, parameters: params, triggers: [] }, null, 2)}\n`;
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
  lines.push('', 'Triggers:', '  (none)');
  return `${lines.join('\n')}\n`;
}
