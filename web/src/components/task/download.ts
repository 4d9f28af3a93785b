/**
 * Downloads from the API with the tab's key: fetch with the bearer header, then save the blob
 * through an object URL (a plain link could not carry the header).
 */
import { ApiError } from '../../api/api-error.ts';
import { authHeaders } from '../../api/client.ts';

/** The bytes at `path` (same origin), or an `ApiError` for an error answer. */
export async function fetchBlob(path: string, signal?: AbortSignal): Promise<Blob> {
  const response = await fetch(path, { headers: authHeaders(), ...(signal ? { signal } : {}) });
  if (!response.ok) {
    let message = `The server answered ${response.status}.`;
    let code = 'HTTP';
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } };
      message = body.error?.message ?? message;
      code = body.error?.code ?? code;
    } catch {
      // Not a JSON error body: keep the status.
    }
    throw new ApiError(response.status, code, message);
  }
  return response.blob();
}

function fileNameOf(response: string | null, fallback: string): string {
  const m = response ? /filename="([^"]+)"/.exec(response) : null;
  return m?.[1] ?? fallback;
}

/** Saves what `path` answers as a file (the server names it in content-disposition). */
export async function downloadFile(path: string, fallbackName: string): Promise<void> {
  const response = await fetch(path, { headers: authHeaders() });
  if (!response.ok) throw new ApiError(response.status, 'HTTP', `The download failed (${response.status}).`);
  const url = URL.createObjectURL(await response.blob());
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = fileNameOf(response.headers.get('content-disposition'), fallbackName);
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // The click has handed the URL to the download; give it a moment before freeing it.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/** `/api/v1/…` with a query string of the defined values. */
export function apiPath(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}
