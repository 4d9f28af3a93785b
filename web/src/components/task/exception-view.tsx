/** An attempt's exception: type, message, code and the full stack, as text. */
import type { Schemas } from '../../api/client.ts';

export function ExceptionView({
  exception,
  caught,
}: {
  exception: Schemas['ExceptionRecord'];
  /** The step's failure was caught (`@catchError`): the task completed and the run went on. */
  caught: boolean;
}) {
  return (
    <section className="task-exception" aria-label="Exception">
      <div className="task-exception-head">
        <strong>{exception.type}</strong>
        {exception.code && <code className="task-code">{exception.code}</code>}
        {caught && <span className="task-caught">caught — the run went on</span>}
      </div>
      <div className="task-exception-message">{exception.message}</div>
      <pre className="task-stack">{exception.stack}</pre>
    </section>
  );
}
