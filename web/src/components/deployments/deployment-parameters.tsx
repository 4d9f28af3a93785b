/**
 * A deployment's parameters: each the deployed flow declares, with its type, default and the
 * value given at deploy time (which wins), and the event payload fields that set it when a trigger
 * fires. Values are shown as JSON text, never as HTML.
 */
import { QueryState } from '../query-state.tsx';
import { type DeploymentRecord, useDeploymentParameters } from './deployment-queries.ts';

const json = (v: unknown) => JSON.stringify(v) ?? String(v);

export function DeploymentParameters({ deployment }: { deployment: DeploymentRecord }) {
  const params = useDeploymentParameters(deployment.flow);
  const fromPayload = new Map<string, { event: string; field: string }[]>();
  for (const e of deployment.triggers.events)
    for (const [param, field] of Object.entries(e.parameters))
      fromPayload.set(param, [...(fromPayload.get(param) ?? []), { event: e.name, field }]);
  return (
    <section className="panel" aria-label="parameters">
      <h2>Parameters</h2>
      <QueryState isPending={params.isPending} error={params.error}>
        {() =>
          params.data && params.data.length > 0 ? (
            <table className="grid parameters-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Type</th>
                  <th>Default</th>
                  <th>Deployed value</th>
                  <th>From a trigger</th>
                  <th>Help</th>
                </tr>
              </thead>
              <tbody>
                {params.data.map((p) => (
                  <tr key={p.name} data-parameter={p.name}>
                    <th scope="row" className="name">
                      <span className="mono">{p.name}</span>
                      {p.cliName !== p.name && <div className="muted mono">--{p.cliName}</div>}
                    </th>
                    <td>{p.type}</td>
                    <td className="mono value">
                      {'default' in p ? (
                        json(p.default)
                      ) : (
                        <span className="muted">{p.required ? 'required' : '—'}</span>
                      )}
                    </td>
                    <td className="mono value">
                      {'value' in p ? json(p.value) : <span className="muted">(default)</span>}
                    </td>
                    <td className="value">
                      {(fromPayload.get(p.name) ?? []).map((m) => (
                        <div key={m.event}>
                          <span className="mono">payload.{m.field}</span>{' '}
                          <span className="muted">of {m.event}</span>
                        </div>
                      ))}
                      {!fromPayload.has(p.name) && <span className="muted">—</span>}
                    </td>
                    <td className="value">{p.help ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">The flow has no parameters.</p>
          )
        }
      </QueryState>
    </section>
  );
}
