/** Deleting an automation, after a confirmation that names it. */
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { AUTOMATIONS_KEY, deleteAutomation } from './automation-queries.ts';
import type { AutomationRecord } from './automation-types.ts';

export function DeleteAutomation({ automation }: { automation: AutomationRecord }) {
  const [asking, setAsking] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const client = useQueryClient();
  const navigate = useNavigate();
  const remove = async () => {
    try {
      await deleteAutomation(automation.id);
      // Leave first: refreshing the page's own queries now would only ask for what is gone.
      await navigate({ to: '/automations' });
      client.removeQueries({ queryKey: [...AUTOMATIONS_KEY, 'one', automation.id] });
      client.removeQueries({ queryKey: [...AUTOMATIONS_KEY, 'history', automation.id] });
      await client.invalidateQueries({ queryKey: AUTOMATIONS_KEY });
    } catch (error) {
      setFailure((error as Error).message);
    }
  };
  return (
    <>
      <button type="button" className="danger" onClick={() => setAsking(true)}>
        Delete
      </button>
      {asking ? (
        <div className="modal-backdrop">
          <div className="modal" role="dialog" aria-modal="true" aria-labelledby="delete-title">
            <h2 id="delete-title">Delete this automation?</h2>
            <p className="modal-name">{automation.name}</p>
            <p className="muted">Its firing history goes with it. This cannot be undone.</p>
            {failure ? <div className="error-box">{failure}</div> : null}
            <div className="editor-buttons">
              <button type="button" className="danger primary" onClick={() => void remove()}>
                Delete
              </button>
              <button type="button" onClick={() => setAsking(false)}>
                Keep it
              </button>
            </div>
          </div>
        </div>
      ) : null}
    </>
  );
}
