/**
 * Asks for an API key when the server refuses a request with 401. The key stays in this tab
 * (sessionStorage) and is sent as a bearer header; it never goes into a URL.
 */
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState, useSyncExternalStore } from 'react';
import { apiKey, keyNeeded, onApiKeyChange, setApiKey } from '../api/api-key.ts';

export function KeyPrompt() {
  const needed = useSyncExternalStore(onApiKeyChange, keyNeeded);
  const client = useQueryClient();
  const [value, setValue] = useState('');
  if (!needed) return null;
  const hadKey = apiKey() !== null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim() === '') return;
    setApiKey(value.trim());
    setValue('');
    void client.invalidateQueries();
  };
  return (
    <div className="modal-backdrop">
      <form className="modal" onSubmit={submit} aria-label="API key">
        <h2>This server needs an API key</h2>
        <p>
          {hadKey
            ? 'The key of this tab was refused (unknown or revoked). Enter another.'
            : 'Enter a key made with `flowtrail server keys create` (read scope is enough to look).'}{' '}
          It is kept in this tab only.
        </p>
        <input
          type="password"
          name="apiKey"
          autoComplete="off"
          placeholder="ftk_…"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          // biome-ignore lint/a11y/noAutofocus: the prompt is the only thing to do
          autoFocus
        />
        <button type="submit" className="primary">
          Use this key
        </button>
      </form>
    </div>
  );
}
