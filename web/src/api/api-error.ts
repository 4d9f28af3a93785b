/** An error answer of the API (`{ error: { code, message, details } }`), as the UI shows it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** What the server said about it; a 422 names the field at fault (`details.field`). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: Record<string, unknown> };
}

/** The data of an openapi-fetch result, or its error as an `ApiError`. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    const body = (result.error ?? {}) as ErrorBody;
    throw new ApiError(
      result.response.status,
      body.error?.code ?? 'HTTP',
      body.error?.message ?? `The server answered ${result.response.status}.`,
      body.error?.details ?? {},
    );
  }
  return result.data;
}
