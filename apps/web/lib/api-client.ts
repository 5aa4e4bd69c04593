/** An HTTP error from the API (or the proxy), with the `{error, message}` body it carried. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface RequestOptions<T> {
  method?: string;
  body?: unknown;
  /** A zod schema from `@chat/protocol`; the body is checked before it is used. */
  schema?: { parse(input: unknown): T };
  signal?: AbortSignal;
}

/** Calls the API through the same-origin `/api/*` proxy; the session cookie rides along. */
export async function apiRequest<T = void>(
  path: string,
  { method = 'GET', body, schema, signal }: RequestOptions<T> = {},
): Promise<T> {
  const response = await fetch(`/api${path}`, {
    method,
    credentials: 'same-origin',
    cache: 'no-store',
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (!response.ok) {
    let code = 'http_error';
    let message = `${response.status} ${response.statusText}`;
    try {
      const parsed = (await response.json()) as { error?: string; message?: string };
      code = parsed.error ?? code;
      message = parsed.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, code, message);
  }
  if (response.status === 204 || !schema) return undefined as T;
  return schema.parse(await response.json());
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}
