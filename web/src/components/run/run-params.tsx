/** A run's parameters as a name → value table (values shown as JSON text, never as HTML). */
export function RunParams({ params }: { params: Record<string, unknown> }) {
  const entries = Object.entries(params);
  return (
    <section className="panel run-params" aria-label="parameters">
      <h2>Parameters</h2>
      {entries.length === 0 ? (
        <p className="muted">This flow has no parameters.</p>
      ) : (
        <table className="grid">
          <tbody>
            {entries.map(([name, value]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td className="mono">{JSON.stringify(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
