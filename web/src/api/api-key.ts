/**
 * The API key of this tab: kept in sessionStorage (per tab, gone when it closes), never in a URL,
 * never logged. Components subscribe to learn when it changes or when the server asks for one.
 */
const STORAGE_KEY = 'flowtrail.apiKey';

type Listener = () => void;
const listeners = new Set<Listener>();
let needed = false;

export function apiKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function setApiKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, key);
  needed = false;
  for (const l of listeners) l();
}

/** The server answered 401: the UI shows the key prompt. */
export function markKeyNeeded(): void {
  if (needed) return;
  needed = true;
  for (const l of listeners) l();
}

export function keyNeeded(): boolean {
  return needed;
}

export function onApiKeyChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
