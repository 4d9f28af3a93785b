/**
 * The automation editor: the form for the common cases and a JSON editor for every field, over one
 * draft. Switching to JSON prints the draft; switching back parses the text (and stays while it does
 * not parse). Save creates (no `id`) or replaces; the API's 422 is placed at its field: under the
 * form input the path belongs to, or, when the form has none, at the path in the JSON editor.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { AutomationForm, formFieldPaths } from './automation-form.tsx';
import { AutomationJsonEditor } from './automation-json-editor.tsx';
import { AUTOMATIONS_KEY, saveAutomation, useAutomations, useDeploymentNames } from './automation-queries.ts';
import type { AutomationInput } from './automation-types.ts';
import { formFieldFor, type SaveProblem, saveProblemOf } from './save-problem.ts';

type Mode = 'form' | 'json';

const print = (draft: AutomationInput) => JSON.stringify(draft, null, 2);

export function AutomationEditor({
  initial,
  id,
  fromEvent = false,
}: {
  initial: AutomationInput;
  /** The automation replaced on save; absent: a new one. */
  id?: string;
  /** `initial` is a draft from an event (its name follows the presence/absence choice while untouched). */
  fromEvent?: boolean;
}) {
  const [draft, setDraft] = useState(initial);
  const [mode, setMode] = useState<Mode>('form');
  const [text, setText] = useState(() => print(initial));
  const [problem, setProblem] = useState<SaveProblem | null>(null);
  // Bumped whenever the draft is replaced from the JSON text: the form's inputs start again from it.
  const [formVersion, setFormVersion] = useState(0);
  const [saving, setSaving] = useState(false);
  const client = useQueryClient();
  const navigate = useNavigate();
  const deployments = useDeploymentNames().data ?? [];
  const automations = (useAutomations().data ?? []).filter((a) => a.id !== id);

  const parsed = (): AutomationInput | null => {
    try {
      return JSON.parse(text) as AutomationInput;
    } catch (error) {
      setProblem({ message: `The text is not JSON: ${(error as Error).message}`, field: null });
      return null;
    }
  };
  const toMode = (next: Mode) => {
    if (next === mode) return;
    if (next === 'json') setText(print(draft));
    else {
      const value = parsed();
      if (!value) return;
      setDraft(value);
      setFormVersion((v) => v + 1);
    }
    setMode(next);
  };
  const save = async () => {
    const value = mode === 'json' ? parsed() : draft;
    if (!value) return;
    setSaving(true);
    try {
      const saved = await saveAutomation(value, id);
      await client.invalidateQueries({ queryKey: AUTOMATIONS_KEY });
      await navigate({ to: '/automations/$id', params: { id: saved.id } });
    } catch (error) {
      setProblem(saveProblemOf(error));
    } finally {
      setSaving(false);
    }
  };

  const at = mode === 'form' ? formFieldFor(problem?.field ?? null, formFieldPaths(draft)) : null;
  const unplaced = mode === 'form' && problem?.field && at === null;
  return (
    <div className="automation-editor">
      <div className="tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={mode === 'form'}
          className={mode === 'form' ? 'active' : ''}
          onClick={() => toMode('form')}
        >
          Form
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={mode === 'json'}
          className={mode === 'json' ? 'active' : ''}
          onClick={() => toMode('json')}
        >
          JSON
        </button>
      </div>
      {problem ? (
        <div className="error-box save-problem" role="alert">
          Not saved.{' '}
          {mode === 'json' || at !== null ? (
            'The problem is marked at its field below.'
          ) : (
            <>
              {problem.message}
              {unplaced ? (
                <>
                  {' '}
                  (at <code>{problem.field}</code>, which the form does not show:{' '}
                  <button type="button" className="link-button" onClick={() => toMode('json')}>
                    open the JSON editor
                  </button>
                  )
                </>
              ) : null}
            </>
          )}
        </div>
      ) : null}
      {mode === 'form' ? (
        <AutomationForm
          key={formVersion}
          draft={draft}
          shown={{ problem, at }}
          deployments={deployments}
          automations={automations}
          {...(fromEvent ? { draftedName: initial.name } : {})}
          onChange={setDraft}
        />
      ) : (
        <AutomationJsonEditor text={text} problem={problem} onChange={setText} />
      )}
      <div className="editor-buttons">
        <button type="button" className="primary" disabled={saving} onClick={() => void save()}>
          {saving ? 'Saving…' : id === undefined ? 'Save automation' : 'Save changes'}
        </button>
        {id === undefined ? (
          <Link to="/automations">Cancel</Link>
        ) : (
          <Link to="/automations/$id" params={{ id }}>
            Cancel
          </Link>
        )}
      </div>
    </div>
  );
}
