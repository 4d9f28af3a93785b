/** Where an attempt ran: the Node, V8, OS and Flowtrail versions, host and CPUs its worker recorded. */
import type { Schemas } from '../../api/client.ts';

const LABELS: Readonly<Record<string, string>> = {
  node: 'Node.js',
  v8: 'V8',
  platform: 'Platform',
  arch: 'Architecture',
  os: 'OS',
  hostname: 'Host',
  cpus: 'CPUs',
  flowtrail: 'Flowtrail',
};

export function EnvironmentView({ env }: { env: Schemas['Attempt']['envInfo'] }) {
  if (!env || Object.keys(env).length === 0)
    return <div className="task-muted">This attempt recorded no environment.</div>;
  return (
    <dl className="task-facts">
      {Object.entries(env).map(([k, v]) => (
        <div key={k}>
          <dt>{LABELS[k] ?? k}</dt>
          <dd>{String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
