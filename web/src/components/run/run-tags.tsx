/** A run's tags: user tags can be added and removed (POST /runs/{runId}/tags); system tags cannot. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { unwrap } from '../../api/api-error.ts';
import { api, type RunRecord } from '../../api/client.ts';
import { runKey } from './run-data.ts';

export function RunTags({ run }: { run: RunRecord }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState('');
  const change = useMutation({
    mutationFn: async (body: { add?: string[]; remove?: string[] }) =>
      unwrap(await api.POST('/api/v1/runs/{runId}/tags', { params: { path: { runId: run.id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: runKey(run.flow, run.runNumber) }),
  });
  const add = (e: FormEvent) => {
    e.preventDefault();
    const tag = draft.trim();
    if (tag === '') return;
    change.mutate({ add: [tag] }, { onSuccess: () => setDraft('') });
  };
  return (
    <div className="run-tags">
      <ul aria-label="tags">
        {run.systemTags.map((t) => (
          <li key={`s:${t}`} className="tag tag-system" title="system tag (set by Flowtrail, not removable)">
            {t}
          </li>
        ))}
        {run.tags.map((t) => (
          <li key={`u:${t}`} className="tag">
            {t}
            <button
              type="button"
              aria-label={`remove tag ${t}`}
              disabled={change.isPending}
              onClick={() => change.mutate({ remove: [t] })}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={add} className="tag-add">
        <input
          aria-label="new tag"
          placeholder="add a tag"
          value={draft}
          maxLength={512}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" disabled={change.isPending || draft.trim() === ''}>
          Add
        </button>
      </form>
      {change.error ? (
        <div className="error-box" role="alert">
          {change.error.message}
        </div>
      ) : null}
    </div>
  );
}
